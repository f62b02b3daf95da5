"""Whether patrollers patrol as often as their rules ask (巡河频次), the patrol rate (巡河率) and blank spots (空白点).

For a date range and a region's subtree, each patroller (a chief with an assignment in the range, a grid member,
a delegate; placed by their own region) gets the rule that applies to them month by month and that rule's periods
overlapping the range, each whole (see `periods.rule_periods`): a monthly report counts the straddling weeks in
full, and a weekly view asks whether this month is met.

A patroller **meets** the requirement when *every* one of those periods has at least `times` valid patrols:
patrolling five times in the last week of a month does not make up for three empty weeks. A period that has not
ended and is not yet met leaves the patroller *pending* (`PatrollerStatus.pending`), not met: the rate of this
week rises as the week goes on. Periods that begin after today are left out: they ask nothing yet. The patrol rate
is patrollers who meet / patrollers with a rule; patrollers with no rule are not counted.

Counting is done by `standing` (standing.py): a handful of queries whatever the number of patrollers, reading each
patroller's valid patrols day by day from the summaries the patrols app keeps, never the patrols themselves, so a
province's 56 000 patrollers are counted for a page. `patrol_status` gives the answer as an object a patroller;
pages that count many and show few use `standing` and make `statuses` of those they show. Statistics reuse these.
For the current week, month, quarter and year the answers are kept (standings.py) and `standings_of` reads them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.models import User
from hezhang.patrols.models import PatrolRole, PatrolRule, ReachDay
from hezhang.patrols.standing import Standing, patrolled_by, rule_chooser, standing
from hezhang.patrols.standings import Kept, kept
from hezhang.registry.models import Reach, Region

__all__ = [
    "CATEGORIES",
    "Kept",
    "PatrollerStatus",
    "PeriodCount",
    "RateRow",
    "Standing",
    "blank_spots",
    "standings_of",
    "day_range",
    "patrol_status",
    "patrolled_by",
    "rate_by_level",
    "rate_by_subregion",
    "reach_counts",
    "rule_chooser",
    "standing",
    "statuses",
    "rate_totals",
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


def statuses(counted: Standing, which: Iterable[int] | None = None) -> list[PatrollerStatus]:
    """Full statuses, periods and all, of the patrollers of `counted` at positions `which`, in that order; all
    of them by region and id."""
    which = np.lexsort((counted.ids, counted.paths)).tolist() if which is None else [int(i) for i in which]
    missing = [int(counted.ids[i]) for i in which if int(counted.ids[i]) not in counted.details]
    if missing:
        for pk, name, username, phone, region_name in User.objects.filter(pk__in=missing).values_list(
            "pk", "name", "username", "phone", "region__name"
        ):
            counted.details[pk] = (name or username, phone, region_name or "")
    out = []
    for i in which:
        pk = int(counted.ids[i])
        name, phone, region_name = counted.details[pk]
        g = counted.calendar[i]
        out.append(
            PatrollerStatus(
                user_id=pk,
                name=name,
                phone=phone,
                role=str(counted.roles[i]),
                level=int(counted.levels[i]) or None,
                region_path=str(counted.paths[i]),
                region_name=region_name,
                periods=[
                    PeriodCount(start=p.start, end=p.end, times=p.rule.times, done=n, rule=p.rule)
                    for p, n in zip(
                        counted.calendars[g], counted.counts[g][counted.row[i]].tolist(), strict=True
                    )
                ],
                today=counted.today,
            )
        )
    return out


def patrol_status(
    region: Region | None,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date | None = None,
    users: QuerySet | None = None,
) -> list[PatrollerStatus]:
    """Every patroller with a rule in `region`'s subtree (None: everywhere) and their periods over start..end.

    `users` narrows the patrollers further (the reminders ask about one person at a time in tests, say). Pages
    that count many patrollers and show few use `standing` and make statuses only of those they show.
    """
    return statuses(standing(region, start, end, today=today, users=users, details=True))


Statuses = Standing | Kept | Iterable[PatrollerStatus]


def standings_of(region: Region | None, start: datetime.date, end: datetime.date) -> Standing | Kept:
    """Every patroller of `region`'s subtree over start..end, for the rate tables: from the kept standings when the
    range is a current week, month, quarter or year kept for today (standings.py), else counted now."""
    return kept(region, start, end) or standing(region, start, end)


def rate_totals(statuses: Standing | Kept) -> tuple[int, int]:
    """(patrollers with a rule, of whom met)."""
    if isinstance(statuses, Kept):
        return statuses.required, statuses.met
    return len(statuses), int(statuses.met.sum())


def _tally(
    statuses: Iterable[PatrollerStatus], key: Callable[[PatrollerStatus], str]
) -> dict[str, tuple[int, int]]:
    """(patrollers, of whom met) by `key` of each status."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for status in statuses:
        row = out[key(status)]
        row[0] += 1
        row[1] += status.met
    return {k: (n, met) for k, (n, met) in out.items()}


