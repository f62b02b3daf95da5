"""The worker loop: ``hezhang worker`` runs it in the foreground, ``start_in_process_worker`` in a daemon thread."""

import logging
import threading

from django.db import close_old_connections, connections

from hezhang.jobs import schedule

logger = logging.getLogger(__name__)

POLL_SECONDS = 5.0
# The web process starting the thread may still be migrating or warming up; the first pass waits a little.
FIRST_PASS_DELAY = 3.0

_thread: threading.Thread | None = None
_thread_stop: threading.Event | None = None
_thread_lock = threading.Lock()


def tick() -> list[str]:
    """One pass: run what is due. Never raises, so a broken job or a database hiccup cannot end the loop."""
    close_old_connections()
    try:
        return schedule.run_due()
    except Exception:
        logger.exception("background jobs: this pass failed; trying again at the next one")
        return []
    finally:
        close_old_connections()


def run_forever(stop: threading.Event, poll: float = POLL_SECONDS, first_delay: float = 0.0) -> None:
    if first_delay and stop.wait(first_delay):
        return
    try:
        while not stop.is_set():
            # Cleared before the pass, so a nudge arriving during it is not lost: the wait below returns at once.
            schedule.wake.clear()
            tick()
            schedule.wake.wait(poll)
    finally:
        connections.close_all()


def start_in_process_worker(poll: float = POLL_SECONDS) -> threading.Thread:
    """Start the loop in a daemon thread of this process (once; later calls return the running thread).

    Called from ``JobsConfig.ready()`` when ``HEZHANG_INPROCESS_WORKER=1``; a command that decides to run jobs after
    Django has started (e.g. the development server) may call it directly.
    """
    global _thread, _thread_stop
    with _thread_lock:
        if _thread is not None and _thread.is_alive() and not _thread_stop.is_set():
            return _thread
        # A thread still finishing its last pass after stop_worker() keeps its own stop signal and ends by itself.
        _thread_stop = threading.Event()
        _thread = threading.Thread(
            target=run_forever,
            kwargs={"stop": _thread_stop, "poll": poll, "first_delay": FIRST_PASS_DELAY},
            name="hezhang-jobs",
            daemon=True,
        )
        _thread.start()
        logger.info("background jobs: in-process worker started")
        return _thread


def stop_worker(timeout: float = 30.0) -> None:
    """Stop this process's in-process worker, waiting up to ``timeout`` seconds for a pass in progress to end."""
    with _thread_lock:
        thread, stop = _thread, _thread_stop
    if thread is None or stop is None:
        return
    stop.set()
    schedule.wake.set()
    if thread is not threading.current_thread():
        thread.join(timeout)
