"""Notifications: in-app messages under the bell, and SMS and email through an outbox.

The cases workflow calls ``hezhang.notifications.service.notify(event, recipients, context, url=…)``. Messages are
written in the caller's transaction (they vanish with a rolled-back step) and sent afterwards by the background
worker (``delivery.deliver_pending``, a job of ``hezhang.jobs``), so a slow or failing SMS provider never holds up or
breaks the workflow. The default "outbox" providers send nothing: system admins read what would have gone out at
``/notifications/outbox/``.
"""
