"""Who may have to patrol, and when (巡河人员任期, `PatrollerTerm`): the patrollers `standing` counts, kept narrow.

Over a range, `standing` counts the active patrollers of a region's subtree: chiefs while an assignment of theirs
overlaps the range, grid members and delegates throughout. Asked of the users, their regions and assignments that
is a join of wide tables, about 130 ms for a province's 56 000 patrollers; asked of these rows (a chief's
assignment each, with its dates, and one undated row a grid member or delegate, each with the patroller's role,
own level, region path and name) it is one scan of a narrow table, about 15 ms.

The rows are derived, never edited, and exact:

* a patroller's rows are written again (`keep`) in the transaction that changes their record (role, own level,
  region, name, whether active) or one of their assignments: the signals in standings.py call it;
* a region re-coded carries its new path to the rows placed in it (`recoded`);
* what is written around the signals (the province demo's `bulk_create`) is followed by `rebuild`, which
  `hezhang demo`, `hezhang patrol aggregate` and the standings' rebuild run.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from hezhang.accounts.models import Role, User
from hezhang.patrols import columnar
from hezhang.patrols.models import PatrollerTerm
from hezhang.registry.models import ChiefAssignment, Region

__all__ = ["ROLES", "Roster", "keep", "read", "rebuild", "recoded", "rows", "terms"]

# The roles of patrollers, in the order of their number (role * 8 + own chief level).
ROLES = (Role.CHIEF, Role.GRID, Role.DELEGATE)
BATCH = 5000


def terms(users: QuerySet, assignments: QuerySet, model: type[PatrollerTerm] = PatrollerTerm) -> list:
    """The rows of the active patrollers among `users`, chiefs' from their `assignments` (those of these chiefs),
    as `model` instances (the migration that fills the table passes its own)."""
    held: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = defaultdict(list)
    for chief, level, start, end in assignments.order_by().values_list(
        "chief_id", "level", "start_date", "end_date"
    ):
        held[chief].append((level, start, end))
    rows = []
    people = users.filter(is_active=True, role__in=ROLES).order_by()
    for pk, role, own, region, path, name, username in people.values_list(
        "pk", "role", "chief_level", "region_id", "region__path", "name", "username"
    ):
        common = {
            "patroller_id": pk,
            "kind": ROLES.index(role) * 8 + (own or 0),
            "region_id": region,
            "region_path": path or "",
            "name": (name or username)[:150],
        }
        if role != Role.CHIEF:
            rows.append(model(**common))
            continue
        for level, start, end in held.get(pk, ()):
            rows.append(model(level=level, start=start, end=end, **common))
    return rows


def keep(ids: Iterable[int]) -> None:
    """Write the rows of the users `ids` again (inside the caller's transaction)."""
    ids = sorted(set(ids))
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        if connection.features.has_select_for_update:
            # Two transactions writing one patroller's rows take turns: each replaces the rows the other wrote.
            list(
                User.objects.filter(pk__in=ids)
                .select_for_update(no_key=True)
                .order_by("pk")
                .values_list("pk")
            )
        PatrollerTerm.objects.filter(patroller_id__in=ids).delete()
        PatrollerTerm.objects.bulk_create(
            terms(User.objects.filter(pk__in=ids), ChiefAssignment.objects.filter(chief_id__in=ids)),
            batch_size=BATCH,
        )


def rebuild() -> int:
    """Write every row again from the users and assignments; returns how many."""
    with transaction.atomic():
        PatrollerTerm.objects.all().delete()
        rows = PatrollerTerm.objects.bulk_create(
            terms(User.objects.all(), ChiefAssignment.objects.all()), batch_size=BATCH
        )
    return len(rows)


def recoded(region: Region) -> None:
    """`region`'s path changed: its rows carry the new one."""
    PatrollerTerm.objects.filter(region=region).update(region_path=region.path)


@dataclass(slots=True)
class Roster:
    """The patrollers of a subtree over a range, as columns, a position a patroller (by id)."""

    ids: np.ndarray
    kinds: np.ndarray  # role * 8 + own level
    held: (
        np.ndarray
    )  # the highest level (smallest number) of a chief's assignments in the range; 0 for others
    paths: np.ndarray  # str
    names: np.ndarray  # str: name, or username; empty unless asked for


def rows(prefix: str, start: datetime.date, end: datetime.date) -> QuerySet:
    """The rows of the subtree with `prefix` ("": everywhere) whose term overlaps start..end."""
    terms = PatrollerTerm.objects.filter(Q(start=None) | Q(start__lte=end), Q(end=None) | Q(end__gte=start))
    return terms.filter(region_path__startswith=prefix) if prefix else terms


def read(prefix: str, start: datetime.date, end: datetime.date, *, names: bool = False) -> Roster:
    """Every patroller of the subtree with `prefix` required to patrol in start..end, once each, ordered by id."""
    fields = ["patroller_id", "kind", "level", "region_path"] + (["name"] if names else [])
    columns = columnar.read(
        rows(prefix, start, end).order_by(), fields, ints={"patroller_id", "kind", "level"}
    )
    ids, kinds, levels = columns[0], columns[1], columns[2]
    paths = np.array(columns[3], dtype=str) if len(ids) else np.zeros(0, dtype=str)
    shown = np.array(columns[4], dtype=str) if names and len(ids) else np.full(len(ids), "")
    # A chief with several assignments in the range has a row each: one position, at the highest level held.
    order = np.lexsort((levels, ids))
    first = np.flatnonzero(np.r_[True, ids[order][1:] != ids[order][:-1]]) if len(ids) else np.zeros(0, int)
    at = order[first]
    return Roster(ids[at], kinds[at], levels[at], paths[at], shown[at])
