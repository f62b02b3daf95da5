"""Periodic jobs of the monitoring app (found by hezhang.jobs at start-up)."""

from hezhang.jobs.schedule import every
from hezhang.monitoring.alerts import check_missing


@every(900, "monitoring.missing")
def missing_data() -> None:
    check_missing()
