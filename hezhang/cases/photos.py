"""Photos attached to cases: checking an upload, reading where and when it was taken, making safe copies.

A case (a problem reported on a river or lake) carries photos taken before
and after it is dealt with.  Those photos arrive from phones and from the
public, so everything about them is untrusted: the file name, the declared
content type and the bytes themselves.  This module therefore

* decides what a file is by decoding it, never by its name or MIME type;
* refuses decompression bombs by their header, before any pixel is decoded;
* reads the capture time and the GPS position from EXIF, because that is
  the evidence of where and when the problem was seen;
* produces the copies that may be shown to anyone (``public_copy`` and
  ``thumbnail``) as freshly encoded JPEGs with no metadata at all.  An
  original photo's EXIF says where its author stood and often which phone
  they own; a whistle-blower's location is personal information that must
  not leak through a public case page.  Only the re-encoded copies are for
  display; the original stays with the case as evidence.

It deliberately imports nothing from Django, so that it can be used and
tested on its own (by views, by the API, by management commands).

HEIC/HEIF (the default on iPhones) is read through the optional
``pillow-heif`` package.  Its opener is registered the first time a photo is
handled rather than at import, so that merely importing this module does
not load libheif, and a server without the package still accepts the other
formats and refuses HEIC with a message telling the user what to do.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

if TYPE_CHECKING:
    from PIL.ImageCms import ImageCmsProfile

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "PhotoError",
    "PhotoInfo",
    "heif_supported",
    "inspect",
    "public_copy",
    "thumbnail",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# 40 million pixels is above any phone camera's normal output (a 48 MP
# sensor bins to 12 MP by default) yet well below the point where decoding
# one upload would take gigabytes of memory: a 40 MP RGB image is ~120 MB.
DEFAULT_MAX_PIXELS = 40_000_000

# The format names this module reports, keyed by the name Pillow gives.
# Pillow calls a JPEG that carries a multi-picture index (some cameras and
# phones write one for depth or preview frames) "MPO"; it is still a JPEG to
# anyone uploading it, and its first frame is the photo.
_REPORTED_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "HEIF"}

# ISO base media files name their kind in the "ftyp" box at offset 4; these
# brands are the HEVC-coded HEIF ones, as phones write them.  AVIF ("avif",
# "avis") is deliberately absent: it is a different codec we do not accept.
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)

# What goes wrong inside Pillow's decoders on hostile or broken input is not
# one exception type: truncated data gives OSError, bad chunk checksums
# SyntaxError, malformed headers struct.error/ValueError/IndexError, a
# broken zlib stream zlib.error, libheif RuntimeError.  All of them mean the
# same thing to the person uploading: the file cannot be read.
_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    IndexError,
    KeyError,
    TypeError,
    RuntimeError,
)

# EXIF orientations 5-8 describe a quarter turn: the stored width is the
# displayed height.
_QUARTER_TURN_ORIENTATIONS = frozenset({5, 6, 7, 8})

_JPEG_QUALITY_RANGE = range(1, 96)  # Pillow's docs: above 95 only grows the file.
_THUMBNAIL_QUALITY = 75


class PhotoError(ValueError):
    """An upload that is not an acceptable photo.

    ``str(error)`` is a Chinese sentence meant to be shown to the person who
    uploaded the file as it is.  ``code`` is a stable machine-readable reason
    (``empty``, ``too_large``, ``not_image``, ``heif_unsupported``,
    ``too_many_pixels``, ``damaged``) for APIs and logs, so callers never
    have to parse the sentence.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class PhotoInfo:
    """What ``inspect`` learned about an accepted photo.

    ``width``/``height`` are the pixel dimensions as stored in the file;
    ``upright_width``/``upright_height`` are those of the photo as it should
    be displayed, after the EXIF orientation is applied (a portrait photo
    from a phone is usually stored landscape with orientation 6).  HEIF
    photos come out of pillow-heif already turned upright (the HEIF
    container's own rotation is applied and the EXIF orientation reset to 1),
    so for them both pairs are equal.

    ``taken_at`` is EXIF DateTimeOriginal as the camera's clock showed it:
    a naive datetime in the photographer's local time, with no time zone
    (cameras rarely record one).  For this platform that is China Standard
    Time in practice, but nothing here asserts it.

    ``lon``/``lat`` are decimal degrees from the EXIF GPS block, as the
    device recorded them; phones record WGS84, the platform's datum.  Both
    are None unless both are present and make sense.
    """

    format: str
    width: int
    height: int
    orientation: int
    upright_width: int
    upright_height: int
    size_bytes: int
    sha256: str
    taken_at: datetime | None
    lon: float | None
    lat: float | None

    @property
    def has_location(self) -> bool:
        return self.lon is not None and self.lat is not None


