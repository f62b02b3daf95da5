"""The standings of every patroller in this week, month, quarter and year, kept (`PatrollerStanding`).

`standing` counts a province's 56 000 patrollers in about 300 ms: reading them, their rules and a year of their
valid days, and counting each calendar with numpy. The rate pages ask for the same four current periods again and
again, so their answers are kept, a row a patroller and kind of period, and a page counts those rows in one grouped
query (`kept`): the patrollers and how many met, by category and by the sub-region each lies in.

The rows are exact on the day their `StandingDay` names:

* a patroller's rows are made again (`refresh`) inside the transaction that changes what they depend on: a valid
  patrol's day (after `summary` has moved their `PatrollerYear`), their own record (role, region, level, name,
  whether active), an assignment of theirs;
* a change of the rules, or a region re-coded, forgets the days (`forget`): the pages count as they are asked
  until the rows are rebuilt;
* when a day begins, the periods that have begun and ended change for everyone: the job `patrols.standings`
  rebuilds every row (`rebuild`) when the kept day is not today, as `hezhang patrol aggregate` does too.

Until then, and for any other range, `kept` answers None and the pages count with `standing`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.functions import Collate, Substr
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from hezhang.accounts.models import User
from hezhang.patrols import roster
from hezhang.patrols.models import PatrollerStanding, PatrolRule, StandingDay
from hezhang.patrols.periods import calendar_period
from hezhang.patrols.standing import Standing, standing
from hezhang.registry.models import ChiefAssignment, Region

__all__ = ["PERIODS", "Kept", "forget", "kept", "kept_period", "rebuild", "refresh", "stale"]

PERIODS = ("week", "month", "quarter", "year")
BATCH = 2000


@dataclass(slots=True)
class Kept:
    """What the rate tables need of the patrollers of a region's subtree, counted from the kept rows.

    `by_category`: (patrollers, of whom met) per category; `by_cut`: the same per region path cut to `cut`
    characters, the longest path of the region's children (a cut path finds its child as the whole path would).
    """

    period: str
    prefix: str
    today: datetime.date
    cut: int
    by_category: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_cut: dict[str, tuple[int, int]] = field(default_factory=dict)
    required: int = 0
    met: int = 0

    def __len__(self) -> int:
        return self.required

    def unmet(self) -> QuerySet:
        """The patrollers who do not meet their rule, in the order `Standing.unmet` gives: overdue first, then by
        category, region, name and id; a query, so a page of them is cut in the database."""
        rows = PatrollerStanding.objects.filter(period=self.period, met=False)
        if self.prefix:
            rows = rows.filter(region_path__startswith=self.prefix)
        # Names by code point, as `Standing.unmet` sorts them, whatever the database's collation.
        name = Collate("name", "C" if connection.vendor == "postgresql" else "BINARY")
        return rows.order_by("-overdue", "category", "region_path", name, "patroller_id")


def kept_period(start: datetime.date, end: datetime.date, today: datetime.date) -> str | None:
    """The kind of period start..end is when it is the current one of its kind and its rows are kept for today."""
    kinds = [kind for kind in PERIODS if calendar_period(kind, today) == (start, end)]
    if not kinds:
        return None
    day = StandingDay.objects.filter(period__in=kinds, start=start, end=end, as_of=today).first()
    return day.period if day else None


def kept(
    region: Region | None, start: datetime.date, end: datetime.date, *, today: datetime.date | None = None
) -> Kept | None:
    """The patrollers of `region`'s subtree (None: everywhere) counted from the kept rows, or None when start..end
    is not a current period kept for today: one grouped query by category and the child each patroller lies in."""
    today = today or timezone.localdate()
    period = kept_period(start, end, today)
    if period is None:
        return None
    children = (
        Region.objects.filter(parent=region) if region is not None else Region.objects.filter(parent=None)
    )
    cut = max((len(path) for path in children.values_list("path", flat=True)), default=0)
    prefix = region.path if region is not None else ""
    rows = PatrollerStanding.objects.filter(period=period)
    if prefix:
        rows = rows.filter(region_path__startswith=prefix)
    answer = Kept(period=period, prefix=prefix, today=today, cut=cut)
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_cut: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    groups = (
        rows.order_by()
        .annotate(place=Substr("region_path", 1, cut) if cut else Value("", output_field=CharField()))
        .values_list("category", "place")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(met=True)))
    )
    for category, place, n, ok in groups:
        for totals in (by_category[category], by_cut[place or ""]):
            totals[0] += n
            totals[1] += ok
        answer.required += n
        answer.met += ok
    answer.by_category = {k: (n, ok) for k, (n, ok) in by_category.items()}
    answer.by_cut = {k: (n, ok) for k, (n, ok) in by_cut.items()}
    return answer


# --- keeping them --------------------------------------------------------------------------------------------


def _rows(period: str, counted: Standing) -> list[PatrollerStanding]:
    return [
        PatrollerStanding(
            patroller_id=pk,
            period=period,
            category=category,
            region_path=path,
            name=name[:150],
            met=met,
            overdue=overdue,
        )
        for pk, category, path, name, met, overdue in zip(
            counted.ids.tolist(),
            counted.categories.tolist(),
            counted.paths.tolist(),
            counted.names.tolist(),
            counted.met.tolist(),
            counted.overdue.tolist(),
            strict=True,
        )
    ]


def _lock() -> None:
    """Hold back other transactions' upkeep while rebuilding: a patroller's rows made meanwhile from a change the
    rebuild cannot see yet are written after it, not overwritten by it."""
    if connection.vendor == "postgresql":
        # StandingDay first, as writers take it (refresh): one order both ways, so that neither waits on the other
        # while holding what the other needs.
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m in (StandingDay, PatrollerStanding)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def rebuild(today: datetime.date | None = None) -> int:
    """Judge every patroller in the four current periods as of `today` and keep the answers; returns the rows."""
    today = today or timezone.localdate()
    written = 0
    with transaction.atomic():
        _lock()
        # Whatever was written around the signals (a demo's bulk_create) is in the roster from here on.
        roster.rebuild()
        PatrollerStanding.objects.all().delete()
        StandingDay.objects.all().delete()
        for period in PERIODS:
            start, end = calendar_period(period, today)
            rows = _rows(period, standing(None, start, end, today=today, names=True))
            PatrollerStanding.objects.bulk_create(rows, batch_size=BATCH)
            StandingDay.objects.create(period=period, start=start, end=end, as_of=today)
            written += len(rows)
    return written


def stale(today: datetime.date | None = None) -> bool:
    """Whether the kept standings are not those of `today` (a day has begun, or the rules changed)."""
    today = today or timezone.localdate()
    return StandingDay.objects.filter(as_of=today).count() != len(PERIODS)


def _after_rebuild() -> None:
    """Wait for a rebuild under way (EXCLUSIVE), so that what this transaction changed is judged after it rather
    than missed by both; writers do not wait for each other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(StandingDay._meta.db_table)} IN ROW EXCLUSIVE MODE"
            )


