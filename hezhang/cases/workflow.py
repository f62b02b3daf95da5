"""The case workflow: which step may be taken from which state, by whom, and what it records.

Every rule lives in ACTIONS and `perform()`; pages and the API only ask `allowed()` and call `perform()`,
so a forbidden step is refused the same way everywhere.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hezhang.cases import roles
from hezhang.cases.models import Case, CaseEvent, CaseState

OPEN_WORK = ("assigned", "in_progress")


class WorkflowError(Exception):
    """A step that may not be taken; the message says why, in words for the user."""


@dataclass(frozen=True)
class Action:
    label: str
    from_states: tuple[str, ...]
    to_state: str | None  # None: the state does not change
    who: str  # "dispatcher", "supervisor", "handler", "reporter", "system"
    needs_note: bool = False
    public: bool = True
    extra: tuple[str, ...] = field(default=())
    system: bool = False  # the scheduled overdue check may take this step too


ACTIONS: dict[str, Action] = {
    "accept": Action(gettext_lazy("受理"), ("reported",), "accepted", "dispatcher"),
    "reject": Action(gettext_lazy("不予受理"), ("reported",), "rejected", "dispatcher", needs_note=True),
    "merge": Action(
        gettext_lazy("合并重复"), ("reported", "accepted"), "merged", "dispatcher", extra=("duplicate_of",)
    ),
    "assign": Action(
        gettext_lazy("交办"),
        ("reported", "accepted"),
        "assigned",
        "dispatcher",
        extra=("department", "handler", "handling_office", "deadline"),
    ),
    "transfer": Action(
        gettext_lazy("转办"),
        ("assigned", "in_progress"),
        "assigned",
        "dispatcher",
        needs_note=True,
        extra=("department", "handler", "handling_office", "deadline"),
    ),
    "start": Action(gettext_lazy("签收处置"), ("assigned",), "in_progress", "handler"),
    "progress": Action(
        gettext_lazy("处置进展"), ("in_progress", "long_term"), None, "handler", needs_note=True
    ),
    "send_back": Action(gettext_lazy("退回"), OPEN_WORK, "accepted", "handler", needs_note=True),
    "complete": Action(
        gettext_lazy("办结"), (*OPEN_WORK, "long_term"), "completed", "handler", needs_note=True
    ),
    "approve": Action(gettext_lazy("核查通过"), ("completed",), "verified", "dispatcher"),
    "return": Action(gettext_lazy("核查退回"), ("completed",), "in_progress", "dispatcher", needs_note=True),
    "close": Action(gettext_lazy("结案"), ("verified",), "closed", "dispatcher"),
    "urge": Action(
        gettext_lazy("催办"), (*OPEN_WORK, "long_term"), None, "dispatcher", public=False, system=True
    ),
    "remind": Action(gettext_lazy("到期提醒"), OPEN_WORK, None, "system", public=False),
    "supervise": Action(
        pgettext_lazy("action", "督办"),
        ("accepted", *OPEN_WORK, "long_term"),
        None,
        "supervisor",
        needs_note=True,
    ),
    "extend_request": Action(
        gettext_lazy("申请延期"),
        OPEN_WORK,
        None,
        "handler",
        needs_note=True,
        public=False,
        extra=("deadline",),
    ),
    "extend_approve": Action(gettext_lazy("批准延期"), OPEN_WORK, None, "dispatcher", public=False),
    "extend_reject": Action(
        gettext_lazy("驳回延期"), OPEN_WORK, None, "dispatcher", needs_note=True, public=False
    ),
    "long_term": Action(
        gettext_lazy("挂账"),
        ("accepted", *OPEN_WORK),
        "long_term",
        "dispatcher",
        needs_note=True,
        extra=("target_date",),
    ),
    "reopen": Action(
        gettext_lazy("重新打开"), ("closed", "rejected"), "accepted", "dispatcher", needs_note=True
    ),
    "rate": Action(gettext_lazy("评价"), ("closed",), None, "reporter", extra=("rating",)),
    "public_reopen": Action(
        gettext_lazy("不满意，重新打开"), ("closed",), "accepted", "reporter", needs_note=True
    ),
    "reroute": Action(
        gettext_lazy("改派"),
        ("reported", "accepted"),
        None,
        "dispatcher",
        needs_note=True,
        public=False,
        extra=("office", "reach", "proposed_department"),
    ),
    "escalate": Action(
        gettext_lazy("升级"), ("reported", "accepted", *OPEN_WORK), None, "system", public=False
    ),
}


def _may(spec: Action, user, case: Case, reporter: bool) -> bool:
    who = spec.who
    if who == "reporter":
        return reporter
    if reporter or user is None:
        return user is None and not reporter and (who == "system" or spec.system)
    return {
        "dispatcher": roles.is_dispatcher,
        "supervisor": roles.is_supervisor,
        "handler": roles.is_handler,
    }.get(who, lambda u, c: False)(user, case)


def refusal(case: Case, user, action: str, reporter: bool = False) -> str | None:
    """Why this user may not take this step now, or None when they may."""
    spec = ACTIONS.get(action)
    if spec is None:
        return _("未知的操作：%(a)s") % {"a": action}
    if case.state_id not in spec.from_states:
        return _("案件当前状态为“%(s)s”，不能“%(a)s”") % {"s": case.state.display_label, "a": spec.label}
    if not _may(spec, user, case, reporter):
        return _("您无权对此案件执行“%(a)s”") % {"a": spec.label}
    if action == "extend_request" and case.events.filter(
        action="extend_request"
    ).count() > _resolved_requests(case):
        return _("已有待审批的延期申请")
    if action in ("extend_approve", "extend_reject") and not _pending_extension(case):
        return _("没有待审批的延期申请")
    if action == "public_reopen" and case.reopen_count >= 1:
        return _("每个案件只能由上报人重新打开一次")
    if action == "rate" and case.rating:
        return _("已经评价过了")
    return None


def allowed(case: Case, user, reporter: bool = False) -> list[str]:
    return [a for a in ACTIONS if refusal(case, user, a, reporter) is None and ACTIONS[a].who != "system"]


def _resolved_requests(case: Case) -> int:
    return case.events.filter(action__in=("extend_approve", "extend_reject")).count()


def _pending_extension(case: Case) -> CaseEvent | None:
    if case.events.filter(action="extend_request").count() <= _resolved_requests(case):
        return None
    return case.events.filter(action="extend_request").order_by("-at", "-id").first()


def default_deadline(case: Case, start: datetime.datetime | None = None) -> datetime.datetime:
    days = case.category.urgent_deadline_days if case.urgency == "urgent" else case.category.deadline_days
    return (start or timezone.now()) + datetime.timedelta(days=days)


@transaction.atomic
def perform(case: Case, user, action: str, note: str = "", reporter: bool = False, **params) -> CaseEvent:
    """Take one step: check it, change the case, append the event. Raises WorkflowError when refused."""
    case = (
        Case.objects.select_for_update().select_related("state", "office__region", "category").get(pk=case.pk)
    )
    why = refusal(case, user, action, reporter)
    if why:
        raise WorkflowError(why)
    spec = ACTIONS[action]
    note = (note or "").strip()
    if spec.needs_note and not note:
        raise WorkflowError(_("“%(a)s”需要填写说明") % {"a": spec.label})
    now = timezone.now()
    data: dict = {}
    from_state = case.state
    apply = _APPLY.get(action)
    if apply is not None:
        data = apply(case, now, note, **params) or {}
    if spec.to_state:
        case.state = CaseState.objects.get(pk=spec.to_state)
    case.save()
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state if spec.to_state else None,
        actor=user if getattr(user, "is_authenticated", False) else None,
        note=note,
        data=data,
        public=spec.public,
        at=now,
    )
    from hezhang.cases import notices

    notices.after(event)
    return event


# What each step changes on the case besides its state. Each returns the data recorded on the event.


def _accept(case, now, note, **rest):
    case.accepted_at = case.accepted_at or now


def _assign(case, now, note, department=None, handler=None, handling_office=None, deadline=None, **rest):
    targets = [t for t in (department, handler, handling_office) if t is not None]
    if len(targets) != 1:
        raise WorkflowError(_("请选择一个交办对象：职能部门、下级河长办或河长"))
    office_path = case.office.region.path
    if department is not None and not (
        department.region.path.startswith(office_path) or office_path.startswith(department.region.path)
    ):
        raise WorkflowError(_("该部门不在本河长办的上下级范围内"))
    if handling_office is not None and not handling_office.region.path.startswith(case.office.region.path):
        raise WorkflowError(_("只能交办给本级或下级河长办"))
    if deadline is not None and deadline <= now:
        raise WorkflowError(_("办理期限必须晚于现在"))
    case.accepted_at = case.accepted_at or now
    case.department, case.handler, case.handling_office = department, handler, handling_office
    case.deadline = deadline or default_deadline(case, now)
    return {
        "department": department.pk if department else None,
        "handler": handler.pk if handler else None,
        "handling_office": handling_office.pk if handling_office else None,
        "to": str(targets[0]),
        "deadline": case.deadline.isoformat(),
    }


def _merge(case, now, note, duplicate_of=None, **rest):
    if duplicate_of is None or duplicate_of.pk == case.pk:
        raise WorkflowError(_("请选择要合并到的案件"))
    if not duplicate_of.state.is_open:
        raise WorkflowError(_("只能合并到未结的案件"))
    case.duplicate_of = duplicate_of
    return {"duplicate_of": duplicate_of.number}


def _complete(case, now, note, **rest):
    if not case.photos.filter(stage="after").exists():
        raise WorkflowError(_("办结需要上传处置后照片"))
    case.completed_at = now


def _close(case, now, note, **rest):
    case.closed_at = now


def _reopen(case, now, note, **rest):
    case.closed_at = case.completed_at = None
    case.rating = ""


def _public_reopen(case, now, note, **rest):
    _reopen(case, now, note)
    case.reopen_count += 1
    return {"rating": "unsatisfied"}


def _urge(case, now, note, **rest):
    case.urge_count += 1
    return {"count": case.urge_count}


def _supervise(case, now, note, **rest):
    case.is_supervised = True


def _extend_request(case, now, note, deadline=None, **rest):
    if deadline is None or (case.deadline and deadline <= case.deadline):
        raise WorkflowError(_("延期后的期限必须晚于当前期限"))
    return {"deadline": deadline.isoformat()}


def _extend_approve(case, now, note, **rest):
    request = _pending_extension(case)
    case.deadline = datetime.datetime.fromisoformat(request.data["deadline"])
    return {"deadline": request.data["deadline"]}


def _long_term(case, now, note, target_date=None, **rest):
    if target_date is None or target_date <= timezone.localdate(now):
        raise WorkflowError(_("挂账需要一个晚于今天的目标日期"))
    case.target_date = target_date
    return {"target_date": target_date.isoformat()}


def _rate(case, now, note, rating=None, **rest):
    if rating not in ("satisfied", "fair", "unsatisfied"):
        raise WorkflowError(_("请选择满意、基本满意或不满意"))
    case.rating = rating
    return {"rating": rating}


def _escalate(case, now, note, **rest):
    parent = case.office.region.parent
    from hezhang.registry.models import Office

    office = Office.objects.filter(region=parent).first() if parent else None
    if office is None:
        raise WorkflowError(_("已是最高一级河长办，无法升级"))
    previous = case.office
    case.office = office
    case.is_supervised = True
    case.escalation_level += 1
    return {"from_office": previous.pk, "to_office": office.pk, "to": office.name}


def _reroute(case, now, note, office=None, reach=None, proposed_department=None, **rest):
    """Staff override routing: another reach (and with it region, chiefs, office), office, or department."""
    from hezhang.cases.routing import office_for, responsible_chiefs

    if office is None and reach is None and proposed_department is None:
        raise WorkflowError(_("请选择新的河段、河长办或建议部门"))
    before = {
        "office": case.office.name,
        "reach": case.reach.name if case.reach_id else "",
        "region": case.region.name,
    }
    if reach is not None:
        case.reach, case.water_body, case.region = reach, reach.water_body, reach.region
        case.outside_jurisdiction = False
        case.save()
        case.chiefs.set(responsible_chiefs(reach, reach.water_body))
        case.office = office or office_for(reach.region) or case.office
    elif office is not None:
        case.office = office
        case.outside_jurisdiction = False
    if proposed_department is not None:
        case.proposed_department = proposed_department
    after = {
        "office": case.office.name,
        "reach": case.reach.name if case.reach_id else "",
        "region": case.region.name,
    }
    return {"from": before, "to": after}


_APPLY = {
    "accept": _accept,
    "assign": _assign,
    "transfer": _assign,
    "merge": _merge,
    "complete": _complete,
    "close": _close,
    "reopen": _reopen,
    "public_reopen": _public_reopen,
    "urge": _urge,
    "supervise": _supervise,
    "extend_request": _extend_request,
    "extend_approve": _extend_approve,
    "long_term": _long_term,
    "rate": _rate,
    "escalate": _escalate,
    "reroute": _reroute,
}
