"""Photos attached to cases: checking an upload and describing it.

A case (a problem reported on a river or lake) carries photos taken before
and after it is dealt with.  Those photos arrive from phones and from the
public, so everything about them is untrusted: the file name, the declared
content type and the bytes themselves.  This module therefore

* decides what a file is by its content, never by its name or MIME type;
* refuses decompression bombs by their header, before any pixel is decoded;
* reads the capture time and the GPS position from EXIF (``exif.py``),
  because that is the evidence of where and when the problem was seen.

The copies that may be shown to anyone are made in ``photo_copies.py``;
the original stays with the case as evidence.

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
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from PIL import Image, ImageFile, UnidentifiedImageError

from hezhang.cases.exif import capture_time, gps_position, orientation, read_exif

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "PhotoError",
    "PhotoInfo",
    "heif_supported",
    "inspect",
    "jpeg_structure_ok",
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


class PhotoError(ValueError):
    """An upload that is not an acceptable photo.

    ``str(error)`` is a Chinese sentence meant to be shown to the person who
    uploaded the file as it is.  ``code`` is a stable machine-readable reason
    (``empty``, ``too_large``, ``not_image``, ``heif_unsupported``,
    ``too_many_pixels``, ``damaged``) for APIs and logs, so callers never
    have to parse the sentence.
    """

    def __init__(self, message: str, code: str, *, name: str | None = None, limit: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        # What the sentence was made of, so another language can say the same (see cases/upload_errors.py).
        self.name = name
        self.limit = limit


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
    *,
    decode: bool = True,
) -> PhotoInfo:
    """Check that ``data`` is a photo we accept and describe it.

    Raises PhotoError, naming ``filename`` where that helps the user, if the
    file is empty, larger than ``max_bytes``, not a JPEG/PNG/WebP/HEIF image
    (whatever its name says), larger than ``max_pixels`` according to its
    header, or cannot be fully decoded.

    With ``decode=False`` a JPEG's pixels are not decoded here: its header is
    parsed and its marker structure walked to the end of the compressed data
    instead (which catches a cut-off upload and anything that is not a JPEG),
    and the full decode is left to the rendering of its copies.  That is what
    lets a report with a 12 MP photo be accepted in a few milliseconds; other
    formats are rarer from phones and are always decoded.
    """
    name = _display_name(filename)
    if not data:
        raise PhotoError(f"文件{_spaced(name)}是空的", "empty", name=name)
    # The size check comes first and costs nothing: nothing else should be
    # spent on a file that is going to be refused anyway.
    if len(data) > max_bytes:
        raise PhotoError(
            f"照片{_spaced(name)}超过 {_megabytes(max_bytes)}",
            "too_large",
            name=name,
            limit=_megabytes(max_bytes),
        )

    with bomb_warnings_as_errors():
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
        if not decode and data.startswith(b"\xff\xd8\xff"):
            if not jpeg_structure_ok(data):
                raise _damaged(name)
            image = _open_header(data, name, max_pixels)
        else:
            image = decode_pixels(data, name, max_pixels, fit_within=None)

    with image:
        reported_format = _REPORTED_FORMAT[str(image.format)]
        width, height = image.size
        exif = read_exif(image)

    turn = orientation(exif)
    turned = turn in _QUARTER_TURN_ORIENTATIONS
    position = gps_position(exif)
    return PhotoInfo(
        format=reported_format,
        width=width,
        height=height,
        orientation=turn,
        upright_width=height if turned else width,
        upright_height=width if turned else height,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        taken_at=capture_time(exif),
        lon=position[0] if position else None,
        lat=position[1] if position else None,
    )


# --- opening and decoding -------------------------------------------------


# JPEG markers that stand alone, without a length field after them.
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})


def jpeg_structure_ok(data: bytes) -> bool:
    """Whether ``data`` is a JPEG whose segments chain up to a frame, a scan and an end-of-image marker.

    Walks the length-prefixed segments from SOI to the first SOS (start of
    scan), requiring a frame header (SOFn) on the way, then looks for EOI
    after the scan.  Inside entropy-coded data every 0xFF byte is followed by
    0x00 or a restart marker, so the first FFD9 after the scan is the real
    end of the first image; anything after it (a second MPO frame, a phone's
    "motion photo" video) is allowed.  A file cut off in transfer has no EOI.
    """
    if not data.startswith(b"\xff\xd8"):
        return False
    pos, end, frame = 2, len(data), False
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _STANDALONE_MARKERS:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > end:
            return False
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            frame = True
        if marker == 0xDA:  # start of scan: compressed data follows
            return frame and data.find(b"\xff\xd9", pos + 2 + length) != -1
        if marker == 0xD9:
            return False
        pos += 2 + length
    return False


@contextmanager
def bomb_warnings_as_errors() -> Iterator[None]:
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


def decode_pixels(
    data: bytes, name: str | None, max_pixels: int, fit_within: int | None
) -> ImageFile.ImageFile:
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
            width, height = image.size
            scale = fit_within / max(width, height)
            if scale < 1:
                # Ask the decoder for the smallest DCT scale that still covers the target (draft wants
                # both sides, so the box keeps the photo's proportions), then resample the rest of the way.
                image.draft(None, (max(1, int(width * scale)), max(1, int(height * scale))))
                image.thumbnail((fit_within, fit_within), Image.Resampling.LANCZOS, reducing_gap=None)
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
    return PhotoError(
        f"照片尺寸过大（超过 {limit / 10_000:g} 万像素），可能是恶意文件",
        "too_many_pixels",
        limit=f"{limit:d}",
    )


def _damaged(name: str | None) -> PhotoError:
    return PhotoError(f"照片{_spaced(name)}已损坏，无法读取", "damaged", name=name)


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
            name=name,
        )
    if _looks_like_accepted_format(data):
        return _damaged(name)
    accepted = "JPEG、PNG、HEIC/HEIF、WebP" if heif_supported() else "JPEG、PNG、WebP"
    return PhotoError(
        f"文件{_spaced(name)}不是图片（只接受 {accepted}）", "not_image", name=name, limit=accepted
    )
