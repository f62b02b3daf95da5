"""The copies of a photo that may be shown to anyone: an EXIF-free, downsized public copy and a thumbnail.

An original photo's EXIF says where its author stood and often which phone they own; a whistle-blower's
location is personal information that must not leak through a public case page.  So the copies are freshly
encoded JPEGs with no metadata at all, turned upright, in sRGB.  Both come from one decode (`render`), done by
the background job for public reports (decoding is most of a report's cost) or at once for staff uploads.
No Django here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from hezhang.cases.photos import DEFAULT_MAX_PIXELS, PhotoError, bomb_warnings_as_errors, decode_pixels

if TYPE_CHECKING:
    from PIL.ImageCms import ImageCmsProfile

__all__ = ["Copies", "public_copy", "render", "thumbnail"]

_JPEG_QUALITY_RANGE = range(1, 96)  # Pillow's docs: above 95 only grows the file.
_THUMBNAIL_QUALITY = 75


@dataclass(frozen=True, slots=True)
class Copies:
    public: bytes
    thumbnail: bytes


def render(data: bytes, max_side: int = 1600, thumb_side: int = 320, quality: int = 82) -> Copies:
    """The public copy and the thumbnail of a photo from one decode of it (see ``public_copy``)."""
    upright = _upright_rgb(data, max_side)
    small = upright.copy()
    small.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    return Copies(_encode(upright, quality), _encode(small, _THUMBNAIL_QUALITY))


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
    _check_quality(quality)
    return _encode(_upright_rgb(data, max_side), quality)


def thumbnail(data: bytes, side: int = 320) -> bytes:
    """A small metadata-free JPEG for lists and map pop-ups.

    The whole photo is fitted inside a ``side`` x ``side`` square rather than
    cropped to it: the problem being reported may be at the edge of the
    frame, and a thumbnail that cuts it off is misleading.
    """
    return _encode(_upright_rgb(data, side), _THUMBNAIL_QUALITY)


def _check_quality(quality: int) -> None:
    if quality not in _JPEG_QUALITY_RANGE:
        raise ValueError(f"quality must be between 1 and 95, not {quality}")


def _upright_rgb(data: bytes, max_side: int) -> Image.Image:
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, not {max_side}")
    if not data:
        raise PhotoError("文件是空的", "empty")
    with bomb_warnings_as_errors():
        decoded = decode_pixels(data, None, DEFAULT_MAX_PIXELS, fit_within=max_side)
    with decoded:
        upright = _upright(decoded)
    return _to_srgb(_flatten_to_rgb(_sixteen_bit_to_eight(upright)), upright.info.get("icc_profile"))


def _encode(rgb: Image.Image, quality: int) -> bytes:
    _check_quality(quality)
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
