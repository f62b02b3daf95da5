"""Reading the points the field app uploads in batches while a patrol runs.

The app records a fix every few seconds and, because river banks often have
no signal, queues them and posts them later as a JSON list, resending a batch
whenever it did not see the answer.  So a batch may repeat points the server
already has, may be hours old, and, on a phone whose clock or GPS chip
misbehaves, may hold points that are plainly wrong.  One wrong point must not
cost the patrol the others: every point is judged on its own, the good ones
are kept and each bad one comes back as a `PointError` naming its place and
field, with an English sentence the Django layer can translate.

A point is an object with:

- `seq`: required, a non-negative integer the app numbers its points with.
  It is what makes a resent point recognisable, so a point without one is
  refused rather than guessed at; the first valid point with a given `seq`
  in a batch wins, and later ones are reported as duplicates.
- `t` (or `time`; `t` wins if both are sent): the device time, as epoch
  seconds, epoch milliseconds (told apart by size, see `epoch_from_number`)
  or ISO 8601.  An ISO time without a zone is taken as China time (UTC+8),
  because that is what a phone set to Chinese local time writes when a
  formatter drops the zone; the other readers pass their own default.
- `lat`, `lon`: required numbers; JSON strings are refused, the app is ours.
- `accuracy` (metres), `speed` (m/s), `heading` (degrees), `altitude`
  (metres): optional numbers or null.  A negative accuracy refuses the point
  (iOS reports one for a fix it considers invalid); a negative speed or
  heading means "unknown" (iOS again reports -1 then) and becomes None.
- `crs`: optional per point, overriding the batch's: "wgs84", "gcj02" or
  "bd09" (any spelling `normalise_crs` knows); points are converted to WGS84.

The time helpers here are also used by the OsmAnd and GPX readers, which
differ only in how they read a time without a zone.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hezhang.geo.coords import normalise_crs, to_wgs84
from hezhang.patrols.points import PointError, TrackPoint

__all__ = [
    "CHINA_TIME",
    "epoch_from_iso",
    "epoch_from_number",
    "epoch_from_value",
    "read_points",
]

CHINA_TIME = timezone(timedelta(hours=8))

# 1e11 seconds is the year 5138 while 1e11 milliseconds is March 1973, so
# any time a patrol can have is unambiguous on one side of this line.
_MILLISECONDS_FROM = 1e11

# The largest seq the sealed track format and the database column can hold.
_SEQ_MAX = 2**63 - 1

# A date, then a time: "2026-05-01T08:30" or the basic form "20260501T0830".
_ISO_DATETIME = re.compile(r"^\s*\d{4}-?\d{2}-?\d{2}[T ]\d{2}")
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def epoch_from_number(value: float) -> float:
    """Epoch seconds from a number that is either seconds or milliseconds."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    return value / 1000.0 if abs(value) >= _MILLISECONDS_FROM else float(value)


def epoch_from_iso(text: str, *, naive_zone: timezone) -> float:
    """Epoch seconds from an ISO 8601 date and time; `naive_zone` applies when it has no zone."""
    if not _ISO_DATETIME.match(text):
        raise ValueError(f"{text!r} is not an ISO 8601 date and time")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive_zone)
    return moment.timestamp()


