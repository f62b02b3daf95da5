"""Periodic jobs of the notifications app (found by hezhang.jobs at start-up)."""

from hezhang.jobs.schedule import every
from hezhang.notifications.delivery import DELIVERY_JOB, deliver_pending


@every(10, DELIVERY_JOB)
def deliver() -> None:
    deliver_pending()
