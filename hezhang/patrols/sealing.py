"""The compact form a patrol's track is kept in once the patrol has ended.

While a patrol runs its points arrive one row each in a staging table, which
is what lets resent batches be merged and a half-finished patrol be shown.
A county with a few thousand chiefs patrolling weekly produces hundreds of
millions of such rows a year, so when a patrol ends its points are sealed
into one blob and the rows are dropped; a sealed track is read whole or not
at all (map, scoring, export), never queried point by point.

Format, version 1:

    b"HZT" + version byte (1) + zlib(payload)

    payload = uint32 count, int64 first time in ms since the epoch,
              5 bytes: for accuracy, speed, heading, altitude and seq, whether
              the column is all present (0), all None (1) or mixed (2),
              for each mixed column its presence bits (numpy.packbits),
              then one stream of uint64 words holding, column after column,
              the zigzagged differences of
                time (ms since the first point), lon and lat (1e-7 degree):
                  second differences,
                accuracy, speed, heading and altitude (hundredths) and seq:
                  first differences, over the column's present values only,
              byte-shuffled: every word's lowest byte first, then every
              second byte, and so on.

Why this shape: a walking chief moves at a nearly steady pace, so time and
position change by nearly the same amount from one fix to the next and their
second differences are small (about a tenth less storage than first ones on
walking tracks); the other values wander, and their first differences are
small.  Zigzag makes small negatives small too, so in each eight-byte word
only the low one or two bytes vary, and shuffling puts the constant high
bytes in long runs zlib reduces to almost nothing.  None is kept in a
separate presence mask rather than as a sentinel value, because a sentinel
in the middle of a differenced column would cost two huge differences each
time it appears.  Differences are taken in wrapping 64-bit arithmetic, which
decoding undoes exactly, so even extreme seq values survive.

Size, measured on synthetic walks with every optional value present: about
5.3 bytes a point at one fix a second, 6.6 at one every five seconds (the
positions and headings then move further between fixes); a track without
heading or altitude takes about two bytes a point less.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from hezhang.patrols.points import TrackPoint

__all__ = ["SealError", "seal", "unseal"]

_MAGIC = b"HZT"
_VERSION = 1
_HEAD = struct.Struct("<Iq5B")

_ALL_PRESENT, _ALL_NONE, _MIXED = 0, 1, 2

_CENTI_FIELDS = ("accuracy", "speed", "heading", "altitude")
_CENTI = 100.0
_DEGREE_UNITS = 1e7

# Scaled values must fit in int64 with room to spare for rounding.
_LIMIT = float(2**62)

Ints = npt.NDArray[np.int64]
Words = npt.NDArray[np.uint64]
T = TypeVar("T")


class SealError(ValueError):
    """A track that cannot be sealed, or a blob that is not a sealed track."""


def _scaled(values: Sequence[float], scale: float, name: str) -> Ints:
    array = np.asarray(values, dtype=np.float64) * scale
    if not np.all(np.isfinite(array)):
        raise SealError(f"A point's {name} is not a finite number.")
    if np.any(np.abs(array) >= _LIMIT):
        raise SealError(f"A point's {name} is too large to be sealed.")
    return np.rint(array).astype(np.int64)


def _encode(values: Ints, order: int) -> Words:
    for _ in range(order):
        values = np.diff(values, prepend=np.int64(0))
    return ((values << 1) ^ (values >> 63)).view(np.uint64)


def _decode(words: Words, order: int) -> Ints:
    values = (words >> np.uint64(1)).view(np.int64) ^ -(words & np.uint64(1)).view(np.int64)
    for _ in range(order):
        values = np.cumsum(values, dtype=np.int64)
    return values


def _presence_kind(present: int, n: int) -> int:
    if present == n:
        return _ALL_PRESENT
    return _ALL_NONE if present == 0 else _MIXED


def seal(points: Sequence[TrackPoint]) -> bytes:
    """One blob holding `points` in order; see the module docstring for what is kept."""
    n = len(points)
    if n >= 2**32:
        raise SealError(f"A track of {n} points is too long to be sealed.")
    for p in points:
        if not (-180.0 <= p.lon <= 180.0 and -90.0 <= p.lat <= 90.0):
            raise SealError(f"The point at lon {p.lon}, lat {p.lat} is outside WGS84's range.")
    t_ms = _scaled([p.t for p in points], 1000.0, "time")
    t0 = int(t_ms[0]) if n else 0
    streams = [
        _encode(t_ms - np.int64(t0), 2),
        _encode(_scaled([p.lon for p in points], _DEGREE_UNITS, "longitude"), 2),
        _encode(_scaled([p.lat for p in points], _DEGREE_UNITS, "latitude"), 2),
    ]
    kinds: list[int] = []
    masks: list[bytes] = []
    for name in (*_CENTI_FIELDS, "seq"):
        raw = [getattr(p, name) for p in points]
        present = [v for v in raw if v is not None]
        kinds.append(_presence_kind(len(present), n))
        if kinds[-1] == _MIXED:
            masks.append(np.packbits(np.array([v is not None for v in raw], dtype=bool)).tobytes())
        if name != "seq":
            streams.append(_encode(_scaled(present, _CENTI, name), 1))
        elif any(not -(2**63) <= v < 2**63 for v in present):
            raise SealError("A point's seq does not fit in 64 bits.")
        else:
            streams.append(_encode(np.array(present, dtype=np.int64), 1))
    words = np.concatenate(streams).astype("<u8")
    shuffled = words.view(np.uint8).reshape(-1, 8).T.tobytes()
    payload = _HEAD.pack(n, t0, *kinds) + b"".join(masks) + shuffled
    return _MAGIC + bytes([_VERSION]) + zlib.compress(payload, 9)


def _payload(blob: bytes) -> bytes:
    if len(blob) < 4 or blob[:3] != _MAGIC:
        raise SealError("This is not a sealed track.")
    if blob[3] != _VERSION:
        raise SealError(f"Sealed track format version {blob[3]} is not known to this version of hezhang.")
    try:
        payload = zlib.decompress(blob[4:])
    except zlib.error as exc:
        raise SealError(f"The sealed track is damaged ({exc}).") from None
    if len(payload) < _HEAD.size:
        raise SealError("The sealed track is damaged (too short).")
    return payload


def _spread(mask: npt.NDArray[np.bool_], present: list[T]) -> list[T | None]:
    column: list[T | None] = [None] * len(mask)
    for position, value in zip(np.flatnonzero(mask).tolist(), present, strict=True):
        column[position] = value
    return column


def unseal(blob: bytes) -> list[TrackPoint]:
    """The points a `seal` call was given, to the precision the format keeps."""
    payload = _payload(blob)
    n, t0, *kinds = _HEAD.unpack_from(payload)
    if any(k not in (_ALL_PRESENT, _ALL_NONE, _MIXED) for k in kinds):
        raise SealError("The sealed track is damaged (unknown column kind).")
    offset = _HEAD.size
    mask_size = (n + 7) // 8
    masks: list[npt.NDArray[np.bool_]] = []
    for kind in kinds:
        if kind == _MIXED:
            if len(payload) < offset + mask_size:
                raise SealError("The sealed track is damaged (too short).")
            bits = np.frombuffer(payload, dtype=np.uint8, count=mask_size, offset=offset)
            masks.append(np.unpackbits(bits, count=n).astype(bool))
            offset += mask_size
        else:
            masks.append(np.full(n, kind == _ALL_PRESENT, dtype=bool))
    lengths = [n, n, n] + [int(m.sum()) for m in masks]
    body = payload[offset:]
    if len(body) != 8 * sum(lengths):
        raise SealError("The sealed track is damaged (wrong length).")
    words = np.frombuffer(body, dtype=np.uint8).reshape(8, -1).T.copy().view("<u8").ravel().astype(np.uint64)
    bounds = np.cumsum([0, *lengths]).tolist()
    chunks = [words[start:end] for start, end in zip(bounds[:-1], bounds[1:], strict=True)]
    times = ((_decode(chunks[0], 2) + np.int64(t0)) / 1000.0).tolist()
    lons = (_decode(chunks[1], 2) / _DEGREE_UNITS).tolist()
    lats = (_decode(chunks[2], 2) / _DEGREE_UNITS).tolist()
    centi = [
        _spread(m, (_decode(c, 1) / _CENTI).tolist()) for m, c in zip(masks[:4], chunks[3:7], strict=True)
    ]
    seqs = _spread(masks[4], _decode(chunks[7], 1).tolist())
    return [
        TrackPoint(
            t=times[i],
            lon=lons[i],
            lat=lats[i],
            accuracy=centi[0][i],
            speed=centi[1][i],
            heading=centi[2][i],
            altitude=centi[3][i],
            seq=seqs[i],
        )
        for i in range(n)
    ]