def epoch_from_value(value: Any, *, naive_zone: timezone) -> float:
    """Epoch seconds from a number, a numeric string or an ISO 8601 string."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number or an ISO 8601 date and time")
    if isinstance(value, int | float):
        return epoch_from_number(float(value))
    if isinstance(value, str):
        if _NUMBER.match(value):
            return epoch_from_number(float(value))
        return epoch_from_iso(value, naive_zone=naive_zone)
    raise ValueError(f"{value!r} is not a number or an ISO 8601 date and time")


def _describe_time(t: float) -> str:
    try:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{t:.0f} s since 1970"


def _coordinate(item: dict[str, Any], name: str, limit: float) -> float:
    if name not in item or item[name] is None:
        raise PointError(f"The point has no {name}.", field=name)
    value = item[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PointError(f"{name} {value!r} is not a number.", field=name)
    value = float(value)
    if not math.isfinite(value):
        raise PointError(f"{name} {value} is not a finite number.", field=name)
    if not -limit <= value <= limit:
        raise PointError(f"{name} {value} is out of range (-{limit:g} to {limit:g}).", field=name)
    return value


def _optional(item: dict[str, Any], name: str) -> float | None:
    value = item.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PointError(f"{name} {value!r} is not a number.", field=name)
    value = float(value)
    if not math.isfinite(value):
        raise PointError(f"{name} {value} is not a finite number.", field=name)
    return value


def _seq(item: dict[str, Any]) -> int:
    if "seq" not in item or item["seq"] is None:
        raise PointError("The point has no seq.", field="seq")
    value = item["seq"]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PointError(f"seq {value!r} is not a whole number.", field="seq")
    if not 0 <= value <= _SEQ_MAX:
        raise PointError(f"seq {value} is out of range (0 to {_SEQ_MAX}).", field="seq")
    return value


def _time(item: dict[str, Any], *, now: float, not_before: float | None, future_slack_s: float) -> float:
    field = "t" if item.get("t") is not None else "time"
    if item.get(field) is None:
        raise PointError("The point has no time (t).", field="t")
    try:
        t = epoch_from_value(item[field], naive_zone=CHINA_TIME)
    except ValueError as exc:
        raise PointError(f"{field} {exc}.", field=field) from None
    if t > now + future_slack_s:
        raise PointError(
            f"{field} {_describe_time(t)} is in the future (the server time is {_describe_time(now)}).",
            field=field,
        )
    if not_before is not None and t < not_before:
        raise PointError(
            f"{field} {_describe_time(t)} is before the patrol started ({_describe_time(not_before)}).",
            field=field,
        )
    return t


def _point(item: Any, *, crs: str, now: float, not_before: float | None, future_slack_s: float) -> TrackPoint:
    if not isinstance(item, dict):
        raise PointError(f"The point is not an object but {type(item).__name__} {item!r:.60}.")
    seq = _seq(item)
    lat = _coordinate(item, "lat", 90.0)
    lon = _coordinate(item, "lon", 180.0)
    t = _time(item, now=now, not_before=not_before, future_slack_s=future_slack_s)
    accuracy = _optional(item, "accuracy")
    if accuracy is not None and accuracy < 0:
        raise PointError(f"accuracy {accuracy} is negative; the fix is not usable.", field="accuracy")
    speed = _optional(item, "speed")
    heading = _optional(item, "heading")
    altitude = _optional(item, "altitude")
    point_crs = item.get("crs")
    if point_crs is not None:
        try:
            crs = normalise_crs(point_crs)
        except ValueError as exc:
            raise PointError(f"{exc}.", field="crs") from None
    lon, lat = to_wgs84(lon, lat, crs)
    return TrackPoint(
        t=t,
        lon=lon,
        lat=lat,
        accuracy=accuracy,
        speed=None if speed is None or speed < 0 else speed,
        heading=None if heading is None or heading < 0 else heading % 360.0,
        altitude=altitude,
        seq=seq,
    )


def read_points(
    items: list[Any],
    *,
    crs: str = "wgs84",
    now: float,
    not_before: float | None,
    future_slack_s: float = 300,
) -> tuple[list[TrackPoint], list[PointError]]:
    """The valid points of a batch, in the order sent, and one error per refused point.

    `now` is the server's time and `not_before` the earliest acceptable
    device time (the caller subtracts its own slack from the patrol's start).
    A batch-wide `crs` the platform does not know is the caller's mistake,
    not a point's, so it raises `PointError` (field "crs", no index).
    """
    try:
        batch_crs = normalise_crs(crs)
    except ValueError as exc:
        raise PointError(f"{exc}.", field="crs") from None
    points: list[TrackPoint] = []
    errors: list[PointError] = []
    first_index_of_seq: dict[int | None, int] = {}
    for index, item in enumerate(items):
        try:
            point = _point(item, crs=batch_crs, now=now, not_before=not_before, future_slack_s=future_slack_s)
        except PointError as exc:
            errors.append(PointError(exc.message, field=exc.field, index=index))
            continue
        if point.seq in first_index_of_seq:
            errors.append(
                PointError(
                    f"seq {point.seq} was already sent as point {first_index_of_seq[point.seq]} "
                    "of this batch; the first one is kept.",
                    field="seq",
                    index=index,
                )
            )
            continue
        first_index_of_seq[point.seq] = index
        points.append(point)
    return points, errors
