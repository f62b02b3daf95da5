"""Writing millions of plain rows quickly: PostgreSQL's COPY, or large `executemany` batches on SQLite.

Values arrive ready for the database (timestamps and JSON as text), so nothing is adapted per row here. Every
index and constraint stays in place: dropping and rebuilding them would save a little time on an empty table and
cost a lot on one that already holds patrols, and a failed rebuild would leave the app without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection

__all__ = ["Loader"]


class Loader:
    """Bulk writes on the default connection, inside the caller's transaction."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        # Naive UTC for SQLite, as Django stores it there; an explicit offset for PostgreSQL's timestamptz.
        self.zone = "+00" if self.postgres else ""

    def ids(self, table: str, n: int) -> list[int]:
        """`n` fresh primary keys for `table`, so that rows written without RETURNING can be referred to."""
        with connection.cursor() as cursor:
            if self.postgres:
                # From the table's own sequence: safe however many others insert meanwhile.
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the caller's transaction holds the write lock (IMMEDIATE), so no one else inserts meanwhile.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + n))

    def stamps(self, t: np.ndarray) -> list[str]:
        """Epoch seconds as the text of timestamp columns, to the second."""
        iso = np.datetime_as_string(np.floor(t).astype(np.int64).astype("datetime64[s]")).tolist()
        return [f"{s[:10]} {s[11:]}{self.zone}" for s in iso]

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        quoted = connection.ops.quote_name(table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                # The psycopg 3 cursor under Django's wrapper.
                with cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quoted} ({names}) VALUES ({marks})", rows)
