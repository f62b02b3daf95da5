"""notify(): one in-app notification per person, SMS and email queued in the outbox, the workflow never harmed."""

import datetime

import pytest
from django.db import transaction

from hezhang.notifications.models import Notification, OutboxMessage, Status
from hezhang.notifications.service import notify
from hezhang.notifications.templates_text import EVENTS, SMS_LIMIT

CASE = {
    "code": "AJ2025-0042",
    "title": "清水河东坝段岸边垃圾堆放",
    "deadline": datetime.date(2025, 6, 30),
    "actor": "县河长办",
}


def test_assignment_notifies_in_app_and_queues_an_sms(world):
    notify("assigned", [world.chief_a], CASE, url="/cases/42/")
    note = Notification.objects.get(recipient=world.chief_a)
    assert note.title == "新交办：清水河东坝段岸边垃圾堆放"
    assert note.body == "县河长办向您交办AJ2025-0042「清水河东坝段岸边垃圾堆放」，请于2025-06-30前办结。"
    assert note.url == "/cases/42/" and note.read_at is None
    sms = OutboxMessage.objects.get()
    assert (sms.channel, sms.to, sms.status, sms.template) == (
        "sms",
        "13900000001",
        Status.PENDING,
        "assigned",
    )
    assert (
        sms.body == "【河长制】您有新交办事项AJ2025-0042「清水河东坝段岸边垃圾堆放」，请于2025-06-30前办结。"
    )
    assert sms.related == "AJ2025-0042"
    assert sms.params == [
        ["code", "AJ2025-0042"],
        ["title", "清水河东坝段岸边垃圾堆放"],
        ["deadline", "2025-06-30"],
    ]


def test_nothing_is_queued_when_the_workflow_step_rolls_back(world):
    class StepFailed(Exception):
        pass

    with pytest.raises(StepFailed), transaction.atomic():
        notify("assigned", [world.chief_a], CASE, url="/cases/42/")
        raise StepFailed
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_a_notification_that_cannot_be_written_does_not_break_the_workflow(world, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(OutboxMessage.objects, "bulk_create", broken)
    with transaction.atomic():
        assert notify("assigned", [world.chief_a], CASE) is None
        # The step's own writes still work after the failed savepoint.
        world.reach_a.name = "清水河东坝段（新）"
        world.reach_a.save()
    assert not Notification.objects.exists()
    assert "could not be queued" in caplog.text


def test_bad_context_values_are_swallowed_too(world):
    class Unprintable:
        def __str__(self):
            raise ValueError("no")

    assert notify("assigned", [world.chief_a], {"title": Unprintable()}) is None


def test_the_worker_is_nudged_once_the_step_commits(world, django_capture_on_commit_callbacks, monkeypatch):
    nudged = []
    monkeypatch.setattr("hezhang.notifications.service.nudge", nudged.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notify("urged", [world.chief_a], CASE)
            assert nudged == []
    assert len(callbacks) == 1 and nudged == ["notifications.deliver"]


def test_in_app_only_recipients_do_not_nudge_the_worker(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notify("urged", [world.alice], CASE)
    assert callbacks == [] and not OutboxMessage.objects.exists()


def test_extra_phones_and_emails_are_queued_once_each(world):
    world.chief_a.email = "zhao@example.cn"
    world.chief_a.save()
    notify(
        "overdue",
        [world.chief_a, world.chief_a, world.alice],
        {**CASE, "days": 3},
        phones=["139 0000 0001", "+86 139-0000-0009"],
        emails=["ZHAO@example.cn", "office@example.cn"],
    )
    assert Notification.objects.count() == 2
    assert sorted(OutboxMessage.objects.filter(channel="sms").values_list("to", flat=True)) == [
        "13900000001",
        "13900000009",
    ]
    assert sorted(OutboxMessage.objects.filter(channel="email").values_list("to", flat=True)) == [
        "office@example.cn",
        "zhao@example.cn",
    ]


def test_inactive_users_are_not_notified(world):
    world.chief_a.is_active = False
    world.chief_a.save()
    notify("assigned", [world.chief_a], CASE)
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_email_links_back_to_the_platform(world, settings):
    settings.HEZHANG_PUBLIC_BASE_URL = "https://hz.example.cn/"
    world.alice.email = "li@example.cn"
    world.alice.save()
    notify("completed", [world.alice], {**CASE, "actor": world.chief_a, "result": "已清运"}, url="/cases/42/")
    email = OutboxMessage.objects.get(channel="email")
    assert email.subject == "【河长制】待核查：清水河东坝段岸边垃圾堆放"
    assert "赵镇长已办结AJ2025-0042" in email.body and "办理结果：已清运" in email.body
    assert "https://hz.example.cn/cases/42/" in email.body


def test_closing_tells_the_public_reporter_the_result(world):
    notify("closed", [], {**CASE, "result": "垃圾已清运，岸坡已平整"}, phones=["13812345678"])
    sms = OutboxMessage.objects.get()
    assert sms.to == "13812345678"
    assert sms.body == "【河长制】您反映的问题（AJ2025-0042）已办结：垃圾已清运，岸坡已平整。感谢您的监督！"


def test_pieces_without_a_value_are_left_out(world):
    notify("returned", [world.chief_a], {"code": "AJ2025-0042", "title": "排污口"})
    note = Notification.objects.get()
    assert note.body == "退回了AJ2025-0042「排污口」。"


def test_long_texts_are_shortened_to_one_sms(world):
    long = {
        **CASE,
        "title": "清水河东坝段柳庄村北侧至出县境段沿岸多处生活垃圾与建筑垃圾混合堆放且部分已进入河道",
    }
    notify("assigned", [world.chief_a], long)
    sms = OutboxMessage.objects.get()
    assert len(sms.body) <= SMS_LIMIT and "…" in sms.body and "2025-06-30" in sms.body
    # The in-app notification keeps the whole title.
    assert long["title"] in Notification.objects.get().body


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_event_has_a_title_a_body_and_a_one_message_sms(world, event):
    context = {
        **CASE,
        "days": 2,
        "reason": "整改不到位",
        "result": "已清理",
        "level": "县级",
        "place": "东坝",
    }
    notify(event, [world.chief_a], context)
    note = Notification.objects.get()
    sms = OutboxMessage.objects.get()
    assert note.title and note.body
    assert sms.body.startswith("【河长制】") and len(sms.body) <= SMS_LIMIT


def test_an_unknown_event_still_reaches_people(world, caplog):
    notify("reassigned", [world.chief_a], CASE)
    assert Notification.objects.get().title == CASE["title"]
    assert "reassigned" in caplog.text
