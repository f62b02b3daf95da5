"""Periodic jobs of the patrols app (found by hezhang.jobs at start-up)."""

from hezhang.jobs.schedule import every
from hezhang.patrols.tracking import end_idle_tracker_patrols


@every(300, "patrols.end_idle_trackers")
def end_idle_trackers() -> None:
    end_idle_tracker_patrols()
