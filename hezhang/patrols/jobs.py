"""Periodic jobs of the patrols app (found by hezhang.jobs at start-up)."""

from hezhang.jobs.schedule import every
from hezhang.patrols import standings
from hezhang.patrols.reminders import send_patrol_reminders
from hezhang.patrols.tracking import end_idle_tracker_patrols


@every(300, "patrols.end_idle_trackers")
def end_idle_trackers() -> None:
    end_idle_tracker_patrols()


# Hourly, and idempotent: each reminder is sent once per period (see reminders.py), from 8 a.m. local time.
@every(3600, "patrols.reminders")
def patrol_reminders() -> None:
    send_patrol_reminders()


# Every ten minutes, and idempotent: when a day has begun (or the rules changed), every patroller's standing in
# this week, month, quarter and year is judged again and kept (standings.py); until then pages count as asked.
@every(600, "patrols.standings")
def keep_standings() -> None:
    if standings.stale():
        standings.rebuild()