@cache
def heif_supported() -> bool:
    """Whether HEIC/HEIF photos can be read here (pillow-heif is installed).

    The first call registers pillow-heif's opener with Pillow; later calls
    only return the cached answer.  Registering twice would be harmless, so
    a race between threads on the first call does not matter.
    """
    try:
        import pillow_heif
    except ImportError:
        return False
    # Embedded thumbnails, depth maps and auxiliary images are never used
    # here; not decoding them means less attacker-controlled data parsed and
    # less memory per photo.  These options are process-wide, which is fine
    # because this module is the only user of pillow-heif in the project.
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
    return True


def inspect(
    data: bytes,
    filename: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> PhotoInfo:
    """Check that ``data`` is a photo we accept and describe it.

    Raises PhotoError, naming ``filename`` where that helps the user, if the
    file is empty, larger than ``max_bytes``, not a JPEG/PNG/WebP/HEIF image
    (whatever its name says), larger than ``max_pixels`` according to its
    header, or cannot be fully decoded.
    """
    name = _display_name(filename)
    if not data:
        raise PhotoError(f"文件{_spaced(name)}是空的", "empty")
    # The size check comes first and costs nothing: nothing else should be
    # spent on a file that is going to be refused anyway.
    if len(data) > max_bytes:
        raise PhotoError(f"照片{_spaced(name)}超过 {_megabytes(max_bytes)}", "too_large")

    with _bomb_warnings_as_errors():
        # verify() looks for structural damage that decoding may tolerate
        # (a PNG chunk with a wrong checksum, for instance) but leaves the
        # image object unusable, hence the second open before load().
        header = _open_header(data, name, max_pixels)
        try:
            header.verify()
        except _DECODE_ERRORS:
            raise _damaged(name) from None
        finally:
            header.close()
        image = _decode(data, name, max_pixels, fit_within=None)

    with image:
        reported_format = _REPORTED_FORMAT[str(image.format)]
        width, height = image.size
        exif = _read_exif(image)

    orientation = _orientation(exif)
    turned = orientation in _QUARTER_TURN_ORIENTATIONS
    position = _gps_position(exif)
    return PhotoInfo(
        format=reported_format,
        width=width,
        height=height,
        orientation=orientation,
        upright_width=height if turned else width,
        upright_height=width if turned else height,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        taken_at=_capture_time(exif),
        lon=position[0] if position else None,
        lat=position[1] if position else None,
    )


def public_copy(data: bytes, max_side: int = 1600, quality: int = 82) -> bytes:
    """A JPEG of the photo that is safe to show to anyone.

    The photo is turned upright per its EXIF orientation (because the copy
    will carry no orientation tag to tell a browser to do it), scaled down
    so that neither side exceeds ``max_side`` (never up), converted to sRGB
    and to plain RGB with any transparency laid on white (JPEG has no
    alpha), then encoded afresh with no EXIF, no GPS, no ICC profile and no
    comment.

    ``data`` should already have passed ``inspect``; the pixel limit is
    checked again anyway so this function is never the weak spot.
    """
    return _render(data, max_side, quality)


def thumbnail(data: bytes, side: int = 320) -> bytes:
    """A small metadata-free JPEG for lists and map pop-ups.

    The whole photo is fitted inside a ``side`` x ``side`` square rather than
    cropped to it: the problem being reported may be at the edge of the
    frame, and a thumbnail that cuts it off is misleading.
    """
    return _render(data, side, _THUMBNAIL_QUALITY)


# --- opening and decoding -------------------------------------------------


@contextmanager
def _bomb_warnings_as_errors() -> Iterator[None]:
    """Make Pillow's DecompressionBombWarning an exception inside the block.

    Pillow only warns between MAX_IMAGE_PIXELS and twice that, and raises
    DecompressionBombError above.  We want a hard stop in both cases.
    warnings.catch_warnings changes process-wide state, so under threads a
    concurrent block could see the filter leak or vanish; both outcomes are
    benign here, because our own max_pixels check (which does not rely on
    warnings) runs on every header and is the stricter one by default.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _accepted_pillow_formats() -> list[str]:
    formats = ["JPEG", "PNG", "WEBP"]
    if heif_supported():
        formats.append("HEIF")
    return formats


def _open_header(data: bytes, name: str | None, max_pixels: int) -> ImageFile.ImageFile:
    """Open ``data`` reading only its header, and refuse it if it claims too many pixels.

    Image.open parses the header but decodes no pixels, so the size it
    reports is what the file *claims*.  A decompression bomb is a small file
    claiming a huge size; refusing on the claim, before load(), is what keeps
    it from ever allocating its pixels.  ``formats`` limits which of Pillow's
    many parsers (TIFF, PSD, EPS...) untrusted bytes are ever handed to.
    """
    formats = _accepted_pillow_formats()
    try:
        image = Image.open(io.BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        limit = max_pixels if Image.MAX_IMAGE_PIXELS is None else min(max_pixels, Image.MAX_IMAGE_PIXELS)
        raise _too_many_pixels(limit) from None
    except UnidentifiedImageError:
        raise _unidentified(data, name) from None
    except _DECODE_ERRORS:
        raise _damaged(name) from None
    if not isinstance(image, ImageFile.ImageFile):  # pragma: no cover - every opener returns one
        raise _damaged(name)
    width, height = image.size
    if width < 1 or height < 1:
        image.close()
        raise _damaged(name)
    if width * height > max_pixels:
        image.close()
        raise _too_many_pixels(max_pixels)
    return image


def _decode(data: bytes, name: str | None, max_pixels: int, fit_within: int | None) -> ImageFile.ImageFile:
    """Open ``data`` and decode every pixel, optionally shrinking to fit a square as it goes.

    Shrinking is done with Image.thumbnail *before* load, because for JPEG
    that lets the decoder itself produce a 1/2, 1/4 or 1/8 scale image
    (libjpeg's DCT scaling), which is much faster and lighter than decoding a
    12 MP photo in full to make a 320-pixel thumbnail.  A square bound is
    unaffected by a later quarter turn, so it can be applied before the
    EXIF orientation is.
    """
    image = _open_header(data, name, max_pixels)
    try:
        if fit_within is not None:
            image.thumbnail((fit_within, fit_within), Image.Resampling.LANCZOS)
        # thumbnail() returns early without loading when the photo is
        # already small enough; load() is a no-op when it has loaded.
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        image.close()
        raise _too_many_pixels(max_pixels) from None
    except _DECODE_ERRORS:
        image.close()
        raise _damaged(name) from None
    return image


def _render(data: bytes, max_side: int, quality: int) -> bytes:
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, not {max_side}")
    if quality not in _JPEG_QUALITY_RANGE:
        raise ValueError(f"quality must be between 1 and 95, not {quality}")
    if not data:
        raise PhotoError("文件是空的", "empty")

    with _bomb_warnings_as_errors():
        decoded = _decode(data, None, DEFAULT_MAX_PIXELS, fit_within=max_side)
    with decoded:
        upright = _upright(decoded)
    rgb = _to_srgb(_flatten_to_rgb(_sixteen_bit_to_eight(upright)), upright.info.get("icc_profile"))

    # Pillow's JPEG writer takes EXIF and ICC only when asked, but it does
    # copy a "comment" from image.info; emptying info and passing an empty
    # EXIF block make "no metadata" hold whatever the source carried and
    # whatever a future Pillow decides to carry over by default.
    rgb.info = {}
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=quality, optimize=True, progressive=True, exif=b"")
    return out.getvalue()


def _upright(image: Image.Image) -> Image.Image:
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:
        # Only reached with an EXIF block too malformed to parse.  The
        # pixels are fine, and showing them unrotated beats refusing a
        # photo that inspect() accepted; the EXIF is discarded below anyway.
        return image.copy()
    return turned if turned is not None else image.copy()


def _sixteen_bit_to_eight(image: Image.Image) -> Image.Image:
    """Scale 16-bit greyscale (some PNGs) to 8 bits.

    convert("RGB") would clip every value above 255 to white instead of
    scaling, turning a perfectly good photo into a blank page.
    """
    if image.mode == "I" or image.mode.startswith("I;16"):
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    return image


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """Plain RGB, with any transparency laid over white.

    JPEG has no alpha channel; converting straight to RGB would reveal
    whatever colour the transparent pixels happen to hold (often black),
    whereas white is what the photo looked like on the page it came from.
    """
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if not has_alpha:
        return image if image.mode == "RGB" else image.convert("RGB")
    rgba = image.convert("RGBA")
    canvas = Image.new("RGB", rgba.size, (255, 255, 255))
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    return canvas


@cache
def _srgb_profile() -> ImageCmsProfile:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: object) -> Image.Image:
    """Convert colours from the photo's embedded ICC profile to sRGB.

    The copy is written without a profile (it is metadata like the rest),
    and a JPEG without one is shown as sRGB.  iPhones shoot in Display P3;
    dropping their profile without converting would make every copy look
    washed out.  If the profile is unusable or Pillow lacks LittleCMS, the
    pixels are kept as they are, which is what a profile-unaware viewer
    would have shown anyway.
    """
    if not isinstance(icc_profile, bytes) or not icc_profile or image.mode != "RGB":
        return image
    try:
        from PIL import ImageCms
    except ImportError:  # pragma: no cover - Pillow wheels ship LittleCMS
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(image, source, _srgb_profile(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


# --- refusals ---------------------------------------------------------------


def _display_name(filename: str) -> str | None:
    """The part of an uploaded file name that is worth repeating to the user.

    Some browsers send a full client path ("C:\\fakepath\\IMG_01.jpg"), and a
    hostile name may hold control characters or be kilobytes long; none of
    that belongs in an error message.
    """
    base = re.split(r"[\\/]", filename)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(base) > 60:
        base = base[:59] + "…"
    return base or None


def _spaced(name: str | None) -> str:
    # "照片 a.jpg 已损坏" with a name, "照片已损坏" without: Chinese puts no
    # space between words, but a Latin file name reads better set apart.
    return f" {name} " if name else ""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _too_many_pixels(limit: int) -> PhotoError:
    return PhotoError(f"照片尺寸过大（超过 {limit / 10_000:g} 万像素），可能是恶意文件", "too_many_pixels")


def _damaged(name: str | None) -> PhotoError:
    return PhotoError(f"照片{_spaced(name)}已损坏，无法读取", "damaged")


def _looks_like_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _looks_like_accepted_format(data: bytes) -> bool:
    return (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or (data.startswith(b"RIFF") and data[8:12] == b"WEBP")
        or _looks_like_heif(data)
    )


def _unidentified(data: bytes, name: str | None) -> PhotoError:
    """Say precisely why Pillow could not tell what ``data`` is.

    Three different stories end in "cannot identify image file": a HEIC
    photo on a server without pillow-heif, a photo of an accepted format
    that is cut short or garbled (its signature is right but its header is
    not), and a file that is no image of ours at all (a PDF, a GIF...).
    """
    if _looks_like_heif(data) and not heif_supported():
        return PhotoError(
            f"照片{_spaced(name)}是 HEIC/HEIF 格式，本服务器暂不支持；"
            "请改传 JPEG（iPhone 可在“设置 › 相机 › 格式”中选择“兼容性最佳”）",
            "heif_unsupported",
        )
    if _looks_like_accepted_format(data):
        return _damaged(name)
    accepted = "JPEG、PNG、HEIC/HEIF、WebP" if heif_supported() else "JPEG、PNG、WebP"
    return PhotoError(f"文件{_spaced(name)}不是图片（只接受 {accepted}）", "not_image")


# --- EXIF -------------------------------------------------------------------


def _read_exif(image: Image.Image) -> Image.Exif | None:
    try:
        return image.getexif()
    except Exception:
        # Metadata is optional evidence, not a condition of acceptance: a
        # photo whose EXIF is garbage is still a photo.  Pillow's EXIF
        # parser can fail on hostile input in too many ways to list.
        return None


def _orientation(exif: Image.Exif | None) -> int:
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


def _capture_time(exif: Image.Exif | None) -> datetime | None:
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


def _gps_position(exif: Image.Exif | None) -> tuple[float, float] | None:
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
