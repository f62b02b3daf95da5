"""Many rows read as a few columns: what the province-wide counts read their tens of thousands of rows with.

On PostgreSQL a query's rows come back as one row of aggregates, sent in binary: numbers joined into one bytes
value each (read with numpy at once), text as arrays, bytes joined. Tens of thousands of rows handled one by one
by the driver cost more than the query that finds them, and the same bytes sent as text (hex) twice as long. Other
databases read the rows and turn them into columns here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from django.db import connection
from django.db.models import QuerySet

__all__ = ["fetch_binary", "read"]


def fetch_binary(sql: str, params: Sequence) -> tuple:
    """The one row of `sql` on PostgreSQL, its values sent in binary (bytes as they are, not as hex text).

    Through Django's cursor wrapper, so that the query is logged and timed as any other; only the driver's cursor
    is one that binds parameters on the server, which binary results need.
    """
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    raw.format = psycopg.pq.Format.BINARY
    with connection._prepare_cursor(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def read(rows: QuerySet, fields: Sequence[str], ints: Collection[str] = ()) -> list:
    """The columns of `rows.values_list(*fields)`: the `ints` as numpy int64 arrays, the others as lists."""
    sql, params = rows.values_list(*fields).query.sql_with_params()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        names = [f"t.{quote(f'col{k}')}" for k in range(len(fields))]
        outer = ", ".join(
            f"string_agg(int8send({name}::int8), ''::bytea)" if field in ints else f"array_agg({name})"
            for name, field in zip(names, fields, strict=True)
        )
        inner = ", ".join(quote(f"col{k}") for k in range(len(fields)))
        found = fetch_binary(f"SELECT {outer} FROM ({sql}) t({inner})", params)
        return [
            np.frombuffer(bytes(value or b""), ">i8").astype(np.int64) if field in ints else list(value or ())
            for field, value in zip(fields, found, strict=True)
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    columns = [list(column) for column in zip(*found, strict=True)] if found else [[] for _ in fields]
    return [
        np.array(column, dtype=np.int64) if field in ints else column
        for field, column in zip(fields, columns, strict=True)
    ]
