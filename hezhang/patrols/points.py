"""A track point, as every way of recording a patrol delivers it.

The field app, Traccar-style trackers (OsmAnd protocol) and GPX files all end
up as `TrackPoint`s in WGS84; the readers convert other coordinate systems and
units on the way in, so cleaning, scoring and sealing never have to ask.
No Django here: the scorer and the benchmark use these directly.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PointError", "TrackPoint"]


@dataclass(frozen=True, slots=True)
class TrackPoint:
    """One GPS fix.

    `t` is the device time in seconds since the Unix epoch (UTC, fractions
    allowed). `seq` is the client's own number for the point (sequence or id),
    which makes a resent batch recognisable; None where the source has none
    (a GPX file), in which case the time stands in for it.
    """

    t: float
    lon: float
    lat: float
    accuracy: float | None = None  # metres, horizontal
    speed: float | None = None  # metres per second
    heading: float | None = None  # degrees clockwise from north
    altitude: float | None = None  # metres
    seq: int | None = None


class PointError(ValueError):
    """A point that cannot be accepted; `field` names the offending input and `index` its place."""

    def __init__(self, message: str, *, field: str = "", index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.index = index