def refresh(ids: set[int] | list[int]) -> None:
    """Judge the patrollers `ids` again in the kept periods (inside the caller's transaction).

    Nothing to do when the rows are not today's: the pages do not read them, and the next rebuild judges all.
    """
    if not ids:
        return
    today = timezone.localdate()
    with transaction.atomic(savepoint=False):
        _after_rebuild()
        days = list(StandingDay.objects.filter(as_of=today))
        if not days:
            return
        # Two transactions judging one patroller take turns: each replaces the rows the other wrote.
        people = User.objects.filter(pk__in=sorted(ids))
        if connection.features.has_select_for_update:
            list(people.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
        for day in days:
            PatrollerStanding.objects.filter(period=day.period, patroller_id__in=list(ids)).delete()
            counted = standing(None, day.start, day.end, today=today, users=people, names=True)
            PatrollerStanding.objects.bulk_create(_rows(day.period, counted), batch_size=BATCH)


def forget() -> None:
    """The rules changed: every kept row may be wrong, so none is read until the rows are rebuilt."""
    StandingDay.objects.all().delete()


# --- following the changes they depend on ---------------------------------------------------------------------

# What a patroller's standing reads of their own record: a save that writes none of these changes nothing.
PERSON = {"role", "region", "region_id", "is_active", "chief_level", "name", "username"}


def _changed(ids: set[int]) -> None:
    """The people `ids` changed as patrollers: their roster rows and their kept standings are made again."""
    with transaction.atomic(savepoint=False):
        # The lock a rebuild waits for first, as refresh takes it: the roster's rows are a rebuild's too.
        _after_rebuild()
        roster.keep(ids)
        refresh(ids)


def _person_saved(sender, instance: User, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or (update_fields is not None and not PERSON & set(update_fields)):
        return
    _changed({instance.pk})


def _assignment_before(sender, instance: ChiefAssignment, raw: bool = False, **kwargs) -> None:
    instance._standing_chief = None
    if not raw and instance.pk is not None:
        instance._standing_chief = (
            ChiefAssignment.objects.filter(pk=instance.pk).values_list("chief_id", flat=True).first()
        )


def _assignment_saved(sender, instance: ChiefAssignment, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    _changed(
        {instance.chief_id}
        | ({instance._standing_chief} if getattr(instance, "_standing_chief", None) else set())
    )


def _assignment_deleted(sender, instance: ChiefAssignment, **kwargs) -> None:
    _changed({instance.chief_id})


def _region_before(sender, instance: Region, raw: bool = False, **kwargs) -> None:
    instance._standing_path = None
    if not raw and instance.pk is not None:
        instance._standing_path = Region.objects.filter(pk=instance.pk).values_list("path", flat=True).first()


def _region_saved(sender, instance: Region, raw: bool = False, created: bool = False, **kwargs) -> None:
    """Rows are keyed by region path: a region re-coded moves its whole subtree, judged again by the next rebuild;
    the roster's rows placed in it take its new path at once."""
    before = getattr(instance, "_standing_path", None)
    if not raw and not created and before is not None and before != instance.path:
        roster.recoded(instance)
        forget()


def _rules_changed(sender, instance: PatrolRule, raw: bool = False, **kwargs) -> None:
    if not raw:
        forget()


post_save.connect(_person_saved, sender=User, dispatch_uid="patrol-standings-person")
pre_save.connect(_assignment_before, sender=ChiefAssignment, dispatch_uid="patrol-standings-assignment-pre")
post_save.connect(_assignment_saved, sender=ChiefAssignment, dispatch_uid="patrol-standings-assignment")
post_delete.connect(
    _assignment_deleted, sender=ChiefAssignment, dispatch_uid="patrol-standings-assignment-delete"
)
pre_save.connect(_region_before, sender=Region, dispatch_uid="patrol-standings-region-pre")
post_save.connect(_region_saved, sender=Region, dispatch_uid="patrol-standings-region")
post_save.connect(_rules_changed, sender=PatrolRule, dispatch_uid="patrol-standings-rules")
post_delete.connect(_rules_changed, sender=PatrolRule, dispatch_uid="patrol-standings-rules-delete")
