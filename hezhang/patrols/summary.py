"""Keeping the patrol summaries (`RegionDay`, `ReachDay`, `PatrollerYear`) exactly in step with the patrols.

What one patrol adds to the summaries, its *contribution*, follows from who patrolled, the path of its region, its
day (local time), whether it counts, how far and how long it went, and its reaches. Django's signals bring every
save and delete of a patrol and every change of its reaches here, whoever makes them (recording, the tracker job,
`patrol rescore`, the admin, tests): the contribution the patrol had as stored before is taken away and the one
it has as stored after is added, inside the writer's transaction. The patrol's row is read FOR UPDATE first, so
two transactions changing one patrol take turns instead of both taking away the same contribution.

Writes that go around the signals (the demo builders' COPY and bulk_create) call `add` for what they wrote;
`rebuild` recomputes the summaries from the patrols, everywhere or under one region (`hezhang patrol aggregate`),
for instance after regions were re-coded, since the summaries are keyed by region path.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from hezhang.patrols import daycounts, standings
from hezhang.patrols.models import Patrol, PatrollerYear, ReachDay, RegionDay
from hezhang.registry.models import Region
from hezhang.registry.models.regions import PREFIX_LENGTH
from hezhang.sums import add_to

__all__ = ["Contribution", "add", "local_day", "prefixes", "rebuild", "zone"]

# The root "" (every patrol) and the length of each level's path: the RegionDay rows a patrol counts in.
LENGTHS = (0, *sorted(PREFIX_LENGTH.values()))
Links = Patrol.reaches.through
BATCH = 500


def zone() -> datetime.tzinfo:
    """Days are the server's days (HEZHANG_TIME_ZONE), as the pages' date ranges are."""
    return timezone.get_default_timezone()


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, zone()).date()


def prefixes(path: str) -> list[str]:
    """The paths of the RegionDay rows that sum a patrol of a region with `path`: "" and each ancestor's, its own."""
    return [path[:n] for n in LENGTHS if n <= len(path)]


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one patrol, as stored, adds to the summaries."""

    patroller_id: int
    path: str
    day: datetime.date
    valid: bool
    distance_m: float
    duration_s: float
    reaches: frozenset[int]


def contributions(ids: Sequence[int], *, lock: bool = False) -> dict[int, Contribution]:
    """The contributions of the patrols `ids` as the database holds them (those that exist), read FOR UPDATE when
    `lock` and the caller is in a transaction."""
    if not ids:
        return {}
    rows = Patrol.objects.filter(pk__in=ids).values_list(
        "pk", "patroller_id", "region__path", "started_at", "is_valid", "distance_m", "duration_s"
    )
    if lock and connection.in_atomic_block and connection.features.has_select_for_update:
        rows = rows.select_for_update(of=("self",))
    rows = list(rows)
    reaches: dict[int, set[int]] = defaultdict(set)
    for patrol, reach in Links.objects.filter(patrol_id__in=ids).values_list("patrol_id", "reach_id"):
        reaches[patrol].add(reach)
    return {
        pk: Contribution(
            patroller_id=patroller,
            path=path or "",
            day=local_day(started),
            valid=bool(valid),
            distance_m=(distance or 0.0) if valid else 0.0,
            duration_s=(duration or 0.0) if valid else 0.0,
            reaches=frozenset(reaches.get(pk, ())),
        )
        for pk, patroller, path, started, valid, distance, duration in rows
    }


class Changes:
    """Deltas to the summaries, gathered first so that each row is written once, in a fixed order."""

    def __init__(self) -> None:
        self.regions: dict[tuple[str, datetime.date], list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])
        self.reaches: dict[tuple[int, datetime.date], int] = defaultdict(int)
        self.years: dict[tuple[int, str, int], dict[int, list[int]]] = defaultdict(
            lambda: defaultdict(lambda: [0, 0])
        )

    def count(self, c: Contribution | None, sign: int) -> None:
        if c is None:
            return
        valid = sign if c.valid else 0
        for path in prefixes(c.path):
            row = self.regions[(path, c.day)]
            row[0] += sign
            row[1] += valid
            if valid:
                row[2] += valid * c.distance_m
                row[3] += valid * c.duration_s
        if valid:
            for reach in c.reaches:
                self.reaches[(reach, c.day)] += valid
        day = self.years[(c.patroller_id, c.path, c.day.year)][c.day.timetuple().tm_yday - 1]
        day[0] += sign
        day[1] += valid

    def link(self, c: Contribution, reach: int, sign: int) -> None:
        if c.valid:
            self.reaches[(reach, c.day)] += sign

    def apply(self) -> None:
        regions = [(k, v) for k, v in sorted(self.regions.items()) if any(v)]
        if regions:
            add_to(
                RegionDay,
                ("region_path", "day"),
                ("patrols", "valid", "valid_distance_m", "valid_duration_s"),
                [(*k, *v) for k, v in regions],
            )
            RegionDay.objects.filter(
                region_path__in={k[0] for k, _ in regions}, day__in={k[1] for k, _ in regions}, patrols=0
            ).delete()
        reaches = [(k, v) for k, v in sorted(self.reaches.items()) if v]
        if reaches:
            add_to(ReachDay, ("reach_id", "day"), ("valid",), [(*k, v) for k, v in reaches])
            ReachDay.objects.filter(
                reach_id__in={k[0] for k, _ in reaches}, day__in={k[1] for k, _ in reaches}, valid=0
            ).delete()
        judged = set()
        for key, days in sorted(self.years.items()):
            changed = {day: pv for day, pv in days.items() if pv != [0, 0]}
            if changed:
                _move_year(key, changed)
                if any(valid for _n, valid in changed.values()):
                    judged.add(key[0])
        # Whoever's valid days moved is judged again in the kept periods (standings.py).
        standings.refresh(judged)


def _move_year(key: tuple[int, str, int], changed: dict[int, list[int]]) -> None:
    """Add (patrols, valid) to days of one PatrollerYear, locked meanwhile; removed once it holds no patrol."""
    patroller, path, year = key
    empty = PatrollerYear(
        patroller_id=patroller, region_path=path, year=year, patrolled=daycounts.EMPTY, valid=daycounts.EMPTY
    )
    PatrollerYear.objects.bulk_create([empty], ignore_conflicts=True)
    rows = PatrollerYear.objects.filter(patroller_id=patroller, region_path=path, year=year)
    if connection.features.has_select_for_update:
        rows = rows.select_for_update()
    row = rows.get()
    patrolled = daycounts.decode(row.patrolled, row.patrolled_more)
    valid = daycounts.decode(row.valid, row.valid_more)
    for day, (n, v) in changed.items():
        patrolled[day] += n
        valid[day] += v
    # Below zero only when the summary was already out of step: never fail the patrol's own write for it.
    np.maximum(patrolled, 0, out=patrolled)
    np.maximum(valid, 0, out=valid)
    if not patrolled.any():
        row.delete()
        return
    row.patrolled, row.patrolled_more = daycounts.encode(patrolled)
    row.valid, row.valid_more = daycounts.encode(valid)
    row.save(update_fields=["patrolled", "patrolled_more", "valid", "valid_more"])


# --- following every write of a patrol ------------------------------------------------------------------------


# What a contribution is made of: a save that writes none of these (update_fields) changes no summary.
COUNTED = {
    "patroller",
    "patroller_id",
    "region",
    "region_id",
    "started_at",
    "is_valid",
    "distance_m",
    "duration_s",
}


def _skipped(raw: bool, update_fields) -> bool:
    # Raw saves (loaddata) write rows whose relations may not exist yet: `hezhang patrol aggregate` afterwards.
    return raw or (update_fields is not None and not COUNTED & set(update_fields))


def _before_save(sender, instance: Patrol, raw: bool = False, update_fields=None, **kwargs) -> None:
    instance._summary_before = None
    if not _skipped(raw, update_fields) and instance.pk is not None:
        instance._summary_before = contributions([instance.pk], lock=True).get(instance.pk)


def _after_save(sender, instance: Patrol, raw: bool = False, update_fields=None, **kwargs) -> None:
    if _skipped(raw, update_fields):
        return
    before = getattr(instance, "_summary_before", None)
    after = contributions([instance.pk]).get(instance.pk)
    instance._summary_before = None
    if before == after:
        return
    changes = Changes()
    changes.count(before, -1)
    changes.count(after, +1)
    with transaction.atomic(savepoint=False):
        changes.apply()


def _before_delete(sender, instance: Patrol, **kwargs) -> None:
    instance._summary_before = contributions([instance.pk], lock=True).get(instance.pk)


def _after_delete(sender, instance: Patrol, **kwargs) -> None:
    before = getattr(instance, "_summary_before", None)
    if before is None:
        return
    changes = Changes()
    changes.count(before, -1)
    with transaction.atomic(savepoint=False):
        changes.apply()


def _links(instance, reverse: bool, ids) -> list[tuple[int, int]]:
    """(patrol, reach) pairs that exist, of one patrol (or reach, `reverse`) and the other side's `ids` (None: all)."""
    own, other = ("reach_id", "patrol_id") if reverse else ("patrol_id", "reach_id")
    rows = Links.objects.filter(**{own: instance.pk})
    if ids is not None:
        rows = rows.filter(**{f"{other}__in": list(ids)})
    return list(rows.values_list("patrol_id", "reach_id"))


