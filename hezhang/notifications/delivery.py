"""Sending the outbox: due messages go to their provider; failures are retried with backoff, then marked failed."""

import datetime
import logging
from collections import Counter

from django.db.models import F
from django.utils import timezone

from hezhang.notifications.models import OutboxMessage, Status
from hezhang.notifications.providers import DeliveryError, Undeliverable, check_address, provider_for

logger = logging.getLogger(__name__)

DELIVERY_JOB = "notifications.deliver"
MAX_ATTEMPTS = 5
# Wait after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
RETRY_DELAYS = [datetime.timedelta(minutes=m) for m in (1, 5, 30, 120)]
# While one worker is sending a message, others leave it alone for this long (longer than any provider timeout).
LEASE = datetime.timedelta(minutes=10)
ERROR_CHARS = 2000


def deliver_pending(limit: int = 200, now: datetime.datetime | None = None) -> Counter:
    """Send up to ``limit`` due messages, oldest first; count the outcomes (sent, retry, failed, skipped)."""
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )[:limit]
    return Counter(deliver(message, now) for message in list(due))


def deliver(message: OutboxMessage, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    # Claim the message by counting the attempt: whoever else read the same row now fails this compare-and-set.
    claimed = OutboxMessage.objects.filter(
        pk=message.pk, status=Status.PENDING, attempts=message.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return "skipped"
    message.attempts += 1
    try:
        check_address(message.channel, message.to)
        provider = provider_for(message.channel)
        message.provider = provider.name
        sent = provider.send(message)
    except Exception as exc:
        final = isinstance(exc, Undeliverable) or message.attempts >= MAX_ATTEMPTS
        message.last_error = _describe(exc)[:ERROR_CHARS]
        if final:
            message.status = Status.FAILED
        else:
            message.next_attempt_at = now + RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
        logger.warning(
            "%s to %s, attempt %d: %s", message.channel, message.to, message.attempts, message.last_error
        )
        outcome = "failed" if final else "retry"
    else:
        message.status = Status.SENT
        message.sent_at = now
        message.provider = sent.provider
        message.provider_message_id = sent.message_id[:100]
        message.last_error = ""
        outcome = "sent"
    message.save(
        update_fields=[
            "status",
            "next_attempt_at",
            "last_error",
            "provider",
            "provider_message_id",
            "sent_at",
        ]
    )
    return outcome


def _describe(exc: Exception) -> str:
    if isinstance(exc, DeliveryError):
        return str(exc)
    # An SDK's or the network's own exception: its class name says more than its message alone.
    return f"{type(exc).__name__}: {exc}"


def retry_now(pk: int) -> str:
    """A system admin's "retry now": one more attempt for a failed message, right away."""
    now = timezone.now()
    if not OutboxMessage.objects.filter(pk=pk, status=Status.FAILED).update(
        status=Status.PENDING, next_attempt_at=now
    ):
        return "skipped"
    return deliver(OutboxMessage.objects.get(pk=pk), now)
