"""Reminders about patrol frequency: a period about to end unmet, a period that ended unmet, the chief's weekly report.

Run by a job every hour (jobs.py) and idempotent: what was sent is the in-app notification itself. Each reminder
links to the recipient's patrols of the period it is about (`/patrols/?started_after=…&started_before=…`), so the
(recipient, event, link) triple names the period, and a reminder whose triple already exists is not sent again.
No table of its own is needed, and a reminder that could not be written is simply tried again an hour later.

Nothing goes out before SEND_FROM_HOUR local time: an SMS at 3 a.m. about a patrol helps nobody.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from hezhang.accounts.models import Role, User
from hezhang.cases.models import Case
from hezhang.notifications.models import Notification
from hezhang.notifications.service import notify
from hezhang.patrols.frequency import PatrollerStatus, PeriodCount, day_range, patrol_status
from hezhang.patrols.models import Patrol
from hezhang.patrols.periods import period_label
from hezhang.registry.models import ChiefAssignment

logger = logging.getLogger(__name__)

__all__ = [
    "DUE_SOON_DAYS",
    "OVERDUE_NOTICE_DAYS",
    "remind_due",
    "remind_overdue",
    "send_patrol_reminders",
    "send_weekly_reports",
]

# Remind when the period ends within this many days (2: on its last three days, today included).
DUE_SOON_DAYS = 2
OVERDUE_NOTICE_DAYS = 7  # an unmet period is reported once, if it ended at most this long ago
SEND_FROM_HOUR = 8
WEEKLY_REPORT_DAY = 0  # Monday

Key = tuple[int, str]


def send_patrol_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """The hourly job: due-soon and overdue reminders, and on Mondays the weekly report; counts of what was sent."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < SEND_FROM_HOUR:
        return {}
    today = now.date()
    sent = {"patrol_due": remind_due(today), "patrol_overdue": remind_overdue(today)}
    if today.weekday() == WEEKLY_REPORT_DAY:
        sent["patrol_weekly"] = send_weekly_reports(today)
    return sent


def link(start: datetime.date, end: datetime.date) -> str:
    """The patrol list of the period: to the patroller, their own patrols (and the reminder's identity)."""
    return f"{reverse('patrols:list')}?started_after={start:%Y-%m-%d}&started_before={end:%Y-%m-%d}"


def _already_sent(event: str, keys: Iterable[Key]) -> set[Key]:
    keys = set(keys)
    if not keys:
        return set()
    rows = Notification.objects.filter(
        event=event,
        recipient_id__in={user for user, _ in keys},
        url__in={url for _, url in keys},
    ).values_list("recipient_id", "url")
    return set(rows) & keys


def _progress(period: PeriodCount) -> str:
    return f"已有效巡河{period.done}次，要求{period.times}次"


def _send(event: str, wanted: dict[Key, dict]) -> int:
    """Notify each (user, link) in `wanted` with its context, unless it was notified before."""
    done = _already_sent(event, wanted)
    todo = {key: context for key, context in wanted.items() if key not in done}
    people = User.objects.in_bulk({user for user, _ in todo})
    sent = 0
    for (user_id, url), context in todo.items():
        person = people.get(user_id)
        if person is not None and notify(event, [person], context, url=url, related=url) is not None:
            sent += 1
    return sent


def remind_due(today: datetime.date) -> int:
    """巡河即将到期: a period ends within DUE_SOON_DAYS days without enough valid patrols yet."""
    wanted: dict[Key, dict] = {}
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    for status in patrol_status(None, today, today, today=today):
        for period in status.periods:
            if not period.met and today <= period.end <= soon:
                wanted[(status.user_id, link(period.start, period.end))] = _context(period)
    return _send("patrol_due", wanted)


def remind_overdue(today: datetime.date) -> int:
    """巡河已逾期: a period ended (at most OVERDUE_NOTICE_DAYS ago) without enough valid patrols; said once."""
    wanted: dict[Key, dict] = {}
    since = today - datetime.timedelta(days=OVERDUE_NOTICE_DAYS)
    yesterday = today - datetime.timedelta(days=1)
    for status in patrol_status(None, since, yesterday, today=today):
        for period in status.periods:
            if not period.met and since <= period.end <= yesterday:
                wanted[(status.user_id, link(period.start, period.end))] = _context(period)
    return _send("patrol_overdue", wanted)


def _context(period: PeriodCount) -> dict:
    return {
        "title": period_label(period.rule.period, period.start, period.end),
        "deadline": period.end,
        "result": _progress(period),
    }


def send_weekly_reports(today: datetime.date) -> int:
    """河长周报: to every chief with a current assignment, last week's patrols, whether they met their rule, and
    the open cases they handle."""
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    sunday = monday + datetime.timedelta(days=6)
    chiefs = User.objects.filter(
        is_active=True,
        role=Role.CHIEF,
        pk__in=ChiefAssignment.objects.current(today).values("chief_id"),
    )
    statuses = {s.user_id: s for s in patrol_status(None, monday, sunday, today=today, users=chiefs)}
    lo, hi = day_range(monday, sunday)
    patrols = {
        row["patroller_id"]: row
        for row in Patrol.objects.filter(patroller__in=chiefs, started_at__gte=lo, started_at__lt=hi)
        .values("patroller_id")
        .annotate(total=Count("pk"), valid=Count("pk", filter=Q(is_valid=True)))
        .order_by()
    }
    cases = dict(
        Case.objects.filter(handler__in=chiefs, state__is_open=True)
        .values("handler_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("handler_id", "n")
    )
    url = link(monday, sunday)
    wanted: dict[Key, dict] = {}
    for chief_id in chiefs.values_list("pk", flat=True):
        counts = patrols.get(chief_id, {"total": 0, "valid": 0})
        summary = f"巡河{counts['total']}次，其中有效{counts['valid']}次，{_verdict(statuses.get(chief_id))}"
        open_cases = cases.get(chief_id, 0)
        wanted[(chief_id, url)] = {
            "title": period_label("week", monday, sunday),
            "result": summary,
            "cases": f"待办案件{open_cases}件" if open_cases else "",
        }
    return _send("patrol_weekly", wanted)


def _verdict(status: PatrollerStatus | None) -> str:
    if status is None:
        return "无巡河频次要求"
    if status.met:
        return "达到巡河频次要求"
    if status.overdue:
        return "未达到巡河频次要求"
    short = sum(max(0, p.times - p.done) for p in status.periods)
    return f"本期尚需有效巡河{short}次"
