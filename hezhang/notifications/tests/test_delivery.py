"""deliver_pending: due messages go to their provider; failures are retried with backoff, then marked failed."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from hezhang.notifications import delivery, providers
from hezhang.notifications.delivery import MAX_ATTEMPTS, deliver_pending
from hezhang.notifications.models import OutboxMessage, Status

pytestmark = pytest.mark.django_db


def sms(**fields):
    return OutboxMessage.objects.create(
        **{"channel": "sms", "to": "13900000001", "body": "【河长制】测试", "template": "assigned", **fields}
    )


class Failing:
    name = "aliyun"

    def __init__(self):
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise providers.DeliveryError("isv.BUSINESS_LIMIT_CONTROL 触发流控")


def test_outbox_provider_marks_messages_sent_without_network(settings, monkeypatch):
    settings.HEZHANG_SMS_PROVIDER = "outbox"

    def no_network(*args, **kwargs):
        raise AssertionError("the outbox provider must not open a connection")

    monkeypatch.setattr("socket.socket.connect", no_network)
    message = sms()
    assert deliver_pending() == {"sent": 1}
    message.refresh_from_db()
    assert (message.status, message.provider, message.attempts) == (Status.SENT, "outbox", 1)
    assert message.sent_at is not None and message.last_error == ""


def test_failed_sms_is_retried_with_backoff_and_then_marked_failed(monkeypatch):
    failing = Failing()
    monkeypatch.setattr(delivery, "provider_for", lambda channel: failing)
    message = sms()
    now = timezone.now()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcome = deliver_pending(now=now)
        message.refresh_from_db()
        assert message.attempts == attempt and "流控" in message.last_error and message.provider == "aliyun"
        if attempt < MAX_ATTEMPTS:
            assert outcome == {"retry": 1} and message.status == Status.PENDING
            waits.append(message.next_attempt_at - now)
            # Not due again before its wait is over.
            assert deliver_pending(now=message.next_attempt_at - datetime.timedelta(seconds=1)) == {}
            now = message.next_attempt_at
        else:
            assert outcome == {"failed": 1} and message.status == Status.FAILED
    assert waits == [datetime.timedelta(minutes=m) for m in (1, 5, 30, 120)]
    assert deliver_pending(now=now + datetime.timedelta(days=1)) == {}
    assert failing.calls == MAX_ATTEMPTS


def test_a_wrong_number_fails_at_once_without_calling_the_provider(monkeypatch):
    failing = Failing()
    monkeypatch.setattr(delivery, "provider_for", lambda channel: failing)
    message = sms(to="0319-5550100")
    assert deliver_pending() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == Status.FAILED and "不是有效的手机号码" in message.last_error
    assert failing.calls == 0


def test_messages_not_yet_due_or_already_sent_are_left_alone():
    later = sms(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))
    sms(status=Status.SENT)
    sms(status=Status.FAILED)
    assert deliver_pending() == {}
    later.refresh_from_db()
    assert later.attempts == 0


def test_a_message_another_worker_is_sending_is_not_sent_twice():
    message = sms()
    stale_copy = OutboxMessage.objects.get(pk=message.pk)
    assert delivery.deliver(message) == "sent"
    assert delivery.deliver(stale_copy) == "skipped"
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1


def test_retry_now_gives_a_failed_message_one_more_attempt(settings):
    settings.HEZHANG_SMS_PROVIDER = "outbox"
    message = sms(status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="timeout")
    assert delivery.retry_now(message.pk) == "sent"
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == MAX_ATTEMPTS + 1 and message.last_error == ""
    assert delivery.retry_now(message.pk) == "skipped"


def test_a_retry_that_fails_again_is_failed_again(monkeypatch):
    monkeypatch.setattr(delivery, "provider_for", lambda channel: Failing())
    message = sms(status=Status.FAILED, attempts=MAX_ATTEMPTS)
    assert delivery.retry_now(message.pk) == "failed"


def test_django_email_provider_sends_through_the_email_backend(settings):
    settings.HEZHANG_EMAIL_PROVIDER = "django"
    settings.DEFAULT_FROM_EMAIL = "hezhang@hz.example.cn"
    OutboxMessage.objects.create(
        channel="email", to="zhao@example.cn", subject="【河长制】催办", body="请尽快办理"
    )
    assert deliver_pending() == {"sent": 1}
    assert [(m.to, m.subject, m.from_email) for m in mail.outbox] == [
        (["zhao@example.cn"], "【河长制】催办", "hezhang@hz.example.cn")
    ]
    assert OutboxMessage.objects.get().provider == "django"


def test_an_unknown_provider_is_a_clear_error(settings):
    settings.HEZHANG_SMS_PROVIDER = "carrier-pigeon"
    message = sms()
    deliver_pending()
    message.refresh_from_db()
    assert message.status == Status.PENDING and "未知的服务商“carrier-pigeon”" in message.last_error


def test_an_unknown_provider_is_reported_by_the_system_checks(settings):
    from hezhang.notifications.apps import check_providers

    settings.HEZHANG_EMAIL_PROVIDER = "smtp"
    assert [e.id for e in check_providers()] == ["notifications.E001"]


def test_the_delivery_job_sends_what_notify_queued(world):
    from hezhang.jobs.schedule import run_due
    from hezhang.notifications.service import notify

    notify("urged", [world.chief_a], {"code": "AJ1", "title": "排污"})
    assert run_due(names=["notifications.deliver"]) == ["notifications.deliver"]
    assert OutboxMessage.objects.get().status == Status.SENT
