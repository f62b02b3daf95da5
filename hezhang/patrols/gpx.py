"""GPX import and export of patrol tracks.

GPX is what every GPS app and handheld can write and read, so it is how a
chief who recorded a patrol with OsmAnd, a Garmin or 两步路/六只脚 brings it
in, and how an office hands a patrol to someone else's map.

Reading (`read_gpx`) takes the points of every `trk`/`trkseg`/`trkpt`, in
document order; only when a file has no track does it take `rte`/`rtept`;
waypoints are ignored.  Per point it reads `time`, `ele`, GPX 1.0's `speed`
and `course`, and, matched by local name whatever their namespace, the usual
extension elements: `speed`, `course`, `heading` or `bearing` (Garmin's
TrackPointExtension v2, OsmAnd's `osmand:` elements, and ours), `accuracy`,
and `hdop`.  `hdop` is read as the accuracy in metres when no `accuracy` is
given: OsmAnd, the commonest app here, writes its accuracy there.  Elements
that are direct children of the point win over extension elements.

Choices:

- A point without a time refuses the file: a patrol is judged on when it
  was walked, and guessing times would make that judgement up.
- A time without a zone is UTC, as the GPX schema says it must be.
- Any value the reader recognises but cannot read refuses the file, with its
  line number, rather than being dropped silently.
- A negative speed or course means "unknown" and becomes None.
- A DOCTYPE refuses the file: no GPX writer needs one, and it is the door to
  entity expansion and external entity attacks.
- Files in an encoding expat does not know (GBK from older Chinese loggers)
  are decoded by Python and parsed again.

Writing (`write_gpx`) produces GPX 1.1 with one track and segment, times in
UTC with milliseconds where there are any, `ele`, speed and course in
Garmin's TrackPointExtension v2 (which most apps read), and the accuracy in
metres as `hz:accuracy`, an element of this platform's own namespace rather
than `hdop`, which other readers would take as a dilution of precision.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from hezhang.patrols.batch import epoch_from_iso
from hezhang.patrols.points import TrackPoint

__all__ = ["HEZHANG_GPX_NAMESPACE", "GpxError", "read_gpx", "write_gpx"]

GPX_11_NAMESPACE = "http://www.topografix.com/GPX/1/1"
GARMIN_TPX_NAMESPACE = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
HEZHANG_GPX_NAMESPACE = "urn:hezhang:gpx:1"

# Local names of the values read from a point, in any namespace.
_VALUE_NAMES = frozenset({"time", "ele", "speed", "course", "heading", "bearing", "accuracy", "hdop"})

_UNKNOWN_ENCODING = expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING]

_POINT_PARENTS = [("trkpt", ["trkseg"]), ("rtept", ["rte"])]

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class GpxError(ValueError):
    """A file that cannot be read as a GPX track; `line` is where, when known."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message if line is None else f"Line {line}: {message}")
        self.message = message
        self.line = line


@dataclass
class _Point:
    line: int
    lat: str | None
    lon: str | None
    direct: dict[str, tuple[str, int]] = field(default_factory=dict)
    nested: dict[str, tuple[str, int]] = field(default_factory=dict)