def _reaches_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """A patrol's reaches count for its valid patrols: links added, removed or cleared move ReachDay."""
    if action in ("pre_remove", "pre_clear"):
        # Only links that exist are taken away: capture them before they go.
        instance._summary_links = _links(instance, reverse, pk_set if action == "pre_remove" else None)
        return
    if action == "post_add" and pk_set:
        pairs, sign = [(instance.pk, pk) if not reverse else (pk, instance.pk) for pk in pk_set], +1
    elif action in ("post_remove", "post_clear"):
        pairs, sign = getattr(instance, "_summary_links", []), -1
        instance._summary_links = []
    else:
        return
    if not pairs:
        return
    states = contributions(sorted({patrol for patrol, _reach in pairs}))
    changes = Changes()
    for patrol, reach in pairs:
        if patrol in states:
            changes.link(states[patrol], reach, sign)
    with transaction.atomic(savepoint=False):
        changes.apply()


pre_save.connect(_before_save, sender=Patrol, dispatch_uid="patrol-summary-pre-save")
post_save.connect(_after_save, sender=Patrol, dispatch_uid="patrol-summary-post-save")
pre_delete.connect(_before_delete, sender=Patrol, dispatch_uid="patrol-summary-pre-delete")
post_delete.connect(_after_delete, sender=Patrol, dispatch_uid="patrol-summary-post-delete")
m2m_changed.connect(_reaches_changed, sender=Links, dispatch_uid="patrol-summary-reaches")