def _counted(keys: np.ndarray, met: np.ndarray) -> dict[str, tuple[int, int]]:
    """(patrollers, of whom met) for each distinct key, counted with numpy."""
    if not len(keys):
        return {}
    found, which = np.unique(keys, return_inverse=True)
    n = np.bincount(which, minlength=len(found))
    ok = np.bincount(which, weights=met, minlength=len(found))
    return {str(k): (int(a), int(b)) for k, a, b in zip(found, n, ok, strict=True)}


def rate_by_level(statuses: Statuses) -> list[RateRow]:
    """One row per category of patroller (province chiefs … village chiefs, grid members, delegates) that has any."""
    if isinstance(statuses, Kept):
        tally = statuses.by_category
    elif isinstance(statuses, Standing):
        tally = _counted(statuses.categories, statuses.met)
    else:
        tally = _tally(statuses, lambda s: s.category)
    rows = []
    for key, label in CATEGORIES.items():
        n, met = tally.get(key, (0, 0))
        if n:
            rows.append(RateRow(key=key, label=str(label), required=n, met=met))
    return rows


def rate_by_subregion(statuses: Statuses, region: Region | None) -> list[RateRow]:
    """One row per direct child of `region` (top-level regions for None), ranked by rate, best first.

    Patrollers placed in `region` itself (a county's own chiefs) get a row of their own, keyed by its path, which
    is not ranked against its children. Ties share a rank; children with nobody to count come last, unranked.
    """
    children = list(
        (
            region.children.order_by("code") if region is not None else Region.objects.filter(parent=None)
        ).defer("geometry")
    )
    rows = {child.path: RateRow(key=child.path, label=child.name, region=child) for child in children}
    lengths = sorted({len(path) for path in rows})
    longest = lengths[-1] if lengths else 0
    own = RateRow(key=region.path if region is not None else "", label=str(_("本级")), region=region)
    # A path cut to the longest child path finds the same child as the whole path: counted by the cut path, then
    # each cut path given to its child.
    if isinstance(statuses, Kept):
        tally = statuses.by_cut
    elif isinstance(statuses, Standing):
        cut = statuses.paths.astype(f"<U{longest}") if longest else np.full(len(statuses), "")
        tally = _counted(cut, statuses.met)
    else:
        tally = _tally(statuses, lambda s: s.region_path[:longest])
    for key, (required, met) in tally.items():
        row = next((rows[p] for p in (key[:length] for length in lengths) if p in rows), own)
        row.required += required
        row.met += met
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

    NOT EXISTS on the days a reach had valid patrols (`ReachDay`): one probe of the (reach, day) index a reach,
    instead of a walk through every patrol of the reach (a year of a province is millions of rows).
    """
    reaches = Reach.objects.all()
    # The only top-level region holds every reach: no need to join each to its region to find that out.
    if region is not None and (
        region.parent_id is not None or Region.objects.filter(parent=None).exclude(pk=region.pk).exists()
    ):
        reaches = reaches.filter(region__path__startswith=region.path)
    patrolled = ReachDay.objects.filter(reach_id=OuterRef("pk"), day__gte=start, day__lte=end, valid__gt=0)
    return reaches.filter(~Exists(patrolled)).annotate(valid_patrols=Value(0, output_field=IntegerField()))
