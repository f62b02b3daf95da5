"""Who hears about each step of a case: the notification service does the sending, this decides the audience."""

import logging

from django.urls import reverse
from django.utils import timezone

from hezhang.accounts.models import Role, User

log = logging.getLogger(__name__)

EVENTS = {
    "assign": "assigned",
    "transfer": "assigned",
    "urge": "urged",
    "supervise": "supervised",
    "send_back": "returned",
    "return": "returned",
    "complete": "completed",
    "close": "closed",
    "escalate": "escalated",
    "remind": "deadline_soon",
}


def handlers_of(case) -> list:
    if case.handler_id:
        return [case.handler]
    if case.department_id:
        return list(
            User.objects.filter(role=Role.DEPARTMENT, department_id=case.department_id, is_active=True)
        )
    if case.handling_office_id:
        return list(
            User.objects.filter(role=Role.OFFICE, region_id=case.handling_office.region_id, is_active=True)
        )
    return []


def office_staff(case) -> list:
    return list(User.objects.filter(role=Role.OFFICE, region_id=case.office.region_id, is_active=True))


def after(event) -> None:
    """Called inside the workflow transaction; the service queues on commit and never raises into the workflow."""
    kind = EVENTS.get(event.action)
    if kind is None:
        return
    if event.action == "urge" and event.actor_id is None:
        kind = "overdue"
    case = event.case
    phones: list[str] = []
    if event.action in ("assign", "transfer", "urge", "return", "remind"):
        recipients = handlers_of(case)
    elif event.action == "supervise":
        recipients = handlers_of(case) + office_staff(case)
    elif event.action in ("send_back", "complete", "escalate"):
        recipients = office_staff(case)
    else:  # close: the reporter hears the result
        recipients = [case.reporter] if case.reporter_id else []
        if case.reporter_phone:
            phones.append(case.reporter_phone)
    deadline = timezone.localtime(case.deadline).strftime("%m月%d日%H:%M") if case.deadline else ""
    context = {
        "code": case.number,
        "title": case.title,
        "place": case.reach.name if case.reach_id else case.region.name,
        "deadline": deadline,
        "reason": event.note,
        "actor": case.office.name,
        "level": event.data.get("to", case.office.name),
        "days": max(0, (timezone.now() - case.deadline).days) if case.deadline else 0,
        "result": event.note or "问题已处理完毕",
    }
    try:
        from hezhang.notifications.service import notify

        notify(
            kind,
            recipients,
            context,
            url=reverse("cases:detail", kwargs={"number": case.number}),
            phones=phones,
        )
    except Exception:  # a notification must never undo a workflow step
        log.exception("notification for case %s %s failed", case.number, event.action)
