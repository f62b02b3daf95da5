"""``notify``: what the workflow calls when something happens that people must hear about."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from hezhang.jobs.schedule import nudge
from hezhang.notifications.delivery import DELIVERY_JOB
from hezhang.notifications.models import Channel, Notification, OutboxMessage
from hezhang.notifications.providers import normalize_phone
from hezhang.notifications.templates_text import (
    EVENTS,
    FALLBACK,
    plain,
    render,
    render_sms,
    sms_fields,
)

logger = logging.getLogger(__name__)


@dataclass
class Queued:
    notifications: list[Notification] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)


def notify(
    event: str,
    recipients: Iterable,
    context: dict,
    url: str = "",
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    related: str = "",
) -> Queued | None:
    """Tell people about ``event`` (a key of ``templates_text.EVENTS``: "assigned", "urged", "overdue"…).

    Each active user in ``recipients`` gets an in-app notification linking to ``url``, an SMS to their phone and an
    email to their address if they have one; ``phones`` and ``emails`` add people without an account (the public
    reporter of a case). ``context`` fills the texts (keys listed in ``templates_text``); ``related`` labels the
    messages in the outbox (default: ``context["code"]``).

    The rows are written in the caller's transaction, inside a savepoint: a workflow step that rolls back takes
    its notifications with it, and a notification that cannot be written is logged and dropped without harming
    the step. Nothing is sent here; once the step commits, the worker is nudged to send the SMS and email.
    Returns what was queued, or None if nothing could be.
    """
    try:
        queued = _build(event, recipients, context, url, phones, emails, related)
        with transaction.atomic():
            Notification.objects.bulk_create(queued.notifications)
            OutboxMessage.objects.bulk_create(queued.messages)
    except Exception:
        logger.exception("notification %r could not be queued; the workflow goes on without it", event)
        return None
    if queued.messages:
        transaction.on_commit(lambda: nudge(DELIVERY_JOB), robust=True)
    return queued


def signature() -> str:
    return f"【{settings.HEZHANG_SMS_SIGN_NAME}】"


def _build(event, recipients, context, url, phones, emails, related) -> Queued:
    text = EVENTS.get(event)
    if text is None:
        logger.error("no text for notification event %r: sending the general one", event)
        text = FALLBACK
    values = {key: plain(value) for key, value in (context or {}).items()}
    title = (render(text.title, values) or text.label)[:200]
    body = render(text.body, values) or title
    sms, sms_values = render_sms(text.sms, values, signature())
    params = [[name, sms_values.get(name, "")] for name in sms_fields(text.sms)]
    related = (related or values.get("code", ""))[:200]

    people = _unique_users(recipients)
    numbers = _unique(
        [normalize_phone(u.phone) for u in people if u.phone] + [normalize_phone(p) for p in phones]
    )
    addresses = _unique([u.email for u in people if u.email] + list(emails), key=str.lower)

    queued = Queued()
    queued.notifications = [
        Notification(recipient=user, event=event, title=title, body=body, url=url) for user in people
    ]
    queued.messages = [
        OutboxMessage(
            channel=Channel.SMS, to=number, body=sms, template=event, params=params, related=related
        )
        for number in numbers
    ] + [
        OutboxMessage(
            channel=Channel.EMAIL,
            to=address,
            subject=f"{signature()}{title}"[:200],
            body=_email_body(body, url),
            template=event,
            related=related,
        )
        for address in addresses
    ]
    return queued


def _unique_users(recipients: Iterable) -> list:
    seen, people = set(), []
    for user in recipients or ():
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def _unique(items: Iterable[str], key=lambda s: s) -> list[str]:
    seen, result = set(), []
    for item in items:
        item = (item or "").strip()
        if item and key(item) not in seen:
            seen.add(key(item))
            result.append(item)
    return result


def _email_body(body: str, url: str) -> str:
    lines = [body]
    if url:
        base = settings.HEZHANG_PUBLIC_BASE_URL.rstrip("/")
        lines.append(f"{base}{url}" if url.startswith("/") else url)
    lines.append(f"—— {settings.HEZHANG_SITE_NAME}")
    return "\n\n".join(lines)
