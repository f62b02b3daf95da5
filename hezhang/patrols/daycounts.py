"""A year of counts per day in a few dozen bytes: a bitmap of the days with any, and the few days with more than one.

A patroller patrols on about a hundred days a year and hardly ever twice in a day. The patrol rate of a province
asks, for each of its 56 000 patrollers, how many valid patrols fell in each of up to 53 periods: as 366 counts a
patroller that is 20 MB to read for a year, as a bitmap (46 bytes) and the days with more than one (usually none)
it is under 3 MB, and every count is still exact. Day 0 is the 1st of January. No Django here.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__ = [
    "BITMAP_BYTES",
    "DAYS",
    "EMPTY",
    "bitmaps",
    "count_periods",
    "decode",
    "encode",
    "extras",
    "extras_of",
    "keep_extras",
    "packed",
    "span_counts",
]

DAYS = 366
BITMAP_BYTES = (DAYS + 7) // 8
EMPTY = bytes(BITMAP_BYTES)
# A day with n > 1: its index and n - 1, little-endian whatever the machine.
MORE = np.dtype([("day", "<u2"), ("more", "<u4")])
# The days with more than one of many years: (row, day, how many more), a column each.
Extras = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]


def encode(counts: npt.ArrayLike) -> tuple[bytes, bytes]:
    """(bitmap, more) of DAYS counts, none negative."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.shape != (DAYS,) or (counts < 0).any():
        raise ValueError(f"expected {DAYS} counts, none negative")
    bits = np.packbits(counts > 0, bitorder="little").tobytes()
    days = np.flatnonzero(counts > 1)
    more = np.empty(len(days), dtype=MORE)
    more["day"] = days
    more["more"] = counts[days] - 1
    return bits, more.tobytes()


def decode(bits: bytes, more: bytes = b"") -> npt.NDArray[np.int64]:
    """The DAYS counts of (bitmap, more)."""
    counts = np.unpackbits(np.frombuffer(bits, np.uint8), count=DAYS, bitorder="little").astype(np.int64)
    extra = np.frombuffer(more, MORE)
    counts[extra["day"]] += extra["more"]
    return counts


def bitmaps(bits: Sequence[bytes]) -> npt.NDArray[np.uint8]:
    """Many bitmaps (or the same slice of bytes of each) at once, a row of zeros and ones each, 8 a byte."""
    return np.unpackbits(packed(bits), axis=1, bitorder="little")


def packed(bits: Sequence[bytes]) -> npt.NDArray[np.uint8]:
    """Many bitmaps (or the same slice of bytes of each) as a matrix of bytes, a row each."""
    width = len(bits[0]) if len(bits) else BITMAP_BYTES
    return np.frombuffer(b"".join(bits), np.uint8).reshape(len(bits), width)


def extras(more: Sequence[bytes]) -> Extras:
    """(row, day, how many more than one) of every day with more than one, over many years' `more`."""
    return extras_of(np.array(list(map(len, more)), dtype=np.int64), b"".join(more))


def extras_of(sizes: npt.NDArray[np.int64], joined: bytes) -> Extras:
    """`extras` of the `more` of many years given joined, with the length of each."""
    found = np.frombuffer(joined, MORE)
    return (
        np.repeat(np.arange(len(sizes)), sizes // MORE.itemsize),
        found["day"].astype(np.int64),
        found["more"].astype(np.int64),
    )


def keep_extras(more: Extras, rows: npt.NDArray[np.int64]) -> Extras:
    """`more` of the rows `rows` only, numbered as their positions in `rows`."""
    which, days, extra = more
    at = np.full(int(max(which.max(initial=-1), rows.max(initial=-1))) + 1, -1, dtype=np.int64)
    at[rows] = np.arange(len(rows))
    kept = at[which] >= 0
    return at[which][kept], days[kept], extra[kept]


# The number of days set in each byte value, and the byte with bits i..j-1 set.
ONES = np.array([bin(v).count("1") for v in range(256)], dtype=np.uint8)
SPAN = np.array([[((1 << j) - 1) & ~((1 << i) - 1) for j in range(9)] for i in range(9)], dtype=np.uint8)


def span_counts(bytes_: npt.NDArray[np.uint8], spans: Sequence[tuple[int, int]]) -> npt.NDArray[np.int64]:
    """The days set in each row of bitmaps (bytes, a row each) in each span of days [a, b) of them.

    Never unpacked: whole bytes are counted from a running total of each byte's count, and the first and last
    byte of a span through a mask. For 56 000 patrollers and 53 weeks that is a few million byte operations, in 16
    bits (a row holds at most 8 * 46 days).
    """
    n, width = bytes_.shape
    if not n or not spans:
        return np.zeros((n, len(spans)), dtype=np.int64)
    ones = ONES[bytes_]
    total = np.zeros((n, width + 1), dtype=np.int16)
    np.cumsum(ones, axis=1, dtype=np.int16, out=total[:, 1:])
    a = np.array([a for a, _b in spans])
    b = np.array([b for _a, b in spans])
    first, last = a // 8, b // 8  # the bytes of the first day and of the day after the last
    single = first == last
    # Whole bytes between the first and the last (none when both are one byte).
    out = total[:, last] - total[:, np.minimum(first + 1, last)]
    # The first byte, from the first day to its end or to the day after the last: counted whole when it can be.
    head = SPAN[a % 8, np.where(single, b % 8, 8)]
    whole = head == 0xFF
    out[:, whole] += ones[:, first[whole]]
    part = np.flatnonzero(~whole)
    out[:, part] += ONES[bytes_[:, first[part]] & head[part]]
    # The last byte, up to the day after the last, when the span ends inside it.
    tail = np.where(single | (last >= width), 0, SPAN[0, b % 8]).astype(np.uint8)
    part = np.flatnonzero(tail)
    out[:, part] += ONES[bytes_[:, last[part]] & tail[part]]
    return out.astype(np.int64)


# A year's bitmaps as `count_periods` takes them: (patroller, bitmaps, extras, first byte[, calendars served]).
YearRows = (
    tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], Extras, int]
    | tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], Extras, int, Collection[int]]
)


