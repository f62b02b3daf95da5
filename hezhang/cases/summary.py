"""Keeping `CaseDay` (cases reported and closed a day, per region prefix) in step with the cases.

What a case adds, its *contribution*, follows from the path of its region, the day it was reported and the day it
was closed (local time, the server's zone as the pages' date ranges are). Every save and delete of a case comes
here through Django's signals, whoever makes it: the contribution the case had as stored before is taken away and
the one it has after is added, in the writer's transaction, the case's row read FOR UPDATE first. Writes that go
around the signals (bulk_create, update) call `add` or `rebuild`, which recomputes every row, as a region re-coded
does (rows are keyed by path).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from hezhang.cases.models import Case, CaseDay
from hezhang.registry.models import Region
from hezhang.registry.models.regions import PREFIX_LENGTH
from hezhang.sums import add_to

__all__ = ["add", "rebuild"]

LENGTHS = (0, *sorted(PREFIX_LENGTH.values()))
# What a contribution is made of: a save that writes none of these changes no row.
COUNTED = {"region", "region_id", "created_at", "closed_at"}

Contribution = tuple[str, datetime.date, datetime.date | None]


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _contributions(rows) -> dict[int, Contribution]:
    return {
        pk: (path or "", _day(created), _day(closed) if closed else None)
        for pk, path, created, closed in rows
    }


def _stored(pk: int, *, lock: bool = False) -> Contribution | None:
    rows = Case.objects.filter(pk=pk).values_list("pk", "region__path", "created_at", "closed_at")
    if lock and connection.in_atomic_block and connection.features.has_select_for_update:
        rows = rows.select_for_update(of=("self",))
    return _contributions(rows).get(pk)


def _count(deltas: dict, c: Contribution | None, sign: int) -> None:
    if c is None:
        return
    path, reported, closed = c
    for n in LENGTHS:
        if n <= len(path):
            deltas[(path[:n], reported)][0] += sign
            if closed is not None:
                deltas[(path[:n], closed)][1] += sign


def _apply(deltas: dict) -> None:
    rows = [(*key, *sums) for key, sums in sorted(deltas.items()) if any(sums)]
    if not rows:
        return
    with transaction.atomic(savepoint=False):
        add_to(CaseDay, ("region_path", "day"), ("reported", "closed"), rows)
        CaseDay.objects.filter(
            region_path__in={r[0] for r in rows}, day__in={r[1] for r in rows}, reported=0, closed=0
        ).delete()


def _skipped(raw: bool, update_fields) -> bool:
    return raw or (update_fields is not None and not COUNTED & set(update_fields))


def _before_save(sender, instance: Case, raw: bool = False, update_fields=None, **kwargs) -> None:
    instance._days_before = None
    if not _skipped(raw, update_fields) and instance.pk is not None:
        instance._days_before = _stored(instance.pk, lock=True)


def _after_save(sender, instance: Case, raw: bool = False, update_fields=None, **kwargs) -> None:
    if _skipped(raw, update_fields):
        return
    before, after = getattr(instance, "_days_before", None), _stored(instance.pk)
    instance._days_before = None
    if before != after:
        deltas: dict = defaultdict(lambda: [0, 0])
        _count(deltas, before, -1)
        _count(deltas, after, +1)
        _apply(deltas)


def _before_delete(sender, instance: Case, **kwargs) -> None:
    instance._days_before = _stored(instance.pk, lock=True)


def _after_delete(sender, instance: Case, **kwargs) -> None:
    deltas: dict = defaultdict(lambda: [0, 0])
    _count(deltas, getattr(instance, "_days_before", None), -1)
    _apply(deltas)


def _region_before(sender, instance: Region, raw: bool = False, **kwargs) -> None:
    instance._case_days_path = None
    if not raw and instance.pk is not None:
        instance._case_days_path = (
            Region.objects.filter(pk=instance.pk).values_list("path", flat=True).first()
        )


def _region_saved(sender, instance: Region, raw: bool = False, created: bool = False, **kwargs) -> None:
    """Rows are keyed by region path: a region re-coded (its subtree with it) has them counted again."""
    before = getattr(instance, "_case_days_path", None)
    if not raw and not created and before is not None and before != instance.path:
        rebuild()


pre_save.connect(_before_save, sender=Case, dispatch_uid="case-days-pre-save")
post_save.connect(_after_save, sender=Case, dispatch_uid="case-days-post-save")
pre_delete.connect(_before_delete, sender=Case, dispatch_uid="case-days-pre-delete")
post_delete.connect(_after_delete, sender=Case, dispatch_uid="case-days-post-delete")
pre_save.connect(_region_before, sender=Region, dispatch_uid="case-days-region-pre")
post_save.connect(_region_saved, sender=Region, dispatch_uid="case-days-region")


def add(cases: QuerySet, batch: int = 5000) -> None:
    """Add what `cases`, written around the signals, contribute."""
    deltas: dict = defaultdict(lambda: [0, 0])
    rows = cases.order_by().values_list("pk", "region__path", "created_at", "closed_at")
    for c in _contributions(rows.iterator(chunk_size=batch)).values():
        _count(deltas, c, +1)
    _apply(deltas)


def rebuild() -> int:
    """Recompute every row from the cases; returns the rows there are after."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(CaseDay._meta.db_table)} IN EXCLUSIVE MODE"
                )
        CaseDay.objects.all().delete()
        add(Case.objects.all())
    return CaseDay.objects.count()
