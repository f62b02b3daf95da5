"""Whether patrollers patrol as often as their rules ask (巡河频次), the patrol rate (巡河率) and blank spots (空白点).

For a date range and a region's subtree, each patroller (a chief with an assignment in the range, a grid member,
a delegate; placed by their own region) gets the rule that applies to them month by month and that rule's periods
overlapping the range, each whole (see `periods.rule_periods`): a monthly report counts the straddling weeks in
full, and a weekly view asks whether this month is met.

A patroller **meets** the requirement when *every* one of those periods has at least `times` valid patrols:
patrolling five times in the last week of a month does not make up for three empty weeks. A period that has not
ended and is not yet met leaves the patroller *pending* (`PatrollerStatus.pending`), not met: the rate of this
week rises as the week goes on. Periods that begin after today are left out: they ask nothing yet. The patrol rate is patrollers who meet / patrollers with a rule; patrollers with no
rule are not counted.

Counting is done by the database: one query for the patrollers, one for chiefs' assignments, one for the rules and
one for valid patrols per patroller and day; never a query per patroller. Statistics reuse these functions.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.models import Role, User
from hezhang.patrols.models import Patrol, PatrolRole, PatrolRule
from hezhang.patrols.periods import RulePeriod, rule_periods
from hezhang.patrols.rules import _specificity
from hezhang.registry.models import ChiefAssignment, Reach, Region

__all__ = [
    "CATEGORIES",
    "PatrollerStatus",
    "PeriodCount",
    "RateRow",
    "blank_spots",
    "day_range",
    "patrol_status",
    "rate_by_level",
    "rate_by_subregion",
    "reach_counts",
    "rule_chooser",
]

# The rows of "rate by level": chiefs by level from province down, then grid members and delegates.
CATEGORIES: dict[str, object] = {
    "1": _("省级河长"),
    "2": _("市级河长"),
    "3": _("县级河长"),
    "4": _("乡级河长"),
    "5": _("村级河长"),
    PatrolRole.GRID: _("网格员/巡河员"),
    PatrolRole.DELEGATE: _("人大代表/政协委员"),
}


@dataclass(frozen=True, slots=True)
class PeriodCount:
    """One rule period of one patroller: `done` valid patrols of the `times` required."""

    start: datetime.date
    end: datetime.date
    times: int
    done: int
    rule: PatrolRule

    @property
    def met(self) -> bool:
        return self.done >= self.times


@dataclass(slots=True)
class PatrollerStatus:
    """A patroller's standing over a range: their periods and whether every one is met."""

    user_id: int
    name: str
    phone: str
    role: str
    level: int | None
    region_path: str
    region_name: str = ""
    periods: list[PeriodCount] = field(default_factory=list)
    today: datetime.date | None = None

    @property
    def category(self) -> str:
        return str(self.level) if self.role == PatrolRole.CHIEF else self.role

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, ""))

    @property
    def rule(self) -> PatrolRule:
        return self.periods[-1].rule

    @property
    def required(self) -> int:
        return sum(p.times for p in self.periods)

    @property
    def done(self) -> int:
        return sum(p.done for p in self.periods)

    @property
    def met(self) -> bool:
        return all(p.met for p in self.periods)

    @property
    def overdue(self) -> bool:
        """Some period has ended without enough valid patrols."""
        today = self.today or timezone.localdate()
        return any(not p.met and p.end < today for p in self.periods)

    @property
    def pending(self) -> bool:
        """Not met yet, but only because periods still running lack patrols."""
        return not self.met and not self.overdue


