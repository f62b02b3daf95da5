"""The scheduled deadline check: remind before the deadline, urge when overdue, escalate when it drags on.

Runs every ten minutes from the job runner (`hezhang worker`, or the in-process worker of the demo).
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from hezhang.cases import workflow
from hezhang.cases.models import Case
from hezhang.jobs.schedule import every

log = logging.getLogger(__name__)


def _hours(name: str, default: float) -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, name, default))


def _last(case: Case, action: str):
    return case.events.filter(action=action).order_by("-at").values_list("at", flat=True).first()


def check_deadlines(now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    remind_before = _hours("HEZHANG_REMIND_BEFORE_HOURS", 24)
    urge_every = _hours("HEZHANG_OVERDUE_URGE_HOURS", 24)
    escalate_after = _hours("HEZHANG_ESCALATE_AFTER_HOURS", 72)
    done = {"remind": 0, "urge": 0, "escalate": 0}
    open_cases = Case.objects.filter(state__in=workflow.OPEN_WORK, deadline__isnull=False).select_related(
        "state"
    )

    for case in open_cases.filter(deadline__gt=now, deadline__lte=now + remind_before):
        last = _last(case, "remind")
        if last is None or last < case.deadline - remind_before:
            done["remind"] += _try(case, "remind", "距办理期限不足 24 小时")

    for case in open_cases.filter(deadline__lte=now):
        last = _last(case, "urge")
        if last is None or last <= now - urge_every:
            done["urge"] += _try(case, "urge", "已超过办理期限，系统自动催办")
        # Escalate once per delay: after the deadline, and again if the higher office lets it lie as long.
        since = max(filter(None, [case.deadline, _last(case, "escalate")]))
        if now - since >= escalate_after:
            done["escalate"] += _try(
                case,
                "escalate",
                f"超期 {escalate_after.total_seconds() / 3600:.0f} 小时未办结，升级至上级河长办",
            )
    return done


def _try(case: Case, action: str, note: str) -> int:
    try:
        workflow.perform(case, None, action, note=note)
        return 1
    except workflow.WorkflowError as exc:
        log.info("case %s: %s not taken: %s", case.number, action, exc)
        return 0


@every(600, "cases.deadlines")
def deadline_job() -> None:
    check_deadlines()