# --- in bulk ------------------------------------------------------------------------------------------------


def add(patrols: QuerySet) -> None:
    """Add `patrols` (written around the signals, by COPY or bulk_create) and their reach links to the summaries.

    Set-based: one INSERT … SELECT for the region rows, one for the reach rows; the patroller years are packed here
    from one grouped, ordered query, a patroller at a time.
    """
    with transaction.atomic(savepoint=False):
        _add_regions(patrols, LENGTHS)
        _add_reaches(Links.objects.filter(patrol__in=patrols.values("pk")))
        _add_years(patrols)


def _add_regions(patrols: QuerySet, lengths: Sequence[int]) -> None:
    valid = Q(is_valid=True)
    leaf = (
        patrols.order_by()
        .annotate(
            leaf_path=Coalesce("region__path", Value("")),
            leaf_day=TruncDate("started_at", tzinfo=zone()),
        )
        .values("leaf_path", "leaf_day")
        .annotate(
            n=Count("pk"),
            n_valid=Count("pk", filter=valid),
            distance=Coalesce(Sum("distance_m", filter=valid), Value(0.0), output_field=FloatField()),
            duration=Coalesce(Sum("duration_s", filter=valid), Value(0.0), output_field=FloatField()),
        )
    )
    sql, params = leaf.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(RegionDay._meta.db_table)
    sums = ("patrols", "valid", "valid_distance_m", "valid_duration_s")
    update = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in sums)
    levels = ", ".join(f"({int(n)})" for n in lengths)
    # Each (path, day) of the patrols is summed once, then into every prefix of the path: a patrol of a village
    # counts in its township's, county's, city's, province's and the root's rows as well as the village's.
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH leaf AS ({sql}), levels (n) AS (VALUES {levels}) "
            f"INSERT INTO {table} (region_path, day, {', '.join(sums)}) "
            "SELECT substr(leaf.leaf_path, 1, levels.n), leaf.leaf_day, sum(leaf.n), sum(leaf.n_valid), "
            "sum(leaf.distance), sum(leaf.duration) FROM leaf, levels WHERE length(leaf.leaf_path) >= levels.n "
            "GROUP BY substr(leaf.leaf_path, 1, levels.n), leaf.leaf_day "
            f"ON CONFLICT (region_path, day) DO UPDATE SET {update}",
            params,
        )


def _add_reaches(links: QuerySet) -> None:
    leaf = (
        links.filter(patrol__is_valid=True)
        .order_by()
        .annotate(leaf_day=TruncDate("patrol__started_at", tzinfo=zone()))
        .values("reach_id", "leaf_day")
        .annotate(n=Count("pk"))
    )
    sql, params = leaf.query.sql_with_params()
    table = connection.ops.quote_name(ReachDay._meta.db_table)
    with connection.cursor() as cursor:
        # WHERE 1 = 1: SQLite needs a WHERE before ON CONFLICT to parse an INSERT … SELECT as an upsert.
        cursor.execute(
            f"INSERT INTO {table} (reach_id, day, valid) SELECT leaf.reach_id, leaf.leaf_day, leaf.n "
            f"FROM ({sql}) leaf WHERE 1 = 1 "
            f"ON CONFLICT (reach_id, day) DO UPDATE SET valid = {table}.valid + excluded.valid",
            params,
        )


