"""The patrol summaries (per region and day, per reach and day, per patroller and year) stay equal to the patrols:
kept as patrols are started, ended, re-scored, moved and deleted, filled in bulk, rebuilt from scratch."""

import datetime
import io

import numpy as np
import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from hezhang.patrols import daycounts, summary
from hezhang.patrols.models import Patrol, PatrollerYear, ReachDay, RegionDay
from hezhang.patrols.recording import add_points, end_patrol, import_points, score_patrol, start_patrol
from hezhang.patrols.tests.conftest import walk

D = datetime.date


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def patrol(user, day, *, valid=True, reaches=(), hour=9, distance=1000.0, region=None):
    p = Patrol.objects.create(
        patroller=user,
        role="chief",
        chief_level=user.chief_level,
        region=region or user.region,
        started_at=at(day, hour),
        ended_at=at(day, hour + 1),
        is_valid=valid,
        distance_m=distance,
        duration_s=3600.0,
    )
    p.reaches.set(reaches)
    return p


def snapshot():
    """Every summary row, floats rounded (sums taken in another order differ in the last bits)."""
    regions = sorted(
        (path, day, n, valid, round(distance, 6), round(duration, 6))
        for path, day, n, valid, distance, duration in RegionDay.objects.values_list(
            "region_path", "day", "patrols", "valid", "valid_distance_m", "valid_duration_s"
        )
    )
    reaches = sorted(ReachDay.objects.values_list("reach_id", "day", "valid"))
    years = sorted(
        (
            row.patroller_id,
            row.region_path,
            row.year,
            daycounts.decode(row.patrolled, row.patrolled_more).tolist(),
            daycounts.decode(row.valid, row.valid_more).tolist(),
        )
        for row in PatrollerYear.objects.all()
    )
    return regions, reaches, years


def region_row(path, day):
    row = RegionDay.objects.filter(region_path=path, day=day).first()
    return None if row is None else (row.patrols, row.valid, row.valid_distance_m)


def year_counts(user, path, year):
    row = PatrollerYear.objects.get(patroller=user, region_path=path, year=year)
    return daycounts.decode(row.patrolled, row.patrolled_more), daycounts.decode(row.valid, row.valid_more)


@pytest.fixture
def no_checklist(lenient_rule):
    lenient_rule.require_checklist = False
    lenient_rule.save()
    return lenient_rule


def assert_rebuild_agrees():
    kept = snapshot()
    summary.rebuild()
    assert snapshot() == kept


# Day counts


def test_day_counts_round_trip_through_a_bitmap_and_the_days_with_more():
    counts = np.zeros(daycounts.DAYS, dtype=np.int64)
    counts[[0, 5, 200, 365]] = [1, 3, 1, 70000]
    bits, more = daycounts.encode(counts)
    assert len(bits) == 46 and len(more) == 2 * 6
    assert daycounts.decode(bits, more).tolist() == counts.tolist()
    counts[5] = 1
    bits, more = daycounts.encode(counts)
    assert len(more) == 6
    days = daycounts.bitmaps([bits, daycounts.EMPTY])
    assert days.shape == (2, 8 * daycounts.BITMAP_BYTES) and days[0].sum() == 4 and not days[1].any()
    assert daycounts.bitmaps([bits[45:]]).tolist() == [[0, 0, 0, 0, 0, 1, 0, 0]]  # days 360-367: the 366th
    rows, at, extra = daycounts.extras([b"", more, b""])
    assert (rows.tolist(), at.tolist(), extra.tolist()) == ([1], [365], [69999])


def test_days_in_spans_are_counted_from_the_bytes_as_from_the_days():
    rng = np.random.default_rng(5)
    rows = (rng.random((40, daycounts.DAYS)) < 0.4).astype(np.int64)
    bits = [daycounts.encode(r)[0] for r in rows]
    spans = [(0, 1), (0, 8), (3, 5), (5, 17), (7, 9), (8, 16), (100, 366), (360, 366), (13, 14)]
    counted = daycounts.span_counts(daycounts.packed(bits), spans)
    assert counted.tolist() == [[int(r[a:b].sum()) for a, b in spans] for r in rows]
    # The same days from a slice of each bitmap, bytes 2 to 5 (days 16 to 47), spans counted from its start.
    sliced = daycounts.span_counts(daycounts.packed([b[2:6] for b in bits]), [(0, 32), (3, 20)])
    assert sliced.tolist() == [[int(r[16:48].sum()), int(r[19:36].sum())] for r in rows]