def count_periods(
    years: Mapping[int, YearRows] | Sequence[tuple[int, YearRows]],
    calendar: npt.NDArray[np.int64],
    periods: Sequence[Sequence[tuple[datetime.date, datetime.date]]],
) -> list[npt.NDArray[np.int64]]:
    """Each patroller's count in each period of their calendar, from their years of counts.

    `years` maps a year to (patroller, bitmaps, extras, first byte): a row each of patroller (a position in
    `calendar`, which gives each patroller's calendar, an index into `periods`: each calendar's periods, first and
    last day, in order) and bitmap (as `packed` gives them, maybe the same slice of each, from `first byte` on),
    and the days with more than one (`extras`). It may instead be a list of (year, rows) with the calendars each
    rows serve as a fifth member: a year read in parts, each counted for its calendars only. Returns a table a
    calendar: a row per patroller of it (in their order), a column per period. A patroller may have several rows
    in a year (one a region): they add up.
    """
    place = np.zeros(len(calendar), dtype=np.int64)
    counts = []
    for g, p in enumerate(periods):
        members = calendar == g
        place[members] = np.arange(int(members.sum()))
        counts.append(np.zeros((int(members.sum()), len(p)), dtype=np.int64))
    for year, (who, bits, more, first_byte, *served) in (
        years.items() if isinstance(years, Mapping) else years
    ):
        jan1 = datetime.date(year, 1, 1)
        # Each calendar's periods as days of this year [a, b), those that fall in it.
        spans = [
            [
                (k, max((first - jan1).days, 0), min((last - jan1).days + 1, DAYS))
                for k, (first, last) in enumerate(p)
            ]
            for p in periods
        ]
        spans = [[s for s in p if s[1] < s[2]] for p in spans]
        if not len(who) or not any(spans):
            continue
        offset = first_byte * 8
        rows, days, extra = more
        for g, cut in enumerate(spans):
            if served and g not in served[0]:
                continue
            mine = np.flatnonzero(calendar[who] == g)
            if not len(mine) or not cut:
                continue
            columns = np.array([k for k, _a, _b in cut])
            a = np.array([a for _k, a, _b in cut])
            b = np.array([b for _k, _a, b in cut])
            sums = span_counts(bits[mine], list(zip(a - offset, b - offset, strict=True)))
            # The days with more than one: the rest of their count, in the period they fall in.
            extra_rows = np.isin(rows, mine)
            if extra_rows.any():
                at = np.full(len(who), -1, dtype=np.int64)
                at[mine] = np.arange(len(mine))
                d = days[extra_rows]
                k = np.searchsorted(a, d, side="right") - 1
                inside = (k >= 0) & (d < b[np.maximum(k, 0)])
                np.add.at(sums, (at[rows[extra_rows]][inside], k[inside]), extra[extra_rows][inside])
            # A patroller with patrols in several regions has a row for each, added up; the others are simply put.
            target = place[who[mine]]
            order = np.argsort(target)
            target, sums = target[order], sums[order]
            same = target[1:] == target[:-1]
            several = np.r_[same, False] | np.r_[False, same]
            if len(columns) == counts[g].shape[1]:  # every period (in order): whole rows at once
                counts[g][target[~several]] += sums[~several]
            else:
                counts[g][target[~several][:, None], columns[None, :]] += sums[~several]
            np.add.at(counts[g], (target[several][:, None], columns[None, :]), sums[several])
    return counts
