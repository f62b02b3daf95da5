"""Who meets their patrol rule over a range, counted for a whole province at once (see frequency.py for the rules).

`standing` answers for every patroller of a region's subtree in a handful of queries, each read as columns rather
than rows (columnar.py): the patrollers (from the roster the patrols app keeps, roster.py), the rules, and each
patroller's valid patrols day by day from the summaries it keeps (`PatrollerYear`: a bitmap a year, see summary.py
and daycounts.py), never the patrols themselves.
Patrollers whose rules are the same month by month share one calendar of periods, and each calendar is counted for
all its patrollers at once with numpy. The answer is a `Standing`: numpy columns, a position a patroller, from
which pages count rates and make full statuses of the few they show (frequency.statuses).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import BinaryField, Case, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf, Substr
from django.utils import timezone

from hezhang.accounts.models import Role, User
from hezhang.patrols import columnar, daycounts, roster
from hezhang.patrols.models import PatrollerYear, PatrolRule
from hezhang.patrols.periods import RulePeriod, rule_periods
from hezhang.patrols.roster import ROLES
from hezhang.patrols.rules import _specificity
from hezhang.registry.models import ChiefAssignment, Region

__all__ = ["ROLES", "RuleChooser", "Standing", "patrolled_by", "patrollers", "rule_chooser", "standing"]


RuleChooser = Callable[[str, int | None, str, int], PatrolRule | None]


def rule_chooser(rules: Iterable[PatrolRule]) -> RuleChooser:
    """`choose(role, level, region_path, month)`: `rules.rule_for` over rules already loaded, memoised.

    A region's ancestors are exactly the regions whose path prefixes its own, so no query is needed.
    """
    by_role: dict[str, list[PatrolRule]] = defaultdict(list)
    for rule in rules:
        by_role[rule.role].append(rule)
    memo: dict[tuple[str, int | None, str, int], PatrolRule | None] = {}

    def choose(role: str, level: int | None, region_path: str, month: int) -> PatrolRule | None:
        key = (role, level, region_path, month)
        if key not in memo:
            candidates = [
                rule
                for rule in by_role.get(role, ())
                if (rule.region_id is None or region_path.startswith(rule.region.path))
                and rule.chief_level in (None, level)
                and (not rule.months or month in rule.months)
            ]
            memo[key] = max(candidates, key=lambda r: _specificity(r, month)) if candidates else None
        return memo[key]

    return choose


def _prefix(region: Region | None) -> str:
    return region.path if region is not None else ""


def patrollers(prefix: str) -> QuerySet:
    """Active chiefs, grid members and delegates of the subtree with `prefix` ("": everywhere)."""
    return User.objects.filter(
        is_active=True,
        role__in=[Role.CHIEF, Role.GRID, Role.DELEGATE],
        **({"region__path__startswith": prefix} if prefix else {}),
    )


def _in_office(start: datetime.date, end: datetime.date) -> QuerySet:
    """Assignments overlapping the range: a chief without one is not required to patrol."""
    return ChiefAssignment.objects.filter(start_date__lte=end).filter(
        Q(end_date=None) | Q(end_date__gte=start)
    )


@dataclass(slots=True)
class Standing:
    """Every patroller with a rule in a region's subtree over a range, as columns, and whether each meets it.

    What `patrol_status` gives as an object a patroller, for pages that count a province's 56 000 patrollers and
    list a hundred of them: numpy columns, a position a patroller; `frequency.statuses(standing, which)` makes full
    `PatrollerStatus` objects, periods and all, of just those positions.
    """

    today: datetime.date
    ids: np.ndarray
    roles: np.ndarray  # str
    levels: np.ndarray  # a chief's level, 0 for others
    paths: np.ndarray  # str
    names: np.ndarray  # str: name, or username; empty unless asked for
    categories: np.ndarray  # str: the keys of CATEGORIES
    met: np.ndarray
    overdue: np.ndarray
    calendars: list[list[RulePeriod[PatrolRule]]]  # the periods of each distinct calendar of rules
    calendar: np.ndarray  # each patroller's calendar
    counts: list[np.ndarray]  # each calendar's valid patrols per period, a row per patroller of it
    row: np.ndarray  # each patroller's row in its calendar's counts
    details: dict[int, tuple] = field(default_factory=dict)  # id -> (name, phone, region name) once read

    def __len__(self) -> int:
        return len(self.ids)

    def unmet(self) -> np.ndarray:
        """The positions of the patrollers who do not meet their rule: overdue first, then by category, region,
        name and id."""
        which = np.flatnonzero(~self.met)
        order = np.lexsort(
            (
                self.ids[which],
                self.names[which],
                self.paths[which],
                self.categories[which],
                ~self.overdue[which],
            )
        )
        return which[order]


def standing(
    region: Region | None,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
    users: QuerySet | None = None,
    details: bool = False,
    names: bool = False,
) -> Standing:
    """Every patroller with a rule in `region`'s subtree (None: everywhere) and whether they meet it over start..end.

    A handful of queries whatever the number of patrollers, each read as columns: the patrollers (chiefs in
    office in the range; with `names` their names too), from the roster, or with `users` or `details` (phones and
    regions too) from the users and their assignments; the rules; and the patrollers' valid patrols day by day
    (`PatrollerYear`, a query a year, and one more for the few with long periods). Patrollers whose rules are the
    same in every month share a calendar of periods, computed once; each calendar is counted for all its
    patrollers at once (daycounts).
    """
    today = today or timezone.localdate()
    if users is None and not details:
        # The kept roster (roster.py): one narrow scan instead of joining users, regions and assignments.
        found = roster.read(_prefix(region), start, end, names=names)
        ids, code, paths, shown = found.ids, found.kinds, found.paths, found.names
        levels = code % 8
        unknown = (code // 8 == 0) & (levels == 0)
        levels[unknown] = found.held[unknown]
        people = None
    else:
        everybody = patrollers(_prefix(region))
        if users is not None:
            everybody = everybody.filter(pk__in=users.values("pk"))
        # Chiefs only while they hold an assignment in the range.
        people = everybody.filter(~Q(role=Role.CHIEF) | Q(pk__in=_in_office(start, end).values("chief_id")))
        columns = _people(people, details=details, names=names)
        ids, code = columns[0], columns[1]
        paths = np.array([path or "" for path in columns[2]], dtype=str)
        shown = np.array(columns[3], dtype=str) if details or names else np.full(len(ids), "")
        # A chief's level is their own, else the highest of their assignments in the range (read only if needed).
        levels = code % 8
        unknown = (code // 8 == 0) & (levels == 0)
        if unknown.any():
            held = _in_office(start, end).filter(
                chief__in=people.filter(role=Role.CHIEF, chief_level=None).values("pk")
            )
            levels[unknown] = _lookup(
                dict(held.values_list("chief_id").annotate(lowest=Min("level")).order_by()), ids[unknown]
            )
    roles = np.array(ROLES, dtype=str)[code // 8] if len(ids) else np.zeros(0, dtype=str)
    calendars, calendar = _calendars(code // 8, levels, paths, start, end, today)
    kept = np.flatnonzero(calendar >= 0)
    ids, roles, paths, levels, calendar = ids[kept], roles[kept], paths[kept], levels[kept], calendar[kept]
    # At the top nearly every row is ours: reading all the years and keeping ours costs less than joining them to
    # the patrollers.
    if users is None and (region is None or region.parent_id is None):
        whose = None
    elif people is None:
        whose = roster.rows(_prefix(region), start, end).values("patroller_id")
    else:
        whose = people.values("pk")
    counts = daycounts.count_periods(
        # The years of the region's patrollers (the ones counted are kept as they are read: no need to ask the
        # database which chiefs are in office a second time).
        _valid_days(whose, ids, calendar, calendars),
        calendar,
        [[(p.start, p.end) for p in c] for c in calendars],
    )
    met = np.zeros(len(ids), dtype=bool)
    overdue = np.zeros(len(ids), dtype=bool)
    place = np.zeros(len(ids), dtype=np.int64)
    for g, (periods, done) in enumerate(zip(calendars, counts, strict=True)):
        times = np.array([p.rule.times for p in periods])
        ended = np.array([p.end < today for p in periods])
        enough = done >= times
        members = calendar == g
        met[members] = enough.all(axis=1)
        overdue[members] = (~enough & ended).any(axis=1)
        place[members] = np.arange(len(done))
    return Standing(
        today=today,
        ids=ids,
        roles=roles,
        levels=levels,
        paths=paths,
        names=shown[kept],
        categories=np.where(roles == Role.CHIEF, levels.astype(str), roles),
        met=met,
        overdue=overdue,
        calendars=calendars,
        calendar=calendar,
        counts=counts,
        row=place,
        details={
            int(columns[0][k]): (columns[3][k], columns[4][k], columns[5][k] or "") for k in kept.tolist()
        }
        if details
        else {},
    )


def _people(people: QuerySet, *, details: bool, names: bool) -> list[list]:
    """(id, role and level, region path[, name[, phone, region name]]) of `people`, as columns.

    Role and own level come as one small number (role * 8 + level, 0 for none) and the name as one column: each
    column of 56 000 rows costs about as much as the join that finds them.
    """
    kind = Case(
        *(When(role=role, then=Value(k * 8)) for k, role in enumerate(ROLES)), output_field=IntegerField()
    )
    people = people.annotate(
        kind=kind + Coalesce("chief_level", Value(0)), shown=Coalesce(NullIf("name", Value("")), "username")
    )
    fields = ["pk", "kind", "region__path"]
    if details or names:
        fields += ["shown"]
    if details:
        fields += ["phone", "region__name"]
    return columnar.read(people.order_by(), fields, ints={"pk", "kind"})


def _calendars(
    kinds: np.ndarray,
    levels: np.ndarray,
    paths: np.ndarray,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> tuple[list[list[RulePeriod[PatrolRule]]], np.ndarray]:
    """The distinct calendars of rule periods over start..end, and each patroller's (-1: none, no rule applies), for
    patrollers given as role (a position in ROLES), level and region path.

    Patrollers of one role, level and ruled place share their rules, and patrollers with the same rules in every
    month share a calendar: the rules are chosen once a profile and the periods made once a calendar.
    """
    rules = list(PatrolRule.objects.select_related("region"))
    choose = rule_chooser(rules)
    # Only the regions with rules of their own tell two places apart: a path cut to the longest of theirs chooses
    # the same rules as the whole path.
    deepest = max((len(rule.region.path) for rule in rules if rule.region_id), default=0)
    _places, place = np.unique(paths.astype(f"<U{deepest}"), return_inverse=True) if deepest else ([], 0)
    profile = (place * len(ROLES) + kinds) * 8 + levels
    _found, first, which = np.unique(profile, return_index=True, return_inverse=True)
    calendars: list[list[RulePeriod[PatrolRule]]] = []
    by_rules: dict[tuple, int] = {}
    chosen = np.full(len(first), -1, dtype=np.int64)
    for k, i in enumerate(first.tolist()):
        role, level, cut = ROLES[kinds[i]], int(levels[i]) or None, str(paths[i])[:deepest]
        monthly = tuple(choose(role, level, cut, m) for m in range(1, 13))
        if monthly not in by_rules:
            # A period that has not begun asks nothing yet: "this year" in March is judged on January to March.
            periods = [p for p in rule_periods(lambda m, r=monthly: r[m - 1], start, end) if p.start <= today]
            by_rules[monthly] = len(calendars) if periods else -1
            if periods:
                calendars.append(periods)
        chosen[k] = by_rules[monthly]
    return calendars, chosen[which.reshape(-1)]


def _lookup(values: dict[int, int], keys: np.ndarray) -> np.ndarray:
    """values[key] for each key, 0 where there is none, with numpy."""
    if not values or not len(keys):
        return np.zeros(len(keys), dtype=np.int64)
    known = np.fromiter(values, dtype=np.int64, count=len(values))
    found = np.fromiter(values.values(), dtype=np.int64, count=len(values))
    order = np.argsort(known)
    at = np.searchsorted(known, keys, sorter=order).clip(0, len(known) - 1)
    return np.where(known[order[at]] == keys, found[order[at]], 0)


# A calendar whose periods span more days than this (a year's rule, say) is read apart when few patrollers have
# one: the others need only the bytes of their shorter periods.
NARROW_DAYS = 100
FEW = 0.05


def _reads(
    calendar: np.ndarray, calendars: list[list[RulePeriod[PatrolRule]]]
) -> list[tuple[set[int], bool]]:
    """The calendars read together, and whether only their own patrollers' rows are read: those whose periods
    span at most NARROW_DAYS for everyone, and the few patrollers of wider ones apart; or all at once."""
    spans = [(periods[-1].end - periods[0].start).days for periods in calendars]
    wide = {g for g, days in enumerate(spans) if days > NARROW_DAYS}
    narrow = set(range(len(calendars))) - wide
    if not wide or not narrow or np.isin(calendar, sorted(wide)).sum() > FEW * len(calendar):
        return [(set(range(len(calendars))), False)]
    return [(narrow, False), (wide, True)]


def _valid_days(
    whose: QuerySet | None,
    ids: np.ndarray,
    calendar: np.ndarray,
    calendars: list[list[RulePeriod[PatrolRule]]],
) -> list[tuple[int, tuple[np.ndarray, np.ndarray, daycounts.Extras, int, set[int]]]]:
    """(year, (patroller position, bitmaps, extras, first byte, calendars served)) of valid patrols of the
    patrollers `ids`, whose calendars are `calendar`: read for the patrollers `whose` ids the query gives (None:
    everyone), over the years their periods touch, and of each year only the bytes of the days of those periods,
    of the patrollers with a valid patrol in them. The few patrollers with long periods are read apart (`_reads`)."""
    if not len(ids):
        return []
    position = np.argsort(ids)
    out = []
    for served, apart in _reads(calendar, calendars):
        first = min(calendars[g][0].start for g in served)
        last = max(calendars[g][-1].end for g in served)
        for year in range(first.year, last.year + 1):
            _lo, _hi, a, b = _bytes_of(year, first, last)
            rows = PatrollerYear.objects.filter(year=year)
            if apart:
                rows = rows.filter(patroller_id__in=ids[np.isin(calendar, sorted(served))].tolist())
            elif whose is not None:
                rows = rows.filter(patroller__in=whose)
            who, bits, more = _year_columns(_days(rows, "valid", a, b), b - a)
            at = np.searchsorted(ids, who, sorter=position).clip(0, len(ids) - 1)
            ours = np.flatnonzero(ids[position[at]] == who)
            out.append((year, (position[at][ours], bits[ours], daycounts.keep_extras(more, ours), a, served)))
    return out


def _year_columns(
    rows: QuerySet, width: int, more: bool = True
) -> tuple[np.ndarray, np.ndarray, daycounts.Extras]:
    """(patroller, bitmaps, extras) of PatrollerYear rows annotated with `days`, `width` bytes of a bitmap, and
    with `more` the days with more than one (`valid_more`).

    On PostgreSQL the patrollers and the bitmaps come joined into one value each (and the days with more than one,
    with their lengths), in binary: one row to read, and no bytes to split and join again.
    """
    fields = ["patroller_id", "days", "valid_more"] if more else ["patroller_id", "days"]
    sql, params = rows.values_list(*fields).query.sql_with_params()
    if connection.vendor == "postgresql":
        extra = (
            ", string_agg(int4send(octet_length(t.valid_more)), ''::bytea), string_agg(t.valid_more, ''::bytea)"
            if more
            else ""
        )
        who, bits, *rest = columnar.fetch_binary(
            f"SELECT string_agg(int8send(t.patroller_id::int8), ''::bytea), string_agg(t.days, ''::bytea){extra}"
            f" FROM ({sql}) t",
            params,
        )
        who = np.frombuffer(bytes(who or b""), ">i8").astype(np.int64)
        sizes, joined = rest if more else (b"", b"")
        sizes = np.frombuffer(bytes(sizes or b""), ">i4").astype(np.int64)
        extras = daycounts.extras_of(sizes, bytes(joined or b""))
        return who, np.frombuffer(bytes(bits or b""), np.uint8).reshape(len(who), width), extras
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    who = np.array([row[0] for row in found], dtype=np.int64)
    bits = daycounts.packed([bytes(row[1]) for row in found]) if found else np.zeros((0, width), np.uint8)
    return who, bits, daycounts.extras([bytes(row[2]) for row in found] if more else [])


def _bytes_of(year: int, start: datetime.date, end: datetime.date) -> tuple[int, int, int, int]:
    """The days of `year` from start to end as day indexes [lo, hi), and the bytes of a bitmap that hold them."""
    lo = max((start - datetime.date(year, 1, 1)).days, 0)
    hi = min((end - datetime.date(year, 1, 1)).days + 1, daycounts.DAYS)
    return lo, hi, lo // 8, (hi - 1) // 8 + 1


def _days(rows: QuerySet, bitmap: str, a: int, b: int) -> QuerySet:
    """`rows` with `days`, bytes a..b-1 of the `bitmap` field, and only those with a day set among them."""
    return rows.annotate(days=Substr(bitmap, a + 1, b - a, output_field=BinaryField())).exclude(
        days=bytes(b - a)
    )


def patrolled_by(region: Region | None, start: datetime.date, end: datetime.date) -> int:
    """How many people patrolled in `region`'s subtree (None: anywhere) from start to end, whoever they are and
    whether or not the patrols counted: from the days each patrolled in each region (`PatrollerYear`)."""
    who: set[int] = set()
    for year in range(start.year, end.year + 1):
        lo, hi, a, b = _bytes_of(year, start, end)
        rows = PatrollerYear.objects.filter(year=year)
        if region is not None:
            rows = rows.filter(region_path__startswith=region.path)
        if lo == 0 and hi >= (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days:
            # A whole year: a patroller's row of a year exists only while it holds a patrol, so no day need be read.
            whole = rows.values_list("patroller_id", flat=True).distinct()
            if start.year == end.year:
                return whole.count()
            who.update(whole)
            continue
        ids, bits, _more = _year_columns(_days(rows, "patrolled", a, b), b - a, more=False)
        days = daycounts.span_counts(bits, [(lo - 8 * a, hi - 8 * a)])[:, 0]
        who.update(ids[days > 0].tolist())
    return len(who)
