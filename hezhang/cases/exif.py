"""Where and when a photo was taken, read from its EXIF block: the evidence a case keeps.

Metadata is optional evidence, never a condition of accepting a photo, so every reader here answers None
(or a default) for anything missing or malformed rather than raising.  No Django here.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from PIL import ExifTags, Image

__all__ = ["capture_time", "gps_position", "orientation", "read_exif"]


def read_exif(image: Image.Image) -> Image.Exif | None:
    try:
        return image.getexif()
    except Exception:
        # Metadata is optional evidence, not a condition of acceptance: a
        # photo whose EXIF is garbage is still a photo.  Pillow's EXIF
        # parser can fail on hostile input in too many ways to list.
        return None


def orientation(exif: Image.Exif | None) -> int:
    if exif is None:
        return 1
    value = exif.get(ExifTags.Base.Orientation)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _ifd(exif: Image.Exif, ifd: ExifTags.IFD) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(ifd))
    except Exception:
        return {}  # see _read_exif: unreadable metadata counts as absent


def _ascii(value: Any) -> str | None:
    # EXIF ASCII fields come back as str, occasionally as bytes, usually
    # with the NUL terminator the standard requires.
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "").strip()


def capture_time(exif: Image.Exif | None) -> datetime | None:
    if exif is None:
        return None
    # DateTimeOriginal belongs in the Exif sub-IFD; a few writers put it in
    # IFD0.  Plain DateTime (IFD0) is deliberately not used: it is when the
    # file was last changed, e.g. by an editing app, not when it was shot.
    raw = _ifd(exif, ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
    if raw is None:
        raw = exif.get(ExifTags.Base.DateTimeOriginal)
    text = _ascii(raw)
    if not text:
        return None
    # The standard says "YYYY:MM:DD HH:MM:SS"; some software writes dashes in
    # the date.  Cameras with an unset clock write zeros or blanks, which
    # fail to parse and are rightly treated as unknown.
    for pattern in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text[:19], pattern)
        except ValueError:
            continue
    return None


def gps_position(exif: Image.Exif | None) -> tuple[float, float] | None:
    """(lon, lat) in decimal degrees, or None if the EXIF GPS block is missing or unusable."""
    if exif is None:
        return None
    gps = _ifd(exif, ExifTags.IFD.GPSInfo)
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "N", "S", 90.0)
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180.0)
    if lat is None or lon is None:
        return None
    # Exactly (0, 0) is what several phones write when they had no fix; it
    # is in the Gulf of Guinea, never on a Chinese river.
    if lat == 0.0 and lon == 0.0:
        return None
    return lon, lat


def _degrees(value: Any, ref: Any, positive: str, negative: str, limit: float) -> float | None:
    """Decimal degrees from EXIF's (degrees, minutes, seconds) rationals and N/S or E/W reference.

    The reference is required: without it the hemisphere is unknown, and a
    point mirrored across the equator or the prime meridian is worse than
    no point.  Some writers store only degrees (decimal) or degrees and
    decimal minutes, so one to three parts are accepted.  Each rational may
    have a zero denominator (Pillow then gives NaN); anything non-finite,
    negative or out of range makes the whole coordinate unknown.
    """
    hemisphere = _ascii(ref)
    if hemisphere is None:
        return None
    hemisphere = hemisphere.upper()[:1]
    if hemisphere not in (positive, negative):
        return None
    parts_raw = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts_raw) <= 3:
        return None
    try:
        parts = [float(part) for part in parts_raw]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if any(not math.isfinite(part) or part < 0 for part in parts):
        return None
    if any(part >= 60 for part in parts[1:]):
        return None
    degrees = sum(part / 60.0**index for index, part in enumerate(parts))
    if degrees > limit:
        return None
    # Seven decimals is about a centimetre, far finer than any phone's fix;
    # rounding only hides the binary noise of the division.
    return round(-degrees if hemisphere == negative else degrees, 7)