def test_periods_are_counted_for_every_patroller_of_each_calendar():
    D0 = D(2024, 12, 30)  # a week across new year, then the first ten days of January
    counts = {D(2024, 12, 30): 1, D(2025, 1, 1): 3, D(2025, 1, 6): 1, D(2025, 1, 10): 2}
    by_year = {}
    for year in (2024, 2025):
        days = np.zeros(daycounts.DAYS, dtype=np.int64)
        for day, n in counts.items():
            if day.year == year:
                days[day.timetuple().tm_yday - 1] = n
        bits, more = daycounts.encode(days)
        # Patroller 0 has the patrols, in two regions in 2025 (each with all of them); patroller 1 has none.
        rows = [0, 0] if year == 2025 else [0]
        by_year[year] = (
            np.array(rows),
            daycounts.packed([bits] * len(rows)),
            daycounts.extras([more] * len(rows)),
            0,
        )
    weeks = [(D0, D(2025, 1, 5)), (D(2025, 1, 6), D(2025, 1, 12))]
    tens = [(D(2025, 1, 1), D(2025, 1, 10))]
    found = daycounts.count_periods(by_year, np.array([0, 1]), [weeks, tens])
    assert found[0].tolist() == [[1 + 3 * 2, 3 * 2]] and found[1].tolist() == [[0]]
    found = daycounts.count_periods(by_year, np.array([1, 0]), [weeks, tens])
    assert found[0].tolist() == [[0, 0]] and found[1].tolist() == [[(3 + 1 + 2) * 2]]


def test_day_counts_refuse_what_they_cannot_hold():
    with pytest.raises(ValueError):
        daycounts.encode(np.full(daycounts.DAYS, -1))
    with pytest.raises(ValueError):
        daycounts.encode(np.zeros(10))


# Upkeep


def test_a_patrol_counts_in_its_region_and_every_ancestor_and_for_its_reach(world):
    day = D(2024, 5, 3)
    patrol(world.chief_a, day, reaches=[world.reach_a], distance=1234.5)
    patrol(world.chief_a, day, valid=False, hour=15)
    for path in ("", "13", "1305", "130523", "130523100"):
        assert region_row(path, day) == (2, 1, 1234.5)
    assert region_row("130523200", day) is None
    assert list(ReachDay.objects.values_list("reach_id", "day", "valid")) == [(world.reach_a.pk, day, 1)]
    patrolled, valid = year_counts(world.chief_a, "130523100", 2024)
    assert patrolled[day.timetuple().tm_yday - 1] == 2 and valid.sum() == 1
    assert_rebuild_agrees()


def test_a_patrol_started_and_ended_through_recording_counts_from_its_start_and_its_verdict_once_scored(
    world, no_checklist
):
    line = world.reach_a.geometry["coordinates"]
    points = walk(line, 0.0, 0.9, step_s=10, t0=timezone.now().timestamp() - 2 * 3600)
    started = datetime.datetime.fromtimestamp(points[0].t, tz=datetime.UTC)
    p, _created = start_patrol(world.chief_a, reaches=[world.reach_a], started_at=started)
    day = summary.local_day(started)
    assert region_row("130523", day) == (1, 0, 0.0)  # under way: a patrol, not yet a valid one
    add_points(p, points)
    p = end_patrol(p, actor=world.chief_a)
    assert p.is_valid
    assert region_row("130523", day) == (1, 1, p.distance_m)
    assert ReachDay.objects.get(reach=world.reach_a, day=day).valid == 1
    assert_rebuild_agrees()


def test_re_scoring_a_patrol_to_invalid_takes_it_out_of_the_valid_counts(world, no_checklist):
    line = world.reach_a.geometry["coordinates"]
    p = import_points(world.chief_a, walk(line, 0.0, 0.9, step_s=10), reaches=[world.reach_a])
    day = summary.local_day(p.started_at)
    assert p.is_valid and region_row("", day) == (1, 1, p.distance_m)
    no_checklist.min_distance_m = 1_000_000
    no_checklist.save()
    p = score_patrol(p, actor=world.county_office)
    assert p.is_valid is False
    assert region_row("", day) == (1, 0, 0.0) and region_row("130523100", day) == (1, 0, 0.0)
    assert not ReachDay.objects.exists()
    patrolled, valid = year_counts(world.chief_a, "130523100", day.year)
    assert patrolled.sum() == 1 and valid.sum() == 0
    assert_rebuild_agrees()


def test_a_deleted_patrol_leaves_no_trace(world):
    day = D(2024, 5, 3)
    kept = patrol(world.chief_b, day, reaches=[world.reach_b])
    before = snapshot()
    gone = patrol(world.chief_a, day, reaches=[world.reach_a])
    patrol(world.chief_a, D(2023, 12, 31), reaches=[world.reach_a]).delete()
    gone.delete()
    assert snapshot() == before
    assert region_row("", day) == (1, 1, 1000.0)
    kept.delete()
    assert snapshot() == ([], [], [])