@dataclass(slots=True)
class RateRow:
    """Patrollers with a rule (`required`) and those who met it, for a level or a sub-region."""

    key: str
    label: str
    required: int = 0
    met: int = 0
    region: Region | None = None
    rank: int | None = None

    @property
    def rate(self) -> float | None:
        return self.met / self.required if self.required else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def day_range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants from the start of `start` to the end of `end` (exclusive) in local time."""
    zone = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(lo, zone), timezone.make_aware(hi, zone)


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


def _patrollers(prefix: str) -> QuerySet:
    return User.objects.filter(
        is_active=True,
        role__in=[Role.CHIEF, Role.GRID, Role.DELEGATE],
        **({"region__path__startswith": prefix} if prefix else {}),
    )


def _chief_levels(users: QuerySet, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """The highest level at which each chief holds an assignment overlapping the range (chiefs without one are
    not required to patrol)."""
    rows = (
        ChiefAssignment.objects.filter(chief__in=users.values("pk"), start_date__lte=end)
        .filter(Q(end_date=None) | Q(end_date__gte=start))
        .values("chief_id")
        .annotate(level=Min("level"))
    )
    return {row["chief_id"]: row["level"] for row in rows}


def patrol_status(
    region: Region | None,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
    users: QuerySet | None = None,
) -> list[PatrollerStatus]:
    """Every patroller with a rule in `region`'s subtree (None: everywhere) and their periods over start..end.

    `users` narrows the patrollers further (the reminders ask about one person at a time in tests, say).
    """
    today = today or timezone.localdate()
    prefix = _prefix(region)
    people = _patrollers(prefix)
    if users is not None:
        people = people.filter(pk__in=users.values("pk"))
    levels = _chief_levels(people.filter(role=Role.CHIEF), start, end)
    choose = rule_chooser(PatrolRule.objects.select_related("region"))

    statuses: list[PatrollerStatus] = []
    periods_of: dict[int, list[RulePeriod[PatrolRule]]] = {}
    # Patrollers of the same role, level and region share their periods: compute them once.
    calendars: dict[tuple[str, int | None, str], list[RulePeriod[PatrolRule]]] = {}
    rows = people.values(
        "pk", "name", "username", "phone", "role", "chief_level", "region__path", "region__name"
    )
    for row in rows.order_by("region__path", "pk"):
        role = row["role"]
        level = None
        if role == Role.CHIEF:
            if row["pk"] not in levels:
                continue
            level = row["chief_level"] or levels[row["pk"]]
        path = row["region__path"] or ""
        profile = (role, level, path)
        if profile not in calendars:
            calendars[profile] = rule_periods(
                lambda m, r=role, lv=level, p=path: choose(r, lv, p, m), start, end
            )
        # A period that has not begun asks nothing yet: "this year" in March is judged on January to March.
        periods = [p for p in calendars[profile] if p.start <= today]
        if not periods:
            continue
        periods_of[row["pk"]] = periods
        statuses.append(
            PatrollerStatus(
                user_id=row["pk"],
                name=row["name"] or row["username"],
                phone=row["phone"],
                role=role,
                level=level,
                region_path=path,
                region_name=row["region__name"] or "",
                today=today,
            )
        )
    if not statuses:
        return []

    first = min(p.start for periods in periods_of.values() for p in periods)
    last = max(p.end for periods in periods_of.values() for p in periods)
    per_day = _valid_per_day(people, first, last)
    for status in statuses:
        days, totals = per_day.get(status.user_id, ([], [0]))
        status.periods = [
            PeriodCount(
                start=p.start,
                end=p.end,
                times=p.rule.times,
                done=totals[bisect_right(days, p.end)] - totals[bisect_left(days, p.start)],
                rule=p.rule,
            )
            for p in periods_of[status.user_id]
        ]
    return statuses


def _valid_per_day(
    people: QuerySet, start: datetime.date, end: datetime.date
) -> dict[int, tuple[list[datetime.date], list[int]]]:
    """Per patroller, the days with valid patrols (sorted) and running totals (totals[i] = patrols before
    days[i]), so any period's count is two bisections."""
    lo, hi = day_range(start, end)
    rows = (
        Patrol.objects.filter(
            patroller__in=people.values("pk"), is_valid=True, started_at__gte=lo, started_at__lt=hi
        )
        .annotate(day=TruncDate("started_at"))
        .values("patroller_id", "day")
        .annotate(n=Count("pk"))
        .order_by("patroller_id", "day")
    )
    out: dict[int, tuple[list[datetime.date], list[int]]] = {}
    for row in rows:
        days, totals = out.setdefault(row["patroller_id"], ([], [0]))
        days.append(row["day"])
        totals.append(totals[-1] + row["n"])
    return out


def rate_by_level(statuses: Iterable[PatrollerStatus]) -> list[RateRow]:
    """One row per category of patroller (province chiefs … village chiefs, grid members, delegates) that has any."""
    rows = {key: RateRow(key=key, label=str(label)) for key, label in CATEGORIES.items()}
    for status in statuses:
        row = rows.get(status.category)
        if row is None:
            continue
        row.required += 1
        row.met += status.met
    return [row for row in rows.values() if row.required]


def rate_by_subregion(statuses: Iterable[PatrollerStatus], region: Region | None) -> list[RateRow]:
    """One row per direct child of `region` (top-level regions for None), ranked by rate, best first.

    Patrollers placed in `region` itself (a county's own chiefs) get a row of their own, keyed by its path, which
    is not ranked against its children. Ties share a rank; children with nobody to count come last, unranked.
    """
    children = list(
        region.children.order_by("code") if region is not None else Region.objects.filter(parent=None)
    )
    rows = {child.path: RateRow(key=child.path, label=child.name, region=child) for child in children}
    lengths = sorted({len(path) for path in rows})
    own = RateRow(key=_prefix(region), label=str(_("本级")), region=region)
    for status in statuses:
        row = next(
            (rows[p] for p in (status.region_path[:n] for n in lengths) if p in rows),
            own,
        )
        row.required += 1
        row.met += status.met
    ranked = sorted(rows.values(), key=lambda r: (r.rate is None, -(r.rate or 0.0), r.key))
    previous: tuple[int, float | None] = (0, None)
    for position, row in enumerate(ranked, start=1):
        if row.rate is None:
            break
        row.rank = previous[0] if row.rate == previous[1] else position
        previous = (row.rank, row.rate)
    return ranked + ([own] if own.required else [])


def reach_counts(region: Region | None, start: datetime.date, end: datetime.date) -> QuerySet:
    """The reaches of `region`'s subtree, each annotated with `valid_patrols` in start..end (one grouped query)."""
    lo, hi = day_range(start, end)
    reaches = Reach.objects.all()
    if region is not None:
        reaches = reaches.filter(region__path__startswith=region.path)
    in_range = Q(patrols__is_valid=True, patrols__started_at__gte=lo, patrols__started_at__lt=hi)
    return reaches.annotate(valid_patrols=Count("patrols", filter=in_range))


def blank_spots(region: Region | None, start: datetime.date, end: datetime.date) -> QuerySet:
    """Reaches of `region`'s subtree with no valid patrol in start..end (巡河空白点), `valid_patrols` = 0.

    NOT EXISTS rather than `reach_counts` filtered on zero: the database stops at a reach's first valid patrol
    instead of counting every patrol of every reach (a year of a province is millions of rows).
    """
    lo, hi = day_range(start, end)
    reaches = Reach.objects.all()
    if region is not None:
        reaches = reaches.filter(region__path__startswith=region.path)
    patrolled = Patrol.reaches.through.objects.filter(
        reach_id=OuterRef("pk"),
        patrol__is_valid=True,
        patrol__started_at__gte=lo,
        patrol__started_at__lt=hi,
    )
    return reaches.filter(~Exists(patrolled)).annotate(valid_patrols=Value(0, output_field=IntegerField()))
