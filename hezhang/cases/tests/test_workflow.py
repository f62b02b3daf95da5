"""The workflow from report to closed case, and every step refused to whoever may not take it."""

import datetime

import pytest
from django.utils import timezone

from hezhang.cases import workflow
from hezhang.cases.intake import attach_photo
from hezhang.cases.tests.conftest import jpeg
from hezhang.cases.workflow import ACTIONS, WorkflowError, perform


def walk_to(case, state, world, staff):
    """Bring a case to a state the normal way, as the people who would do it."""
    path = {
        "accepted": [("accept", world.bob, {})],
        "assigned": [("accept", world.bob, {}), ("assign", world.bob, {"department": world.dept_b})],
        "in_progress": [
            ("accept", world.bob, {}),
            ("assign", world.bob, {"department": world.dept_b}),
            ("start", staff, {}),
        ],
        "completed": [
            ("accept", world.bob, {}),
            ("assign", world.bob, {"department": world.dept_b}),
            ("start", staff, {}),
            ("complete", staff, {"note": "已清理"}),
        ],
    }[state]
    for action, user, params in path:
        if action == "complete":
            attach_photo(case, jpeg((30, 160, 60)), "after.jpg", "after")
        note = params.pop("note", "")
        perform(case, user, action, note=note, **params)
    case.refresh_from_db()
    return case


def test_a_public_report_goes_from_report_to_closed_with_every_step_recorded(world, case_b, staff_b):
    perform(case_b, world.bob, "accept")
    perform(case_b, world.bob, "assign", department=world.dept_b, note="请三日内处理")
    case_b.refresh_from_db()
    assert case_b.state_id == "assigned" and case_b.deadline > timezone.now()
    perform(case_b, staff_b, "start")
    perform(case_b, staff_b, "progress", note="已联系保洁")
    attach_photo(case_b, jpeg((30, 160, 60)), "after.jpg", "after")
    perform(case_b, staff_b, "complete", note="油污已清除")
    perform(case_b, world.bob, "approve")
    perform(case_b, world.bob, "close")
    perform(case_b, None, "rate", reporter=True, rating="satisfied")
    case_b.refresh_from_db()
    assert case_b.state_id == "closed" and case_b.rating == "satisfied" and case_b.closed_at
    actions = list(case_b.events.values_list("action", flat=True))
    assert actions == [
        "report",
        "accept",
        "assign",
        "start",
        "progress",
        "complete",
        "approve",
        "close",
        "rate",
    ]
    assert case_b.events.get(action="assign").actor == world.bob


def test_completing_without_an_after_photo_is_refused(world, case_b, staff_b):
    walk_to(case_b, "in_progress", world, staff_b)
    with pytest.raises(WorkflowError, match="处置后照片"):
        perform(case_b, staff_b, "complete", note="好了")
    case_b.refresh_from_db()
    assert case_b.state_id == "in_progress"


def test_verification_can_return_the_case_to_the_handler_with_a_reason(world, case_b, staff_b):
    walk_to(case_b, "completed", world, staff_b)
    with pytest.raises(WorkflowError, match="说明"):
        perform(case_b, world.bob, "return")
    perform(case_b, world.bob, "return", note="岸边仍有油污")
    case_b.refresh_from_db()
    assert case_b.state_id == "in_progress"


# (action, who tries it, state the case is in, params) — each of these must be refused.
FORBIDDEN = [
    ("accept", "alice", "reported", {}),  # another township's office
    ("accept", "staff", "reported", {}),  # a department cannot accept for the office
    ("accept", "chief_b", "reported", {}),
    ("assign", "staff", "accepted", {"department": "dept_b"}),
    ("assign", "alice", "accepted", {"department": "dept_b"}),
    ("start", "bob", "assigned", {}),  # the dispatcher is not the handler
    ("start", "alice", "assigned", {}),
    ("complete", "bob", "in_progress", {"note": "x"}),
    ("approve", "staff", "completed", {}),  # the handler cannot verify their own work
    ("close", "bob", "completed", {}),  # closing comes after verification
    ("close", "staff", "completed", {}),
    ("supervise", "bob", "assigned", {"note": "x"}),  # supervision comes from a higher level
    ("rate", "bob", "closed", {"rating": "satisfied"}),  # only the reporter rates
    ("public_reopen", "bob", "closed", {"note": "x"}),
    ("extend_approve", "bob", "assigned", {}),  # nothing to approve
    ("escalate", "bob", "assigned", {}),  # only the overdue job escalates
    ("remind", "bob", "assigned", {}),  # reminders are the scheduled check's
    ("urge", "staff", "assigned", {}),  # the handler does not urge themselves
    ("urge", "alice", "assigned", {}),
    ("reroute", "staff", "reported", {"note": "x"}),
    ("reroute", "bob", "assigned", {"note": "x"}),  # once assigned, it is transferred instead
]


@pytest.mark.parametrize("action,who,state,params", FORBIDDEN)
def test_forbidden_step_is_refused_and_changes_nothing(world, case_b, staff_b, action, who, state, params):
    if state == "closed":
        walk_to(case_b, "completed", world, staff_b)
        perform(case_b, world.bob, "approve")
        perform(case_b, world.bob, "close")
    elif state != "reported":
        walk_to(case_b, state, world, staff_b)
    case_b.refresh_from_db()
    before = (case_b.state_id, case_b.events.count())
    user = staff_b if who == "staff" else getattr(world, who)
    params = {
        k: getattr(world, v) if isinstance(v, str) and k != "note" and k != "rating" else v
        for k, v in params.items()
    }
    note = params.pop("note", "")
    with pytest.raises(WorkflowError):
        perform(case_b, user, action, note=note, **params)
    case_b.refresh_from_db()
    assert (case_b.state_id, case_b.events.count()) == before