def test_a_patrol_moved_to_another_day_region_or_reach_moves_its_counts(world):
    p = patrol(world.chief_a, D(2024, 5, 3), reaches=[world.reach_a])
    p.started_at = at(D(2024, 5, 4))
    p.region = world.town_b
    p.save()
    assert region_row("130523100", D(2024, 5, 3)) is None and region_row("130523", D(2024, 5, 3)) is None
    assert region_row("130523200", D(2024, 5, 4)) == (1, 1, 1000.0)
    p.reaches.add(world.reach_b)
    p.reaches.remove(world.reach_a, world.reach_a)
    assert list(ReachDay.objects.values_list("reach_id", "valid")) == [(world.reach_b.pk, 1)]
    world.reach_b.patrols.remove(p)
    world.reach_a.patrols.add(p)
    assert list(ReachDay.objects.values_list("reach_id", "valid")) == [(world.reach_a.pk, 1)]
    p.reaches.clear()
    assert not ReachDay.objects.exists()
    p.reaches.set([world.reach_a, world.reach_b])
    assert_rebuild_agrees()


def test_a_save_of_nothing_the_summaries_count_costs_them_no_query(world, django_assert_num_queries):
    p = patrol(world.chief_a, D(2024, 5, 3))
    p.note = "河面干净"
    with django_assert_num_queries(1):
        p.save(update_fields=["note"])
    with django_assert_num_queries(5):  # the update, and the patrol with its reaches read before and after
        p.save()


def test_patrols_without_a_region_count_only_everywhere(world):
    p = Patrol.objects.create(
        patroller=world.admin, role="chief", started_at=at(D(2024, 5, 3)), is_valid=True
    )
    assert list(RegionDay.objects.values_list("region_path", "patrols")) == [("", 1)]
    assert PatrollerYear.objects.get().region_path == ""
    assert_rebuild_agrees()
    p.delete()
    assert snapshot() == ([], [], [])


# In bulk and rebuilt


def test_patrols_written_around_the_signals_are_added_in_bulk_as_the_upkeep_would(world):
    for k, day in enumerate((D(2024, 5, 3), D(2024, 5, 3), D(2024, 12, 31), D(2025, 1, 1))):
        patrol(world.chief_a, day, reaches=[world.reach_a], valid=k != 1, hour=9 + k)
    patrol(world.chief_b, D(2024, 5, 3), reaches=[world.reach_b])
    kept = snapshot()
    ids = list(Patrol.objects.values_list("pk", flat=True))
    for model in (RegionDay, ReachDay, PatrollerYear):
        model.objects.all().delete()
    summary.add(Patrol.objects.filter(pk__in=ids[:2]))
    summary.add(Patrol.objects.filter(pk__in=ids[2:]))
    assert snapshot() == kept


def test_rebuilding_one_region_puts_it_right_and_moves_its_ancestors_by_as_much(world):
    day = D(2024, 5, 3)
    a = patrol(world.chief_a, day, reaches=[world.reach_a])
    patrol(world.chief_b, day, reaches=[world.reach_b])
    a.is_valid = False
    a.save()
    kept = snapshot()
    # Written around the signals, as a bulk update would: the summaries still count the patrol as valid.
    Patrol.objects.filter(pk=a.pk).update(is_valid=True)
    summary.rebuild(world.town_a)
    assert snapshot() != kept and region_row("", day) == (2, 2, 2000.0)
    Patrol.objects.filter(pk=a.pk).update(is_valid=False)
    summary.rebuild(world.town_a)
    assert snapshot() == kept


def test_the_aggregate_command_rebuilds_everything_or_one_region(world):
    patrol(world.chief_a, D(2024, 5, 3), reaches=[world.reach_a])
    kept = snapshot()
    RegionDay.objects.all().delete()
    out = io.StringIO()
    call_command("patrol", "aggregate", stdout=out)
    assert snapshot() == kept and "region days" in out.getvalue()
    call_command("patrol", "aggregate", "--region", world.town_a.code, stdout=out)
    assert snapshot() == kept


def test_the_demo_builders_fill_the_summaries_in_bulk_as_a_rebuild_would(db, settings):
    from hezhang.patrols.demo import build_patrols
    from hezhang.patrols.demo.province import build_province_patrols
    from hezhang.registry.demo import build_county

    build_county()
    assert build_patrols(months=0.2, log=None)["total"] > 0  # walked, scored and bulk-inserted; two under way
    assert build_province_patrols(total=400, log=None)["total"] > 0  # COPY (executemany on SQLite)
    assert RegionDay.objects.filter(region_path="").aggregate(n=Sum("patrols"))["n"] == Patrol.objects.count()
    assert_rebuild_agrees()