def _years(patrols: QuerySet) -> Iterator[tuple[tuple[int, str, int], np.ndarray, np.ndarray]]:
    """((patroller, path, year), patrols a day, valid patrols a day) of `patrols`, a key at a time."""
    rows = (
        patrols.order_by()
        .annotate(
            leaf_path=Coalesce("region__path", Value("")),
            leaf_day=TruncDate("started_at", tzinfo=zone()),
        )
        .values_list("patroller_id", "leaf_path", "leaf_day")
        .annotate(n=Count("pk"), n_valid=Count("pk", filter=Q(is_valid=True)))
        .order_by("patroller_id", "leaf_path", "leaf_day")
    )
    key = None
    patrolled = valid = np.zeros(daycounts.DAYS, dtype=np.int64)
    for patroller, path, day, n, n_valid in rows.iterator(chunk_size=20_000):
        here = (patroller, path, day.year)
        if here != key:
            if key is not None:
                yield key, patrolled, valid
            key = here
            patrolled = np.zeros(daycounts.DAYS, dtype=np.int64)
            valid = np.zeros(daycounts.DAYS, dtype=np.int64)
        index = day.timetuple().tm_yday - 1
        patrolled[index] += n
        valid[index] += n_valid
    if key is not None:
        yield key, patrolled, valid


def _add_years(patrols: QuerySet) -> None:
    existing = {
        (row.patroller_id, row.region_path, row.year): row
        for row in PatrollerYear.objects.filter(patroller__in=patrols.values("patroller_id"))
    }
    stale: list[int] = []
    fresh: list[PatrollerYear] = []
    for key, patrolled, valid in _years(patrols):
        old = existing.get(key)
        if old is not None:
            patrolled += daycounts.decode(old.patrolled, old.patrolled_more)
            valid += daycounts.decode(old.valid, old.valid_more)
            stale.append(old.pk)
        row = PatrollerYear(patroller_id=key[0], region_path=key[1], year=key[2])
        row.patrolled, row.patrolled_more = daycounts.encode(patrolled)
        row.valid, row.valid_more = daycounts.encode(valid)
        fresh.append(row)
    for first in range(0, len(stale), BATCH):
        PatrollerYear.objects.filter(pk__in=stale[first : first + BATCH]).delete()
    PatrollerYear.objects.bulk_create(fresh, batch_size=2000)


def _lock() -> None:
    """Hold back the upkeep of other transactions while rebuilding (pages still read the summaries as they were)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m in (RegionDay, ReachDay, PatrollerYear)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def rebuild(region: Region | None = None) -> dict[str, int]:
    """Recompute the summaries from the patrols: all of them, or those of `region`'s subtree.

    Under a region, its rows and its subtree's are recomputed, and the rows of its ancestors (and the root), which
    sum the subtree too, are moved by as much as the region's own rows moved. Returns the rows there are after.
    """
    with transaction.atomic():
        _lock()
        if region is None:
            for model in (RegionDay, ReachDay, PatrollerYear):
                model.objects.all().delete()
            add(Patrol.objects.all())
        else:
            _rebuild_under(region.path)
    return {
        "region_days": RegionDay.objects.count(),
        "reach_days": ReachDay.objects.count(),
        "patroller_years": PatrollerYear.objects.count(),
    }


def _own_rows(path: str) -> dict[datetime.date, list[float]]:
    rows = RegionDay.objects.filter(region_path=path).values_list(
        "day", "patrols", "valid", "valid_distance_m", "valid_duration_s"
    )
    return {day: list(sums) for day, *sums in rows}


def _rebuild_under(path: str) -> None:
    patrols = Patrol.objects.filter(region__path__startswith=path)
    before = _own_rows(path)
    RegionDay.objects.filter(region_path__startswith=path).delete()
    _add_regions(patrols, [n for n in LENGTHS if n >= len(path)])
    after = _own_rows(path)
    changes = Changes()
    for day in set(before) | set(after):
        old, new = before.get(day, [0, 0, 0.0, 0.0]), after.get(day, [0, 0, 0.0, 0.0])
        for ancestor in prefixes(path)[:-1]:
            row = changes.regions[(ancestor, day)]
            for i in range(4):
                row[i] += new[i] - old[i]
    changes.apply()
    ReachDay.objects.filter(reach__region__path__startswith=path).delete()
    _add_reaches(Links.objects.filter(reach__region__path__startswith=path))
    PatrollerYear.objects.filter(region_path__startswith=path).delete()
    _add_years(patrols)
