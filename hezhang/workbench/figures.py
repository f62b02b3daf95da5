"""The numbers on each role's workbench, each with the list behind it.

The workbench reads every app (registry, cases, patrols) and is read by none, like statistics; so it lives in an
app of its own rather than in accounts, which the registry builds on.
"""

import datetime
import operator
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible
from hezhang.accounts.models import Role
from hezhang.cases.access import visible_cases
from hezhang.cases.filters import queue_q
from hezhang.cases.models import Case
from hezhang.patrols.access import visible_patrols
from hezhang.patrols.frequency import blank_spots, patrol_status, rate_totals, standings_of
from hezhang.patrols.models import Patrol
from hezhang.patrols.periods import calendar_period
from hezhang.patrols.recording import responsible_reaches
from hezhang.registry.models import ChiefAssignment, DelegateLink

# How many cases the delegate's workbench lists in each of its tables.
CASES_SHOWN = 50


@dataclass
class Figure:
    label: object
    value: object
    url: str
    alarm: bool = False


def _month() -> tuple[datetime.date, datetime.date, datetime.datetime]:
    today = timezone.localdate()
    first = today.replace(day=1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    return first, today, since


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def office(user) -> dict:
    cases = visible_cases(Case.objects.all(), user)
    dispatch = reverse("cases:dispatch")
    queues = [
        Figure(_("待受理"), cases.filter(queue_q("new")).count(), f"{dispatch}?queue=new"),
        Figure(_("待核查"), cases.filter(queue_q("verify")).count(), f"{dispatch}?queue=verify"),
        Figure(
            _("已超期"), cases.filter(queue_q("overdue")).count(), f"{dispatch}?queue=overdue", alarm=True
        ),
        Figure(_("督办中"), cases.filter(queue_q("supervised")).count(), f"{dispatch}?queue=supervised"),
        Figure(_("挂账"), cases.filter(queue_q("long_term")).count(), f"{dispatch}?queue=long_term"),
    ]
    first, today, since = _month()
    reported = cases.filter(created_at__gte=since)
    closed = reported.filter(state__is_open=False, state__is_fixed=True).count()
    patrols = visible_patrols(Patrol.objects.filter(started_at__gte=since), user)
    valid = patrols.filter(is_valid=True).count()
    region = user.region if not user.is_platform_admin else None
    # This calendar month, as the rate page it links to counts it (kept for the current month: standings.py).
    required, met = rate_totals(standings_of(region, *calendar_period("month", today)))
    blank = blank_spots(region, first, today).count()
    patrol_list = reverse("patrols:list")
    period = f"started_after={first}&started_before={today}"
    month = [
        Figure(_("本月上报问题"), reported.count(), f"{dispatch}?queue=open"),
        Figure(_("本月办结率"), _percent(closed, reported.count()), f"{dispatch}?queue=closed"),
        Figure(_("本月巡河"), patrols.count(), f"{patrol_list}?{period}"),
        Figure(_("其中有效"), valid, f"{patrol_list}?{period}&is_valid=true"),
        Figure(_("本月巡河率"), _percent(met, required), reverse("patrols:rates") + "?period=month"),
        Figure(_("巡河空白点"), blank, reverse("patrols:blank_spots") + "?period=month", alarm=blank > 0),
    ]
    return {"queues": queues, "month": month}


def patroller(user) -> dict:
    first, today, since = _month()
    reaches = responsible_reaches(user)
    mine = Case.objects.filter(Q(handler=user), state__is_open=True)
    statuses = patrol_status(None, first, today, users=get_user_model().objects.filter(pk=user.pk))
    status = statuses[0] if statuses else None
    due = None
    if status is not None:
        current = [p for p in status.periods if p.start <= today <= p.end]
        if current:
            due = max(0, current[-1].times - current[-1].done)
    patrol_list = reverse("patrols:list")
    figures = [
        Figure(_("我的河段"), reaches.count(), reverse("registry:list", args=["reaches"])),
        Figure(
            _("本周期还需巡河"),
            due if due is not None else "—",
            reverse("patrols:app"),
            alarm=bool(due),
        ),
        Figure(
            _("待我处理的问题"),
            mine.count(),
            reverse("cases:mine"),
            alarm=mine.filter(deadline__lt=timezone.now()).exists(),
        ),
        Figure(
            _("本月有效巡河"),
            Patrol.objects.filter(patroller=user, is_valid=True, started_at__gte=since).count(),
            f"{patrol_list}?started_after={first}&is_valid=true",
        ),
        Figure(
            _("本月巡河达标"),
            ("✓" if status.met else f"{status.done}/{status.required}") if status else "—",
            f"{patrol_list}?started_after={first}",
            alarm=bool(status and status.overdue),
        ),
    ]
    return {
        "figures": figures,
        "rule": status.rule if status else None,
        "reaches": reaches.select_related("water_body")[:20],
    }


@dataclass
class LinkRow:
    """One water body (or reach) a delegate is linked to, as the delegate's workbench lists it."""

    link: DelegateLink
    chiefs: list
    assignments: int  # current chiefs' assignments of the water body, the list the names link to
    last_visit: Patrol | None = None
    visits: int = 0  # valid visits by the delegate in the current period
    open_cases: int = 0

    @property
    def due(self) -> bool:
        return not self.visits

    @property
    def patrols_url(self) -> str:
        link = self.link
        which = f"reach={link.reach_id}" if link.reach_id else f"water_body={link.water_body_id}"
        return f"{reverse('patrols:list')}?{which}"


def _period(user, today: datetime.date):
    """The delegate's status under their rule this month, and the rule period that holds today."""
    first = today.replace(day=1)
    statuses = patrol_status(None, first, today, users=get_user_model().objects.filter(pk=user.pk))
    status = statuses[0] if statuses else None
    current = [p for p in status.periods if p.start <= today <= p.end] if status else []
    return status, (current[-1] if current else None)


def _answers_for(assignment: ChiefAssignment, link: DelegateLink) -> bool:
    """Whether a chief's assignment covers (part of) what the delegate is linked to: a chief of the whole water
    body in a region holding the link's place or inside it, or a chief of the linked reach (of a reach inside
    the link's region, when the link is to the whole water body)."""
    path = assignment.region.path
    if assignment.reach_id is None:
        where = (link.reach.region if link.reach_id else link.region).path
        return path.startswith(where) or where.startswith(path)
    if link.reach_id:
        return assignment.reach_id == link.reach_id
    return path.startswith(link.region.path)


def _cases_of(link: DelegateLink) -> Q:
    """Cases on what the delegate is linked to: on the reach, or on the water body within the link's region."""
    if link.reach_id:
        return Q(reach_id=link.reach_id)
    return Q(water_body_id=link.water_body_id, region__path__startswith=link.region.path)


def _cases_of_any(links: list[DelegateLink]) -> Q:
    """Cases on anything the delegate is linked to (none when they have no links)."""
    return reduce(operator.or_, map(_cases_of, links), Q(pk__in=[]))


def _open_cases(user, links: list[DelegateLink]) -> list[int]:
    """How many open cases the user sees on each link, in the order of the links.

    One query for all the links, each counted as a filtered aggregate; a count per link would cost a query each.
    """
    if not links:
        return []
    cases = visible_cases(Case.objects.filter(state__is_open=True), user).filter(_cases_of_any(links))
    counts = cases.aggregate(
        **{f"link_{i}": Count("pk", filter=_cases_of(link)) for i, link in enumerate(links)}
    )
    return [counts[f"link_{i}"] for i in range(len(links))]


def _visits_to(link: DelegateLink, reach: int, path: str) -> bool:
    """Whether walking a reach of the linked water body (given its id and its region's path) visits the link: the
    linked reach itself, or any reach inside the link's region when the link is to the whole water body there.

    The same place as the cases counted on the link (`_cases_of`), so a visit and a case elsewhere on the water
    body, outside the link's region, count for neither."""
    if link.reach_id:
        return reach == link.reach_id
    return path.startswith(link.region.path)


def _link_rows(user, links: list[DelegateLink], start: datetime.date, end: datetime.date) -> list[LinkRow]:
    water_bodies = {link.water_body_id for link in links}
    assignments = (
        ChiefAssignment.objects.current()
        .filter(water_body__in=water_bodies)
        .select_related("chief", "region")
        .order_by("level", "region__code", "pk")
    )
    by_water: dict[int, list[ChiefAssignment]] = defaultdict(list)
    for a in assignments:
        by_water[a.water_body_id].append(a)
    counted = dict(
        visible(ChiefAssignment.objects.current(), user)
        .filter(water_body__in=water_bodies)
        .values_list("water_body")
        .annotate(n=Count("pk"))
    )
    # The delegate's patrols touching a reach of each linked water body, latest first: a delegate has few.
    walked = (
        Patrol.reaches.through.objects.filter(patrol__patroller=user, reach__water_body__in=water_bodies)
        .values_list(
            "patrol_id",
            "reach_id",
            "reach__water_body_id",
            "reach__region__path",
            "patrol__is_valid",
            "patrol__started_at",
        )
        .order_by("-patrol__started_at", "-patrol_id")
    )
    on_water: dict[int, list[tuple[int, int, str, bool]]] = defaultdict(list)
    for patrol, reach, water, path, is_valid, started in walked:
        in_period = is_valid and start <= timezone.localdate(started) <= end
        on_water[water].append((patrol, reach, path, in_period))
    last: list[int | None] = []
    visits: list[int] = []
    for link in links:
        seen = [
            (patrol, in_period)
            for patrol, reach, path, in_period in on_water[link.water_body_id]
            if _visits_to(link, reach, path)
        ]
        last.append(seen[0][0] if seen else None)
        # A patrol walking two reaches of the link is one visit.
        visits.append(len({patrol for patrol, in_period in seen if in_period}))
    patrols = Patrol.objects.in_bulk({patrol for patrol in last if patrol is not None})
    open_cases = _open_cases(user, links)
    rows = []
    for i, link in enumerate(links):
        chiefs = [a.chief for a in by_water[link.water_body_id] if _answers_for(a, link)]
        rows.append(
            LinkRow(
                link=link,
                chiefs=list(dict.fromkeys(chiefs)),
                assignments=counted.get(link.water_body_id, 0),
                last_visit=patrols.get(last[i]),
                visits=visits[i],
                open_cases=open_cases[i],
            )
        )
    return rows


def delegate(user) -> dict:
    """人大代表/政协委员: the water bodies they are linked to, the visits their rule still asks for, what they reported."""
    today = timezone.localdate()
    status, current = _period(user, today)
    start, end = (current.start, current.end) if current else calendar_period("month", today)
    links = list(
        DelegateLink.objects.current()
        .filter(delegate=user)
        .select_related("water_body", "reach__region", "region")
        .order_by("region__code", "water_body__code", "reach__code", "pk")
    )
    rows = _link_rows(user, links, start, end)
    valid = Patrol.objects.filter(
        patroller=user, is_valid=True, started_at__date__gte=start, started_at__date__lte=end
    ).count()
    due = max(0, current.times - current.done) if current else None
    reported = Case.objects.filter(reporter=user).select_related("state", "water_body", "region")
    open_reported = reported.filter(state__is_open=True)
    unvisited = sum(1 for row in rows if row.due)
    patrol_list = reverse("patrols:list")
    cases_list = reverse("cases:dispatch")
    figures = [
        Figure(
            _("我联系的河湖"),
            len(links),
            reverse("registry:list", args=["delegate-links"]) + f"?delegate={user.pk}&current=true",
        ),
        Figure(_("本周期还需巡河"), due if due is not None else "—", reverse("patrols:app"), alarm=bool(due)),
        Figure(_("本周期未巡的河湖"), unvisited, "#my-water-bodies", alarm=unvisited > 0),
        Figure(
            _("本周期有效巡河"),
            valid,
            f"{patrol_list}?started_after={start}&started_before={end}&is_valid=true",
        ),
        Figure(_("我反映的问题（未结）"), open_reported.count(), f"{cases_list}?queue=open&reported=me"),
        Figure(
            _("我反映的问题（已结）"),
            reported.filter(state__is_open=False).count(),
            f"{cases_list}?queue=closed&reported=me",
        ),
    ]
    on_my_water = visible_cases(Case.objects.filter(state__is_open=True), user)
    on_my_water = on_my_water.filter(_cases_of_any(links))
    on_my_water = on_my_water.select_related("state", "water_body", "reach")
    return {
        "figures": figures,
        "rule": status.rule if status else None,
        "period": (start, end),
        "links": rows,
        "my_cases": list(open_reported.order_by("-created_at")[:CASES_SHOWN])
        + list(reported.filter(state__is_open=False).order_by("-created_at")[:CASES_SHOWN]),
        "open_cases": on_my_water.order_by("deadline", "-created_at")[:CASES_SHOWN],
        "open_case_count": on_my_water.count(),
        "cases_shown": CASES_SHOWN,
    }


def department(user) -> dict:
    cases = visible_cases(Case.objects.filter(state__is_open=True), user).select_related("state")
    now = timezone.now()
    figures = [
        Figure(_("本部门待办问题"), cases.count(), reverse("cases:mine")),
        Figure(_("已超期"), cases.filter(deadline__lt=now).count(), reverse("cases:mine"), alarm=True),
        Figure(
            _("三天内到期"),
            cases.filter(deadline__gte=now, deadline__lt=now + datetime.timedelta(days=3)).count(),
            reverse("cases:mine"),
        ),
    ]
    return {"figures": figures, "deadlines": cases.exclude(deadline=None).order_by("deadline")[:10]}


def for_user(user) -> dict:
    if user.role in (Role.OFFICE, Role.ADMIN) or user.is_platform_admin:
        return {"kind": "office", **office(user)}
    if user.role == Role.DELEGATE:
        return {"kind": "delegate", **delegate(user)}
    if user.role in (Role.CHIEF, Role.GRID):
        return {"kind": "patroller", **patroller(user)}
    if user.role == Role.DEPARTMENT:
        return {"kind": "department", **department(user)}
    return {"kind": "none"}