def test_every_action_has_a_forbidden_case_or_a_dedicated_test():
    tested = {a for a, *_ in FORBIDDEN} | {"reject", "merge", "transfer", "progress", "send_back", "return"}
    tested |= {"urge", "extend_request", "extend_reject", "long_term", "reopen", "reroute"}
    assert set(ACTIONS) <= tested


def test_county_office_supervises_and_urges_a_township_case(world, case_b, staff_b):
    walk_to(case_b, "assigned", world, staff_b)
    perform(case_b, world.county_office, "supervise", note="县河长办督办")
    perform(case_b, world.county_office, "urge")
    case_b.refresh_from_db()
    assert case_b.is_supervised and case_b.urge_count == 1


def test_extension_is_requested_by_the_handler_and_approved_by_the_office(world, case_b, staff_b):
    walk_to(case_b, "in_progress", world, staff_b)
    later = case_b.deadline + datetime.timedelta(days=10)
    perform(case_b, staff_b, "extend_request", note="需要协调上游", deadline=later)
    with pytest.raises(WorkflowError, match="待审批"):
        perform(case_b, staff_b, "extend_request", note="再申请", deadline=later + datetime.timedelta(days=1))
    perform(case_b, world.bob, "extend_approve")
    case_b.refresh_from_db()
    assert case_b.deadline == later


def test_extension_can_be_refused_with_a_reason(world, case_b, staff_b):
    walk_to(case_b, "in_progress", world, staff_b)
    perform(
        case_b, staff_b, "extend_request", note="x", deadline=case_b.deadline + datetime.timedelta(days=3)
    )
    perform(case_b, world.bob, "extend_reject", note="期限内可完成")
    assert workflow._pending_extension(case_b) is None


def test_reporter_may_reopen_once_when_not_satisfied(world, case_b, staff_b):
    walk_to(case_b, "completed", world, staff_b)
    perform(case_b, world.bob, "approve")
    perform(case_b, world.bob, "close")
    perform(case_b, None, "public_reopen", reporter=True, note="油污又出现了")
    case_b.refresh_from_db()
    assert case_b.state_id == "accepted" and case_b.reopen_count == 1
    perform(case_b, world.bob, "assign", department=world.dept_b)
    perform(case_b, staff_b, "start")
    attach_photo(case_b, jpeg((10, 10, 10)), "after2.jpg", "after")
    perform(case_b, staff_b, "complete", note="再次清理")
    perform(case_b, world.bob, "approve")
    perform(case_b, world.bob, "close")
    with pytest.raises(WorkflowError, match="一次"):
        perform(case_b, None, "public_reopen", reporter=True, note="还是不行")


def test_reject_needs_a_reason_and_closes_the_case(world, case_b):
    with pytest.raises(WorkflowError):
        perform(case_b, world.bob, "reject")
    perform(case_b, world.bob, "reject", note="不属于河湖管理范围")
    case_b.refresh_from_db()
    assert not case_b.state.is_open


def test_duplicate_is_merged_into_the_open_case(world, case_b, pollution):
    from hezhang.cases.intake import create_case

    twin, _ = create_case(category=pollution, channel="public", lon=114.831, lat=37.181)
    perform(twin, world.bob, "merge", duplicate_of=case_b)
    twin.refresh_from_db()
    assert twin.state_id == "merged" and twin.duplicate_of == case_b


def test_handler_can_send_a_case_back_and_the_office_transfers_it(world, case_b, staff_b):
    walk_to(case_b, "assigned", world, staff_b)
    perform(case_b, staff_b, "send_back", note="不属于本部门职责")
    perform(case_b, world.bob, "assign", handling_office=world.office_b, department=None)
    perform(case_b, world.bob, "transfer", note="改由乡河长办直接处理", department=world.dept_b)
    case_b.refresh_from_db()
    assert case_b.department == world.dept_b and case_b.handling_office is None


def test_long_term_tracking_needs_a_plan_and_a_future_date(world, case_b, staff_b):
    walk_to(case_b, "assigned", world, staff_b)
    with pytest.raises(WorkflowError, match="目标日期"):
        perform(case_b, world.bob, "long_term", note="需清淤工程", target_date=timezone.localdate())
    perform(
        case_b,
        world.bob,
        "long_term",
        note="需清淤工程",
        target_date=timezone.localdate() + datetime.timedelta(days=90),
    )
    perform(case_b, staff_b, "progress", note="已立项")
    case_b.refresh_from_db()
    assert case_b.state_id == "long_term"


def test_office_reopens_a_closed_case(world, case_b, staff_b):
    walk_to(case_b, "completed", world, staff_b)
    perform(case_b, world.bob, "approve")
    perform(case_b, world.bob, "close")
    perform(case_b, world.bob, "reopen", note="复查发现反弹")
    case_b.refresh_from_db()
    assert case_b.state_id == "accepted" and case_b.closed_at is None


def test_office_reroutes_a_misrouted_case_to_another_reach_and_it_is_recorded(world, case_b):
    perform(case_b, world.county_office, "reroute", note="实际位置在东坝段", reach=world.reach_a)
    case_b.refresh_from_db()
    assert case_b.reach == world.reach_a and case_b.office == world.office_a
    assert list(case_b.chiefs.all()) == [world.chief_a]
    event = case_b.events.get(action="reroute")
    assert event.data["from"]["office"] == "西河乡河长办" and event.data["to"]["office"] == "东坝镇河长办"


def test_reroute_needs_a_reason(world, case_b):
    with pytest.raises(WorkflowError, match="说明"):
        perform(case_b, world.bob, "reroute", office=world.office_county)
