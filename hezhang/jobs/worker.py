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
_thread_lock = threading.Lock()
_stop = threading.Event()


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


def stop_worker() -> None:
    _stop.set()
    schedule.wake.set()


def start_in_process_worker(poll: float = POLL_SECONDS) -> threading.Thread:
    """Start the loop in a daemon thread of this process (once; later calls return the running thread).

    Called from ``JobsConfig.ready()`` when ``HEZHANG_INPROCESS_WORKER=1``; a command that decides to run jobs after
    Django has started (e.g. the development server) may call it directly.
    """
    global _thread
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return _thread
        _stop.clear()
        _thread = threading.Thread(
            target=run_forever,
            kwargs={"stop": _stop, "poll": poll, "first_delay": FIRST_PASS_DELAY},
            name="hezhang-jobs",
            daemon=True,
        )
        _thread.start()
        logger.info("background jobs: in-process worker started")
        return _thread
