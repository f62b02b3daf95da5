"""Reading points sent with the OsmAnd protocol, as Traccar Client and many trackers do.

Not every chief uses our field app: some counties already hand out GPS
trackers or ask staff to run Traccar Client, and both speak the OsmAnd
"live tracking" protocol.  Supporting it means those devices can record
patrols without new software.  Two shapes arrive:

- A GET query or POST form (`read_osmand_params`): `id` (or `deviceid`),
  `timestamp`, `lat` and `lon` or `location=lat,lon`, `speed` in KNOTS,
  `bearing` or `heading`, `altitude`, `accuracy` or `hdop`, `batt`,
  `charge`.
- The JSON body of newer Traccar Client versions (`read_osmand_json`):
  `{"device_id": ..., "location": {"timestamp": ISO, "coords": {"latitude",
  "longitude", "accuracy", "speed", "heading", "altitude"}, "battery":
  {"level": 0..1, "is_charging"}, "is_moving", "event", "activity":
  {"type"}, "odometer", "uuid"}}`, where `location` may also be a list.
  Its speed is in m/s, not knots.

Choices:

- Empty parameters count as absent: trackers fill URL templates and leave a
  blank where they have no value.
- A number time is seconds or milliseconds by size; an ISO time without a
  zone is UTC, as Traccar reads it.  A point without time gets `now`, and a
  time more than `future_slack_s` ahead of `now` is refused, as from the app.
- `hdop` stands in for `accuracy` when only it is sent: OsmAnd itself puts
  its accuracy in metres into `hdop`, which is the commonest sender.  The raw
  value is also kept in the extras.
- A negative speed or heading means "unknown" (iOS reports -1); a negative
  accuracy refuses the point.
- Extras (battery in percent, charging, hdop, motion, event, activity,
  odometer, uuid) are informational: a malformed one is left out rather
  than costing the point.
- OsmAnd points have no sequence number: `seq` is None and the Django layer
  recognises resent points by device and time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any

from hezhang.patrols.batch import epoch_from_value
from hezhang.patrols.points import PointError, TrackPoint

__all__ = ["KNOT_IN_M_PER_S", "read_osmand_json", "read_osmand_params"]

KNOT_IN_M_PER_S = 1852.0 / 3600.0

Reading = tuple[str, TrackPoint, dict[str, Any]]


def _number(raw: Any, field: str) -> float:
    if isinstance(raw, bool):
        raise PointError(f"{field} {raw!r} is not a number.", field=field)
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            raise PointError(f"{field} {raw!r} is not a number.", field=field) from None
    elif isinstance(raw, int | float):
        value = float(raw)
    else:
        raise PointError(f"{field} {raw!r} is not a number.", field=field)
    if not math.isfinite(value):
        raise PointError(f"{field} {raw!r} is not a finite number.", field=field)
    return value


def _present(raw: Any) -> bool:
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


def _first(source: Mapping[str, Any], *names: str) -> tuple[str, Any]:
    for name in names:
        if _present(source.get(name)):
            return name, source[name]
    return names[0], None


def _optional(source: Mapping[str, Any], *names: str) -> float | None:
    name, raw = _first(source, *names)
    return None if raw is None else _number(raw, name)


def _coordinate(raw: Any, field: str, name: str, limit: float) -> float:
    if not _present(raw):
        raise PointError(f"The point has no {name}.", field=field)
    value = _number(raw, field)
    if not -limit <= value <= limit:
        raise PointError(f"{field} {value} is out of range (-{limit:g} to {limit:g}).", field=field)
    return value


def _time(raw: Any, field: str, *, now: float, future_slack_s: float) -> float:
    if not _present(raw):
        return now
    try:
        t = epoch_from_value(raw, naive_zone=UTC)
    except ValueError as exc:
        raise PointError(f"{field} {exc}.", field=field) from None
    if t > now + future_slack_s:
        raise PointError(f"{field} {raw!r} is in the future.", field=field)
    return t


def _device_id(raw: Any, field: str) -> str:
    if not _present(raw) or isinstance(raw, bool) or not isinstance(raw, str | int):
        raise PointError("The request has no device id.", field=field)
    return str(raw).strip()


def _point(
    *,
    t: float,
    lat: float,
    lon: float,
    accuracy: float | None,
    speed: float | None,
    heading: float | None,
    altitude: float | None,
    accuracy_field: str,
) -> TrackPoint:
    if accuracy is not None and accuracy < 0:
        raise PointError(
            f"{accuracy_field} {accuracy} is negative; the fix is not usable.", field=accuracy_field
        )
    return TrackPoint(
        t=t,
        lon=lon,
        lat=lat,
        accuracy=accuracy,
        speed=None if speed is None or speed < 0 else speed,
        heading=None if heading is None or heading < 0 else heading % 360.0,
        altitude=altitude,
        seq=None,
    )


def _lenient(extras: dict[str, Any], key: str, read: Callable[[], Any]) -> None:
    try:
        value = read()
    except (PointError, TypeError, ValueError):
        return
    if value is not None:
        extras[key] = value


def _flag(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "1", "yes"}:
        return True
    if isinstance(raw, str) and raw.strip().lower() in {"false", "0", "no"}:
        return False
    return None


def read_osmand_params(
    params: Mapping[str, str], *, now: float, future_slack_s: float = 300
) -> tuple[str, TrackPoint, dict[str, Any]]:
    """Device id, point and extras from an OsmAnd query string or form; raises `PointError`."""
    id_field, raw_id = _first(params, "id", "deviceid")
    device = _device_id(raw_id, id_field)
    if _present(params.get("location")) and not _present(params.get("lat")):
        parts = params["location"].split(",")
        if len(parts) != 2:
            raise PointError(
                f"location {params['location']!r} is not two numbers 'lat,lon'.", field="location"
            )
        lat = _coordinate(parts[0], "location", "latitude", 90.0)
        lon = _coordinate(parts[1], "location", "longitude", 180.0)
    else:
        lat = _coordinate(params.get("lat"), "lat", "latitude", 90.0)
        lon = _coordinate(params.get("lon"), "lon", "longitude", 180.0)
    time_field, raw_time = _first(params, "timestamp")
    t = _time(raw_time, time_field, now=now, future_slack_s=future_slack_s)
    knots = _optional(params, "speed")
    hdop = _optional(params, "hdop")
    accuracy_field, raw_accuracy = _first(params, "accuracy", "hdop")
    point = _point(
        t=t,
        lat=lat,
        lon=lon,
        accuracy=None if raw_accuracy is None else _number(raw_accuracy, accuracy_field),
        speed=None if knots is None else knots * KNOT_IN_M_PER_S,
        heading=_optional(params, "bearing", "heading"),
        altitude=_optional(params, "altitude"),
        accuracy_field=accuracy_field,
    )
    extras: dict[str, Any] = {}
    if hdop is not None:
        extras["hdop"] = hdop
    _lenient(extras, "battery", lambda: _optional(params, "batt"))
    _lenient(extras, "charging", lambda: _flag(params.get("charge")))
    return device, point, extras


def _json_location(
    location: Any, where: str, *, now: float, future_slack_s: float
) -> tuple[TrackPoint, dict[str, Any]]:
    if not isinstance(location, Mapping):
        raise PointError(f"{where} is not an object.", field=where)
    coords = location.get("coords")
    if not isinstance(coords, Mapping):
        raise PointError(f"{where} has no coords.", field=f"{where}.coords")
    lat = _coordinate(coords.get("latitude"), f"{where}.coords.latitude", "latitude", 90.0)
    lon = _coordinate(coords.get("longitude"), f"{where}.coords.longitude", "longitude", 180.0)
    t = _time(location.get("timestamp"), f"{where}.timestamp", now=now, future_slack_s=future_slack_s)

    def optional(name: str) -> float | None:
        raw = coords.get(name)
        return _number(raw, f"{where}.coords.{name}") if _present(raw) else None

    point = _point(
        t=t,
        lat=lat,
        lon=lon,
        accuracy=optional("accuracy"),
        speed=optional("speed"),
        heading=optional("heading"),
        altitude=optional("altitude"),
        accuracy_field=f"{where}.coords.accuracy",
    )
    extras: dict[str, Any] = {}
    battery = location.get("battery")
    if isinstance(battery, Mapping):

        def percent() -> float | None:
            # Background geolocation reports -1 where the platform gives no level.
            level = _number(battery.get("level"), "level")
            return None if level < 0 else round(level * 100.0, 1)

        _lenient(extras, "battery", percent)
        _lenient(extras, "charging", lambda: _flag(battery.get("is_charging")))
    _lenient(extras, "moving", lambda: _flag(location.get("is_moving")))
    for key in ("event", "uuid"):
        if isinstance(location.get(key), str) and location[key]:
            extras[key] = location[key]
    activity = location.get("activity")
    if isinstance(activity, Mapping) and isinstance(activity.get("type"), str):
        extras["activity"] = activity["type"]
    if _present(location.get("odometer")):
        _lenient(extras, "odometer", lambda: _number(location["odometer"], "odometer"))
    return point, extras


def read_osmand_json(body: Any, *, now: float, future_slack_s: float = 300) -> list[Reading]:
    """Device id, point and extras for every location in a Traccar Client JSON body.

    Raises `PointError` for the first bad location, with its `index` when
    `location` is a list: the body is one request, so it is refused whole.
    """
    if not isinstance(body, Mapping):
        raise PointError("The body is not a JSON object.", field="")
    id_field, raw_id = _first(body, "device_id", "id")
    device = _device_id(raw_id, id_field)
    locations = body.get("location")
    if locations is None:
        raise PointError("The body has no location.", field="location")
    if isinstance(locations, list):
        if not locations:
            raise PointError("The body's location list is empty.", field="location")
        readings: list[Reading] = []
        for index, location in enumerate(locations):
            try:
                point, extras = _json_location(
                    location, f"location[{index}]", now=now, future_slack_s=future_slack_s
                )
            except PointError as exc:
                raise PointError(exc.message, field=exc.field, index=index) from None
            readings.append((device, point, extras))
        return readings
    point, extras = _json_location(locations, "location", now=now, future_slack_s=future_slack_s)
    return [(device, point, extras)]
