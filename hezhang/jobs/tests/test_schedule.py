"""run_due: each periodic job runs once per interval, never twice at once, and a failing job harms no other."""

import datetime

import pytest
from django.utils import timezone

from hezhang.jobs import schedule
from hezhang.jobs.models import JobRun
from hezhang.jobs.schedule import every, run_due

pytestmark = pytest.mark.django_db


def counting(name, seconds, calls, **options):
    @every(seconds, name, **options)
    def job():
        calls.append(name)

    return job


def test_a_job_does_not_run_twice_within_its_interval(registry):
    calls = []
    counting("tick", 60, calls)
    start = timezone.now()
    assert run_due(now=start) == ["tick"]
    assert run_due(now=start + datetime.timedelta(seconds=59)) == []
    assert calls == ["tick"]
    run = JobRun.objects.get(name="tick")
    assert run.runs == 1 and run.last_started == start and not run.running


def test_a_job_runs_again_once_its_interval_has_elapsed(registry):
    calls = []
    counting("tick", 60, calls)
    start = timezone.now()
    run_due(now=start)
    assert run_due(now=start + datetime.timedelta(seconds=60)) == ["tick"]
    assert calls == ["tick", "tick"] and JobRun.objects.get(name="tick").runs == 2


def test_a_failing_job_records_its_error_and_the_others_still_run(registry):
    calls = []

    @every(10, "broken")
    def broken():
        raise RuntimeError("河长办数据库不可用")

    counting("fine", 10, calls)
    assert run_due() == ["broken", "fine"]
    assert calls == ["fine"]
    broken_run = JobRun.objects.get(name="broken")
    assert "RuntimeError: 河长办数据库不可用" in broken_run.last_error and not broken_run.running
    assert JobRun.objects.get(name="fine").last_error == ""


def test_a_later_success_clears_the_error(registry):
    outcomes = [RuntimeError("once"), None]

    @every(10, "flaky")
    def flaky():
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome

    start = timezone.now()
    run_due(now=start)
    run_due(now=start + datetime.timedelta(seconds=10))
    assert JobRun.objects.get(name="flaky").last_error == ""


def test_a_run_another_worker_started_is_not_started_again(registry):
    calls = []
    counting("tick", 60, calls)
    now = timezone.now()
    # Another process claimed it 5 minutes ago and is still at it (the job is slow).
    JobRun.objects.create(name="tick", last_started=now - datetime.timedelta(minutes=5), runs=1)
    assert run_due(now=now) == []
    assert calls == []


def test_a_run_that_never_finished_is_taken_over_after_its_timeout(registry):
    calls = []
    counting("tick", 60, calls, timeout=900)
    now = timezone.now()
    JobRun.objects.create(name="tick", last_started=now - datetime.timedelta(minutes=16), runs=1)
    assert run_due(now=now) == ["tick"]


def test_of_two_workers_that_read_the_same_row_only_one_claims_the_run(registry):
    counting("tick", 60, [])
    JobRun.objects.create(name="tick")
    now = timezone.now()
    first_read = JobRun.objects.get(name="tick")
    second_read = JobRun.objects.get(name="tick")
    assert schedule.claim_run(first_read, now) is True
    assert schedule.claim_run(second_read, now + datetime.timedelta(seconds=1)) is False
    assert JobRun.objects.get(name="tick").runs == 1


def test_a_nudged_job_runs_before_its_interval_ends(registry):
    calls = []
    counting("deliver", 600, calls)
    start = timezone.now()
    run_due(now=start)
    schedule.nudge("deliver")
    assert run_due(now=start + datetime.timedelta(seconds=1)) == ["deliver"]
    assert run_due(now=start + datetime.timedelta(seconds=2)) == []


def test_only_the_named_jobs_run_when_names_are_given(registry):
    calls = []
    counting("a", 10, calls)
    counting("b", 10, calls)
    assert run_due(names=["b"]) == ["b"] and calls == ["b"]


def test_two_functions_cannot_share_a_job_name(registry):
    counting("same", 10, [])
    with pytest.raises(ValueError, match="already registered"):

        @every(10, "same")
        def other():
            pass


def test_notification_delivery_is_registered_as_a_periodic_job():
    job = schedule.JOBS["notifications.deliver"]
    assert job.seconds == 10
