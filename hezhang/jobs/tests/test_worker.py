"""The worker: `hezhang worker --once` for cron and tests, a loop for systemd, a thread only when asked for."""

import threading
import types

import pytest
from django.apps import apps
from django.core.management import call_command

from hezhang.jobs import worker
from hezhang.jobs.models import JobRun
from hezhang.jobs.schedule import every


@pytest.mark.django_db
def test_worker_once_runs_the_due_jobs_and_exits(registry, capsys):
    calls = []

    @every(30, "tick")
    def tick():
        calls.append(1)

    call_command("worker", "--once")
    assert calls == [1] and JobRun.objects.get(name="tick").runs == 1
    assert "tick" in capsys.readouterr().out


def test_the_loop_survives_a_failing_pass_and_stops_when_asked(registry, monkeypatch):
    stop = threading.Event()
    passes = []

    def run_due():
        passes.append(1)
        if len(passes) == 1:
            raise RuntimeError("database is locked")
        stop.set()
        return []

    monkeypatch.setattr(worker.schedule, "run_due", run_due)
    # The loop's connection housekeeping is for long-lived processes; here it would touch the test database.
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker, "connections", types.SimpleNamespace(close_all=lambda: None))
    worker.run_forever(stop, poll=0.01)
    assert len(passes) == 2


def test_the_in_process_worker_starts_only_when_the_environment_asks(monkeypatch):
    started = []
    monkeypatch.setattr(worker, "start_in_process_worker", lambda: started.append(1))
    config = apps.get_app_config("jobs")
    monkeypatch.delenv("HEZHANG_INPROCESS_WORKER", raising=False)
    config.ready()
    assert started == []
    monkeypatch.setenv("HEZHANG_INPROCESS_WORKER", "1")
    config.ready()
    assert started == [1]


def test_the_in_process_worker_is_a_single_daemon_thread(monkeypatch):
    ran = threading.Event()

    def run_forever(stop, poll, first_delay):
        ran.set()
        stop.wait()

    monkeypatch.setattr(worker, "run_forever", run_forever)
    monkeypatch.setattr(worker, "_thread", None)
    monkeypatch.setattr(worker, "_thread_stop", None)
    thread = worker.start_in_process_worker()
    try:
        assert ran.wait(2) and thread.daemon and thread.name == "hezhang-jobs"
        assert worker.start_in_process_worker() is thread
    finally:
        worker.stop_worker(timeout=2)
    assert not thread.is_alive()


def test_a_stopped_worker_can_be_started_again(monkeypatch):
    passes = []

    def run_forever(stop, poll, first_delay):
        passes.append(stop)
        stop.wait()

    monkeypatch.setattr(worker, "run_forever", run_forever)
    monkeypatch.setattr(worker, "_thread", None)
    monkeypatch.setattr(worker, "_thread_stop", None)
    first = worker.start_in_process_worker()
    worker.stop_worker(timeout=2)
    second = worker.start_in_process_worker()
    try:
        assert second is not first and second.is_alive() and not first.is_alive()
        assert len(passes) == 2 and passes[0].is_set() and not passes[1].is_set()
    finally:
        worker.stop_worker(timeout=2)
