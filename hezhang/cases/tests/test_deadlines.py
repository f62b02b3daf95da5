"""The scheduled deadline check: reminded before, urged when overdue, escalated when it drags on."""

import datetime

from django.utils import timezone

from hezhang.cases.deadlines import check_deadlines
from hezhang.cases.workflow import perform


def assigned(world, case, deadline):
    perform(case, world.bob, "assign", department=world.dept_b, deadline=deadline)
    case.refresh_from_db()
    return case


def test_a_case_due_tomorrow_is_reminded_once(world, case_b):
    now = timezone.now()
    assigned(world, case_b, now + datetime.timedelta(hours=20))
    assert check_deadlines(now)["remind"] == 1
    assert check_deadlines(now + datetime.timedelta(hours=1))["remind"] == 0
    assert case_b.events.filter(action="remind", actor=None).count() == 1


def test_an_overdue_case_is_urged_daily_and_escalated_to_the_county_after_three_days(world, case_b):
    now = timezone.now()
    assigned(world, case_b, now + datetime.timedelta(hours=2))
    later = now + datetime.timedelta(hours=3)
    assert check_deadlines(later) == {"remind": 0, "urge": 1, "escalate": 0}
    assert check_deadlines(later + datetime.timedelta(hours=1))["urge"] == 0  # not again within the day
    three_days = now + datetime.timedelta(days=3, hours=3)
    result = check_deadlines(three_days)
    assert result["urge"] == 1 and result["escalate"] == 1
    case_b.refresh_from_db()
    assert case_b.office == world.office_county and case_b.is_supervised and case_b.escalation_level == 1
    assert check_deadlines(three_days + datetime.timedelta(hours=1))["escalate"] == 0


def test_the_county_office_finds_the_escalated_case_among_supervised_ones(world, login, case_b):
    now = timezone.now()
    assigned(world, case_b, now + datetime.timedelta(hours=1))
    check_deadlines(now + datetime.timedelta(days=4))
    from django.urls import reverse

    html = login(world.county_office).get(reverse("cases:dispatch"), {"queue": "supervised"}).content.decode()
    assert case_b.number in html
