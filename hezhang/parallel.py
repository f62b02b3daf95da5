"""Independent reads done at once, each on its own database connection: a statistics page's patrol figures, case
figures and blank spots do not wait for each other, and the database works on one while Python counts another.

Only on PostgreSQL and outside a transaction: another connection does not see a transaction's uncommitted rows
(a test's, say), and SQLite's in-memory databases are not shared between connections. Elsewhere the calls run one
after the other, with the same results.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from django.db import close_old_connections, connection, connections
from django.utils import timezone, translation

__all__ = ["WORKERS", "at_once", "close"]

# Threads kept for the calls after the first.
WORKERS = 2
PREFIX = "hezhang-read"
_pool: ThreadPoolExecutor | None = None
_opened: set = set()  # the workers' connections, for `close`
_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix=PREFIX)
            atexit.register(close)
        return _pool


def close() -> None:
    """Close the workers' connections (when none is at work: at exit, or after a test)."""
    with _lock:
        opened = list(_opened)
        _opened.clear()
    for wrapper in opened:
        wrapper.inc_thread_sharing()
        try:
            wrapper.close()
        finally:
            wrapper.dec_thread_sharing()


def _concurrent() -> bool:
    # Not from a worker either: its calls waiting for workers might wait for themselves.
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and not threading.current_thread().name.startswith(PREFIX)
    )


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """The results of `calls`, in order; the first runs in this thread, the others in worker threads meanwhile
    (in a worker, all run in it, one after the other).

    Each call must only read. The workers take this thread's language and time zone; an exception in any call is
    raised here once all have finished.
    """
    if len(calls) < 2 or not _concurrent():
        return [call() for call in calls]
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def run(call: Callable[[], Any]) -> Any:
        # A worker keeps its connection (a fresh one is slower for its first queries as well as to open), unless
        # it is older than CONN_MAX_AGE or broken.
        close_old_connections()
        try:
            with translation.override(language):
                timezone.activate(zone)
                try:
                    return call()
                finally:
                    timezone.deactivate()
        finally:
            with _lock:
                _opened.update(c for c in connections.all(initialized_only=True) if c.connection is not None)

    futures = [_executor().submit(run, call) for call in calls[1:]]
    try:
        first = calls[0]()
    finally:
        wait(futures)
    return [first, *(future.result() for future in futures)]
