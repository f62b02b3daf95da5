"""The registry of periodic jobs and ``run_due``, which runs those whose interval has elapsed (see the package doc)."""

import datetime
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone

from hezhang.jobs.models import JobRun

logger = logging.getLogger(__name__)

ERROR_CHARS = 4000


@dataclass(frozen=True)
class Job:
    name: str
    seconds: int
    func: Callable[[], object]
    # A run that started this long ago and never finished is presumed dead (its process was killed) and may be
    # started again; until then nobody else starts it, however long it takes.
    timeout: int


JOBS: dict[str, Job] = {}

# Jobs asked to run at the next tick of this process's worker loop, interval or not (see `nudge`).
_nudged: set[str] = set()
_nudged_lock = threading.Lock()
wake = threading.Event()


def every(seconds: int, name: str, *, timeout: int | None = None) -> Callable:
    """Register the decorated function (no arguments) to run every ``seconds`` under the unique ``name``."""
    if seconds < 1:
        raise ValueError("a job's interval is at least one second")

    def register(func: Callable[[], object]) -> Callable[[], object]:
        known = JOBS.get(name)
        if known is not None and _qualname(known.func) != _qualname(func):
            raise ValueError(f"job {name!r} is already registered by {_qualname(known.func)}")
        JOBS[name] = Job(name, seconds, func, timeout or max(600, 10 * seconds))
        return func

    return register


def _qualname(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def nudge(name: str) -> None:
    """Ask this process's worker loop (if it runs one) to run the job now rather than when its interval ends.

    The claim in the database still applies, so a nudge never makes a job run twice at once.
    """
    with _nudged_lock:
        _nudged.add(name)
    wake.set()


def _take_nudged(names: set[str]) -> set[str]:
    with _nudged_lock:
        taken = _nudged & names
        _nudged.difference_update(taken)
    return taken


def run_due(now: datetime.datetime | None = None, names: Iterable[str] | None = None) -> list[str]:
    """Run every registered job (or only ``names``) whose interval has elapsed; return the names that ran.

    A failing job is logged and its error recorded on its JobRun row; the others still run.
    """
    now = now or timezone.now()
    jobs = [JOBS[n] for n in names] if names is not None else list(JOBS.values())
    if not jobs:
        return []
    _ensure_rows([job.name for job in jobs])
    nudged = _take_nudged({job.name for job in jobs})
    ran = []
    for job in jobs:
        if _claim(job, now, forced=job.name in nudged):
            _run(job, now)
            ran.append(job.name)
    return ran


def _ensure_rows(names: list[str]) -> None:
    existing = set(JobRun.objects.filter(name__in=names).values_list("name", flat=True))
    missing = [JobRun(name=name) for name in names if name not in existing]
    if missing:
        # Two workers starting together may both insert: the loser's rows are ignored.
        JobRun.objects.bulk_create(missing, ignore_conflicts=True)


def is_due(run: JobRun, job: Job, now: datetime.datetime, forced: bool = False) -> bool:
    if run.last_started is None:
        return True
    since = (now - run.last_started).total_seconds()
    if run.running:
        return since >= job.timeout
    return forced or since >= job.seconds


def _claim(job: Job, now: datetime.datetime, forced: bool = False) -> bool:
    db = router.db_for_write(JobRun)
    with transaction.atomic(using=db):
        runs = JobRun.objects.using(db).filter(name=job.name)
        if connections[db].features.has_select_for_update_skip_locked:
            # PostgreSQL: a row another worker is claiming right now is skipped instead of waited for.
            runs = runs.select_for_update(skip_locked=True)
        run = runs.first()
        if run is None or not is_due(run, job, now, forced):
            return False
        return claim_run(run, now, db)


def claim_run(run: JobRun, now: datetime.datetime, db: str = "default") -> bool:
    """Compare-and-set: start the run only if nobody moved ``last_started`` since ``run`` was read.

    This is what keeps SQLite (which has no row locks) safe, and PostgreSQL too should the lock be skipped.
    """
    updated = (
        JobRun.objects.using(db)
        .filter(pk=run.pk, last_started=run.last_started)
        .update(last_started=now, runs=F("runs") + 1)
    )
    return updated == 1


def _run(job: Job, started: datetime.datetime) -> None:
    clock = time.monotonic()
    error = ""
    try:
        job.func()
    except Exception as exc:
        logger.exception("job %s failed", job.name)
        error = (f"{type(exc).__name__}: {exc}\n\n" + traceback.format_exc())[-ERROR_CHARS:]
    # Measured from the claimed start, so a run given an explicit `now` (tests, catching up) stays consistent.
    finished = started + datetime.timedelta(seconds=time.monotonic() - clock)
    JobRun.objects.filter(name=job.name, last_started=started).update(
        last_finished=finished, last_error=error
    )
