"""Periodic jobs of the cases app (found by hezhang.jobs at start-up); the deadline check registers itself."""

from hezhang.cases import ratelimit
from hezhang.cases.intake import RENDER_JOB, render_pending
from hezhang.jobs.schedule import every


@every(5, RENDER_JOB)
def render_photos() -> None:
    # Keep going while a burst of reports left work behind, a batch at a time so one run stays short.
    while render_pending(limit=50) == 50:
        pass


@every(1800, "cases.rate_windows")
def forget_rate_windows() -> None:
    ratelimit.forget_old()
