import pytest

from hezhang.jobs import schedule


@pytest.fixture
def registry(monkeypatch):
    """An empty job registry for the test, so the app's real jobs (notification delivery…) stay out of the way."""
    monkeypatch.setattr(schedule, "JOBS", {})
    monkeypatch.setattr(schedule, "_nudged", set())
    return schedule.JOBS
