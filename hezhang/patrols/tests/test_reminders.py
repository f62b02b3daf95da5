"""Patrol reminders: a period about to end, a period ended unmet, the weekly report; each sent once."""

import datetime

import pytest
from django.utils import timezone

from hezhang.notifications.models import Notification, OutboxMessage
from hezhang.patrols.reminders import send_patrol_reminders
from hezhang.patrols.tests.test_frequency import D, patrol, rule, take_office


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def sent(event, user=None):
    rows = Notification.objects.filter(event=event)
    return rows.filter(recipient=user) if user else rows


@pytest.fixture
def chiefs(world):
    return take_office(world)


@pytest.fixture
def ten_days(chiefs):
    """Township chiefs must patrol once every 旬."""
    return rule(chiefs.county, period="ten_days", chief_level=4)


def test_a_chief_is_reminded_two_days_before_the_period_ends_once(chiefs, ten_days):
    w = chiefs
    patrol(w.chief_b, D(2024, 5, 12))
    result = send_patrol_reminders(at(D(2024, 5, 18)))  # the 旬 of 11–20 May ends in two days
    assert result["patrol_due"] == 1
    notice = sent("patrol_due").get()
    assert notice.recipient == w.chief_a and notice.title == "巡河即将到期：2024年5月中旬"
    assert "2024-05-20到期" in notice.body and "已有效巡河0次，要求1次" in notice.body
    assert notice.url == "/patrols/?started_after=2024-05-11&started_before=2024-05-20"
    sms = OutboxMessage.objects.get(template="patrol_due")
    assert sms.to.endswith("13900000001") and len(sms.body) <= 70

    send_patrol_reminders(at(D(2024, 5, 18), 15))
    send_patrol_reminders(at(D(2024, 5, 19)))
    assert (
        sent("patrol_due").count() == 1 and OutboxMessage.objects.filter(template="patrol_due").count() == 1
    )


def test_no_reminder_early_in_the_period_or_before_eight(chiefs, ten_days):
    assert send_patrol_reminders(at(D(2024, 5, 15)))["patrol_due"] == 0
    assert send_patrol_reminders(at(D(2024, 5, 18), 7)) == {}
    assert not sent("patrol_due").exists()


def test_a_period_that_ended_unmet_is_reported_overdue_once(chiefs, ten_days):
    w = chiefs
    patrol(w.chief_b, D(2024, 5, 20))
    send_patrol_reminders(at(D(2024, 5, 21)))
    send_patrol_reminders(at(D(2024, 5, 22)))
    notice = sent("patrol_overdue").get()
    assert notice.recipient == w.chief_a and notice.title == "巡河已逾期：2024年5月中旬"
    assert "已于2024-05-20结束" in notice.body and "未达到巡河频次要求" in notice.body


def test_an_old_unmet_period_is_not_reported(chiefs, ten_days):
    send_patrol_reminders(at(D(2024, 5, 29)))  # the 旬 of 11–20 May ended nine days ago
    assert not sent("patrol_overdue").exists()


def test_each_chief_gets_a_weekly_report_on_monday(chiefs):
    w = chiefs
    rule(w.county, period="week")
    patrol(w.chief_a, D(2024, 5, 14))
    patrol(w.chief_a, D(2024, 5, 16), valid=False)
    monday = D(2024, 5, 20)
    assert send_patrol_reminders(at(monday))["patrol_weekly"] == 3
    report = sent("patrol_weekly", w.chief_a).get()
    assert report.title == "河长周报：2024年5月13日至5月19日"
    assert "巡河2次，其中有效1次，达到巡河频次要求" in report.body
    assert "巡河0次，其中有效0次，未达到巡河频次要求" in sent("patrol_weekly", w.chief_b).get().body
    assert not sent("patrol_weekly", w.alice).exists()

    send_patrol_reminders(at(monday, 10))
    assert sent("patrol_weekly").count() == 3


def test_the_weekly_report_counts_the_open_cases_the_chief_handles(chiefs):
    from hezhang.cases.models import Case, CaseCategory, CaseState

    w = chiefs
    for number, state in (("C1", CaseState.objects.filter(is_open=True).first()), ("C2", None)):
        Case.objects.create(
            number=number,
            title="岸边垃圾",
            category=CaseCategory.objects.first(),
            channel="patrol",
            lon=114.6,
            lat=37.1,
            state=state or CaseState.objects.filter(is_open=False).first(),
            office=w.office_a,
            region=w.town_a,
            handler=w.chief_a,
        )
    send_patrol_reminders(at(D(2024, 5, 20)))
    assert "待办案件1件" in sent("patrol_weekly", w.chief_a).get().body
    assert "待办案件" not in sent("patrol_weekly", w.chief_b).get().body


def test_the_weekly_report_says_what_is_still_needed_in_a_longer_period(chiefs):
    w = chiefs
    rule(w.county, period="month", times=3)
    patrol(w.chief_a, D(2024, 5, 14))
    send_patrol_reminders(at(D(2024, 5, 20)))
    assert "本期尚需有效巡河2次" in sent("patrol_weekly", w.chief_a).get().body


def test_no_weekly_report_on_other_days(chiefs):
    assert "patrol_weekly" not in send_patrol_reminders(at(D(2024, 5, 21)))
    assert not sent("patrol_weekly").exists()


def test_the_hourly_job_is_registered():
    from hezhang.jobs.schedule import JOBS

    assert JOBS["patrols.reminders"].seconds == 3600
