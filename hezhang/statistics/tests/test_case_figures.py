"""Case figures are counted in two passes grouped several ways at once: each figure is what one plain query for it
would count."""

import datetime
import random

import pytest
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from hezhang.cases.models import Case, CaseCategory
from hezhang.statistics.figures import case_figures, trend

pytestmark = pytest.mark.django_db

STATES = ["reported", "accepted", "assigned", "in_progress", "completed", "closed", "closed", "rejected"]
CHANNELS = ["public", "hotline", "patrol", "inspection"]


@pytest.fixture
def cases(world):
    """Forty cases of the last two months in both townships, in every state, some accepted, closed and rated."""
    rng = random.Random(3)
    categories = list(CaseCategory.objects.filter(region=None)[:5])
    now = timezone.now()
    for n in range(40):
        created = now - datetime.timedelta(hours=rng.uniform(1, 24 * 60))
        state = rng.choice(STATES)
        closed = created + datetime.timedelta(hours=rng.uniform(2, 300)) if state == "closed" else None
        Case.objects.create(
            number=f"T{n:04d}",
            title="河道问题",
            category=rng.choice(categories),
            channel=rng.choice(CHANNELS),
            lon=114.6,
            lat=37.1,
            state_id=state,
            region=rng.choice([world.town_a, world.village_a, world.town_b, world.village_b]),
            office=world.office_county,
            department=rng.choice([world.dept_a, world.dept_b, None]),
            deadline=created + datetime.timedelta(days=rng.choice([1, 7, 30])),
            created_at=created,
            accepted_at=created + datetime.timedelta(hours=rng.uniform(0.1, 30))
            if state != "reported"
            else None,
            closed_at=closed,
            rating=rng.choice(["", "satisfied", "fair", "unsatisfied"]) if closed else "",
        )
    return world


def test_every_case_figure_is_what_a_plain_query_counts(cases):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=40)
    figures = case_figures(cases.county, start, today)
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    plain = Case.objects.filter(created_at__gte=since, region__path__startswith=cases.county.path)
    fixed = Q(state__is_open=False, state__is_fixed=True)
    overdue = Q(state__in=["assigned", "in_progress"], deadline__lt=timezone.now())
    to_accept = ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())
    totals = plain.aggregate(
        count=Count("id"),
        closed=Count("id", filter=fixed),
        open=Count("id", filter=Q(state__is_open=True)),
        overdue=Count("id", filter=overdue),
        accept=Avg(to_accept, filter=Q(accepted_at__isnull=False)),
    )
    assert totals["count"] > 20
    assert (figures["count"], figures["closed"], figures["open"], figures["overdue"]) == (
        totals["count"],
        totals["closed"],
        totals["open"],
        totals["overdue"],
    )
    assert figures["hours_to_accept"] == round(totals["accept"].total_seconds() / 3600, 1)

    def grouped(column, **extra):
        return {
            str(line[column]): line
            for line in plain.values(column).annotate(
                n=Count("id"), closed=Count("id", filter=fixed), **extra
            )
        }

    assert {r.key: r.values["count"] for r in figures["by_channel"]} == {
        k: v["n"] for k, v in grouped("channel").items()
    }
    assert {r.key: (r.values["count"], r.values["closed"]) for r in figures["by_category"]} == {
        k: (v["n"], v["closed"]) for k, v in grouped("category").items()
    }
    assert [r.key for r in figures["by_state"]] == [
        line["state"]
        for line in plain.values("state", "state__order").annotate(n=Count("id")).order_by("state__order")
    ]
    assert [r.values["count"] for r in figures["by_channel"]] == sorted(
        (r.values["count"] for r in figures["by_channel"]), reverse=True
    )
    town_a = plain.filter(region__path__startswith=cases.town_a.path)
    rows = {r.label: r.values for r in figures["by_region"]}
    assert (rows["东坝镇"]["count"], rows["东坝镇"]["closed"]) == (
        town_a.count(),
        town_a.filter(fixed).count(),
    )
    departments = {r.label: r.values for r in figures["by_department"]}
    late = Q(deadline__lt=F("closed_at")) | Q(closed_at=None, deadline__lt=timezone.now())
    assert departments["东坝镇农业办"] == {
        "count": plain.filter(department=cases.dept_a).count(),
        "overdue": plain.filter(late, department=cases.dept_a).count(),
    }


def test_reported_and_closed_cases_are_counted_by_day_and_by_week_from_one_pass(cases):
    today = timezone.localdate()
    for days, unit in ((30, "day"), (90, "week")):
        start = today - datetime.timedelta(days=days)
        series = trend(cases.county, start, today)
        assert series["unit"] == unit
        since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        assert sum(series["reported"]) == Case.objects.filter(created_at__gte=since).count()
        assert sum(series["closed"]) == Case.objects.filter(closed_at__gte=since).count()
        monday = min(datetime.date.fromisoformat(label) for label in series["labels"])
        assert unit == "day" or monday.weekday() == 0


def test_the_cases_rows_a_day_follow_closing_reopening_moving_and_deleting_a_case(cases):
    from hezhang.cases.models import CaseDay
    from hezhang.cases.summary import rebuild

    def rows():
        return set(CaseDay.objects.values_list("region_path", "day", "reported", "closed"))

    today = timezone.localdate()
    start = today - datetime.timedelta(days=70)
    case = Case.objects.filter(closed_at=None, region=cases.town_a).first()
    before = trend(cases.town_a, start, today)
    case.closed_at = timezone.now()
    case.save()
    assert sum(trend(cases.town_a, start, today)["closed"]) == sum(before["closed"]) + 1
    case.closed_at = None  # reopened
    case.save(update_fields=["closed_at"])
    assert trend(cases.town_a, start, today)["closed"] == before["closed"]
    case.region = cases.town_b
    case.save()
    assert sum(trend(cases.town_a, start, today)["reported"]) == sum(before["reported"]) - 1
    kept = rows()
    rebuild()
    assert rows() == kept
    Case.objects.filter(region__path__startswith=cases.town_b.path).delete()
    assert not any(path.startswith(cases.town_b.path) for path, *_ in rows())
    assert sum(trend(cases.county, start, today)["reported"]) == Case.objects.count()


def test_a_townships_departments_count_only_its_own_cases(cases):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=70)
    for town in (cases.town_a, cases.town_b):
        mine = Case.objects.filter(region__path__startswith=town.path).exclude(department=None)
        expected = {d.name: mine.filter(department=d).count() for d in (cases.dept_a, cases.dept_b)}
        figures = case_figures(town, start, today)["by_department"]
        assert {row.label: row.values["count"] for row in figures} == {k: v for k, v in expected.items() if v}
        assert [row.values["count"] for row in figures] == sorted(
            (r.values["count"] for r in figures), reverse=True
        )


def test_the_cases_of_a_region_re_coded_are_counted_under_its_new_code(cases):
    from hezhang.cases.models import CaseDay

    town = cases.town_b
    old = town.path
    own = Case.objects.filter(region=town).count()
    below = Case.objects.filter(region__path__startswith=old).exclude(region=town).count()
    town.code = town.code[:6] + "777" + town.code[9:]
    town.save()

    def reported(path):
        return sum(CaseDay.objects.filter(region_path=path).values_list("reported", flat=True))

    assert town.path != old and own > 0 and below > 0
    # Its villages keep their codes (the registry re-codes each region it is asked to).
    assert (reported(town.path), reported(old)) == (own, below)