class _Reader:
    """Collects track and route points from expat's events."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.path: list[str] = []
        self.track: list[_Point] = []
        self.route: list[_Point] = []
        self.point: _Point | None = None
        self.point_depth = 0
        self.text: list[str] = []

    def line(self) -> int:
        return int(self.parser.CurrentLineNumber)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if not self.path and local != "gpx":
            raise GpxError(
                f"This is not a GPX file: its root element is <{local}>, not <gpx>.", line=self.line()
            )
        self.path.append(local)
        self.text = []
        if self.point is None and (local, self.path[-2:-1]) in _POINT_PARENTS:
            self.point = _Point(self.line(), attributes.get("lat"), attributes.get("lon"))
            self.point_depth = len(self.path)
            (self.track if local == "trkpt" else self.route).append(self.point)

    def end(self, name: str) -> None:
        local = self.path.pop()
        point = self.point
        if point is None:
            return
        if len(self.path) < self.point_depth:
            self.point = None
            return
        text = "".join(self.text).strip()
        if local in _VALUE_NAMES and text:
            found = point.direct if len(self.path) == self.point_depth else point.nested
            found.setdefault(local, (text, self.line()))
        self.text = []

    def characters(self, data: str) -> None:
        self.text.append(data)

    def refuse_doctype(self, *_: Any) -> None:
        raise GpxError(
            "The file declares a DOCTYPE, which GPX files never need; it is refused for safety.",
            line=self.line(),
        )

    def refuse_entity(self, *_: Any) -> None:
        raise GpxError(
            "The file declares XML entities, which GPX files never need; it is refused for safety.",
            line=self.line(),
        )


def _parse(data: bytes | str) -> _Reader:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    reader = _Reader(parser)
    parser.StartDoctypeDeclHandler = reader.refuse_doctype
    parser.EntityDeclHandler = reader.refuse_entity
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.characters
    parser.buffer_text = True
    parser.Parse(data, True)
    return reader


def _parse_any_encoding(data: bytes) -> _Reader:
    try:
        return _parse(data)
    except GpxError:
        raise
    except (expat.ExpatError, ValueError, LookupError) as exc:
        # Depending on the encoding and version, pyexpat reports one it has
        # no table for as a ValueError (multi-byte), a LookupError (no such
        # codec) or an ExpatError.
        if isinstance(exc, expat.ExpatError) and exc.code != _UNKNOWN_ENCODING:
            raise
        declared = _XML_DECLARATION.match(data)
        if not declared:
            raise GpxError("The file's character encoding is not supported.") from None
        encoding = declared.group(1).decode("ascii")
        try:
            text = data[declared.end() :].decode(encoding)
        except (LookupError, UnicodeDecodeError):
            raise GpxError(f"The file cannot be decoded as {encoding}, the encoding it declares.") from None
        return _parse(text)


def _lookup(point: _Point, *names: str) -> tuple[str, str, int] | None:
    """The first non-empty value among `names`, direct children before extension elements."""
    for found in (point.direct, point.nested):
        for name in names:
            text, line = found.get(name, ("", 0))
            if text:
                return name, text, line
    return None


def _number(point: _Point, *names: str) -> float | None:
    found = _lookup(point, *names)
    if found is None:
        return None
    name, text, line = found
    try:
        number = float(text)
    except ValueError:
        raise GpxError(f"<{name}> {text!r} is not a number.", line=line) from None
    if not math.isfinite(number):
        raise GpxError(f"<{name}> {text!r} is not a finite number.", line=line)
    return number


def _coordinate(raw: str | None, name: str, limit: float, line: int) -> float:
    if raw is None or not raw.strip():
        raise GpxError(f"A point has no {name} attribute.", line=line)
    try:
        value = float(raw)
    except ValueError:
        raise GpxError(f"{name} {raw!r} is not a number.", line=line) from None
    if not -limit <= value <= limit:
        raise GpxError(f"{name} {value} is out of range (-{limit:g} to {limit:g}).", line=line)
    return value


def _track_point(point: _Point) -> TrackPoint:
    lat = _coordinate(point.lat, "lat", 90.0, point.line)
    lon = _coordinate(point.lon, "lon", 180.0, point.line)
    time_text, time_line = point.direct.get("time", ("", point.line))
    if not time_text:
        raise GpxError(
            "A point has no time; a patrol needs the time of every point, so the file is refused.",
            line=point.line,
        )
    try:
        t = epoch_from_iso(time_text, naive_zone=UTC)
    except ValueError as exc:
        raise GpxError(f"<time> {exc}.", line=time_line) from None
    speed = _number(point, "speed")
    heading = _number(point, "course", "heading", "bearing")
    accuracy = _number(point, "accuracy", "hdop")
    if accuracy is not None and accuracy < 0:
        raise GpxError(f"The accuracy {accuracy} is negative.", line=point.line)
    return TrackPoint(
        t=t,
        lon=lon,
        lat=lat,
        accuracy=accuracy,
        speed=None if speed is None or speed < 0 else speed,
        heading=None if heading is None or heading < 0 else heading % 360.0,
        altitude=_number(point, "ele"),
        seq=None,
    )


def read_gpx(data: bytes) -> list[TrackPoint]:
    """The track points of a GPX 1.0 or 1.1 file, or its route points if it has no track."""
    try:
        reader = _parse_any_encoding(data)
    except expat.ExpatError as exc:
        raise GpxError(
            f"The file is not well-formed XML ({expat.errors.messages[exc.code]}).", line=exc.lineno
        ) from None
    points = reader.track or reader.route
    if not points:
        raise GpxError("The GPX file has no track or route points.")
    return [_track_point(p) for p in points]


def _iso(t: float) -> str:
    seconds, milliseconds = divmod(round(t * 1000), 1000)
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{milliseconds:03d}Z" if milliseconds else f"{text}Z"


def _decimal(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(value: str) -> str:
    return escape(_XML_ILLEGAL.sub("", value))


def _trkpt(p: TrackPoint) -> Iterable[str]:
    yield f'      <trkpt lat="{_decimal(p.lat, 7)}" lon="{_decimal(p.lon, 7)}">'
    if p.altitude is not None:
        yield f"        <ele>{_decimal(p.altitude, 2)}</ele>"
    yield f"        <time>{_iso(p.t)}</time>"
    if p.speed is not None or p.heading is not None or p.accuracy is not None:
        yield "        <extensions>"
        if p.speed is not None or p.heading is not None:
            yield "          <gpxtpx:TrackPointExtension>"
            if p.speed is not None:
                yield f"            <gpxtpx:speed>{_decimal(p.speed, 2)}</gpxtpx:speed>"
            if p.heading is not None:
                yield f"            <gpxtpx:course>{_decimal(p.heading % 360.0, 2)}</gpxtpx:course>"
            yield "          </gpxtpx:TrackPointExtension>"
        if p.accuracy is not None:
            yield f"          <hz:accuracy>{_decimal(p.accuracy, 2)}</hz:accuracy>"
        yield "        </extensions>"
    yield "      </trkpt>"


def write_gpx(
    points: Iterable[TrackPoint], *, name: str, description: str = "", creator: str = "hezhang"
) -> bytes:
    """A GPX 1.1 document with `points` as one track segment, in UTF-8."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx version="1.1" creator={quoteattr(_XML_ILLEGAL.sub("", creator))}'
        f' xmlns="{GPX_11_NAMESPACE}"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xmlns:gpxtpx="{GARMIN_TPX_NAMESPACE}"'
        f' xmlns:hz="{HEZHANG_GPX_NAMESPACE}"'
        f' xsi:schemaLocation="{GPX_11_NAMESPACE} http://www.topografix.com/GPX/1/1/gpx.xsd'
        f' {GARMIN_TPX_NAMESPACE} https://www8.garmin.com/xmlschemas/TrackPointExtensionv2.xsd">',
        "  <trk>",
        f"    <name>{_text(name)}</name>",
    ]
    if description:
        lines.append(f"    <desc>{_text(description)}</desc>")
    lines.append("    <trkseg>")
    for p in points:
        lines.extend(_trkpt(p))
    lines += ["    </trkseg>", "  </trk>", "</gpx>", ""]
    return "\n".join(lines).encode("utf-8")
