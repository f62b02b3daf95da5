"""The numbers on each role's workbench, each with the list behind it.

The workbench reads every app (registry, cases, patrols) and is read by none, like statistics; so it lives in an
app of its own rather than in accounts, which the registry builds on.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.models import Role
from hezhang.cases.access import visible_cases
from hezhang.cases.filters import queue_q
from hezhang.cases.models import Case
from hezhang.patrols.access import visible_patrols
from hezhang.patrols.frequency import blank_spots, patrol_status
from hezhang.patrols.models import Patrol
from hezhang.patrols.recording import responsible_reaches


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
    statuses = patrol_status(region, first, today)
    met = sum(1 for s in statuses if s.met)
    blank = blank_spots(region, first, today).count()
    patrol_list = reverse("patrols:list")
    period = f"started_after={first}&started_before={today}"
    month = [
        Figure(_("本月上报问题"), reported.count(), f"{dispatch}?queue=open"),
        Figure(_("本月办结率"), _percent(closed, reported.count()), f"{dispatch}?queue=closed"),
        Figure(_("本月巡河"), patrols.count(), f"{patrol_list}?{period}"),
        Figure(_("其中有效"), valid, f"{patrol_list}?{period}&is_valid=true"),
        Figure(_("本月巡河率"), _percent(met, len(statuses)), reverse("patrols:rates") + "?period=month"),
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
    if user.role in (Role.CHIEF, Role.GRID, Role.DELEGATE):
        return {"kind": "patroller", **patroller(user)}
    if user.role == Role.DEPARTMENT:
        return {"kind": "department", **department(user)}
    return {"kind": "none"}
