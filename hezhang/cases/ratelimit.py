"""Hourly limits on public reports per address and per phone, counted in the database.

A fixed one-hour window per key, generous enough for a person and too tight for a script. The count is one
upsert statement (INSERT … ON CONFLICT … DO UPDATE … RETURNING, which SQLite and PostgreSQL both speak), so
it costs a fraction of a millisecond, holds across every server process and machine sharing the database, and
needs no cache server. Old windows are deleted by a periodic job.
"""

import datetime

from django.db import connection
from django.utils import timezone

from hezhang.cases.models import RateWindow

_WINDOW_FORMAT = "%Y%m%d%H"


def _window(now: datetime.datetime) -> str:
    return now.astimezone(datetime.UTC).strftime(_WINDOW_FORMAT)


def hit(key: str, limit: int, now: datetime.datetime | None = None) -> bool:
    """Count one attempt for ``key``; True when this attempt is over ``limit`` for the current hour.

    Refused attempts count too: whoever keeps trying past the limit stays refused until the hour ends.
    """
    return hit_all([(key, limit)], now)


def hit_all(limits: list[tuple[str, int]], now: datetime.datetime | None = None) -> bool:
    """Count one attempt against each (key, limit) in one statement; True when any is over its limit."""
    if not limits:
        return False
    table = connection.ops.quote_name(RateWindow._meta.db_table)
    key_col, window_col, count_col = (connection.ops.quote_name(c) for c in ("key", "window", "count"))
    window = _window(now or timezone.now())
    wanted = {key[:100]: limit for key, limit in limits}
    rows = ", ".join(["(%s, %s, 1)"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {window_col}, {count_col}) VALUES {rows} "
            f"ON CONFLICT ({key_col}, {window_col}) DO UPDATE SET {count_col} = {table}.{count_col} + 1 "
            f"RETURNING {key_col}, {count_col}",
            [value for key in wanted for value in (key, window)],
        )
        counts = cursor.fetchall()
    return any(count > wanted[key] for key, count in counts)


def forget_old(now: datetime.datetime | None = None) -> int:
    """Delete the windows before the previous hour; returns how many rows went."""
    cutoff = _window((now or timezone.now()) - datetime.timedelta(hours=1))
    deleted, _ = RateWindow.objects.filter(window__lt=cutoff).delete()
    return deleted
