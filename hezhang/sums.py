"""Adding to rows of sums kept per key, as the summaries of patrols and cases do: one upsert statement a batch.

`ON CONFLICT … DO UPDATE` (PostgreSQL and SQLite alike): each row's sums are added to the row with its keys, which
is created when missing, so two transactions adding to one row never lose either's part.
"""

from __future__ import annotations

import datetime

from django.db import connection

# Rows a statement carries: well under SQLite's oldest limit of 999 parameters.
ROWS = 150


def add_to(model, keys: tuple[str, ...], sums: tuple[str, ...], rows: list[tuple]) -> None:
    """Add each row's `sums` to the row of `model` with its `keys`, created when missing."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(c) for c in (*keys, *sums))
    marks = "(" + ", ".join(["%s"] * (len(keys) + len(sums))) + ")"
    update = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in sums)
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for first in range(0, len(rows), ROWS):
            batch = rows[first : first + ROWS]
            params = [adapt(v) if isinstance(v, datetime.date) else v for row in batch for v in row]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * len(batch))} "
                f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) DO UPDATE SET {update}",
                params,
            )
