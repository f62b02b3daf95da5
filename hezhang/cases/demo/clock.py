"""The demo's clock: the history happened in the past, but the workflow stamps `timezone.now()`.

Each step of a demo case runs under `clock(at)`, which stops Django's clock at that moment. Stopping the clock,
rather than giving the workflow a `now` argument, keeps the demo on exactly the code path a real user takes and
leaves production code without a test-only door.
"""

from __future__ import annotations

import contextlib
import datetime

from django.utils import timezone


@contextlib.contextmanager
def clock(at: datetime.datetime):
    """Stop Django's clock at `at` while the block runs: the workflow stamps events with `timezone.now()`.

    Process-wide, so nothing else may run meanwhile (`hezhang demo` pauses the in-process job runner). Model
    defaults (`Case.created_at`, `CaseEvent.at`) hold the real function, so `build_cases` sets a report's
    times afterwards.
    """
    real = timezone.now
    timezone.now = lambda: at
    try:
        yield
    finally:
        timezone.now = real
