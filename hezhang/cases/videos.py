"""Short videos of a problem (a pipe discharging, a boat dredging sand): checking an upload without decoding it.

Phones record MP4 (Android), QuickTime MOV (iPhone) or, in a browser's MediaRecorder, WebM. We accept those by
their container structure, never by name or MIME type: an ISO base media file (MP4/MOV/3GP) must be a chain of
boxes that exactly fills the file and holds a movie header (a cut-off upload leaves its last box short); a WebM
or Matroska file must open with an EBML header naming its document type. The movie header gives the duration.

Videos are never transcoded or shown publicly (they carry faces, voices and often GPS), so no codec is needed
on the server. The file is read through a seekable file object, a few bytes at a time, so a 50 MB upload is
never held in memory. No Django here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["DEFAULT_MAX_BYTES", "VideoError", "VideoInfo", "inspect_video"]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Major brands of the ISO base media files phones and cameras write. HEIF stills share the container and are
# told apart by their brands, so a photo renamed .mp4 is not taken for a video.
_ISO_VIDEO_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"M4VP",
        b"qt  ",
        b"3gp4",
        b"3gp5",
        b"3gp6",
        b"3g2a",
        b"mmp4",
        b"MSNV",
        b"dash",
        b"XAVC",
    }
)
# QuickTime files from before the ftyp box existed start straight with one of these.
_QUICKTIME_FIRST_BOXES = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_BOX_TYPE = re.compile(rb"[\x20-\x7e]{4}")


class VideoError(ValueError):
    """An upload that is not an acceptable video; ``code`` is stable (empty, too_large, not_video, damaged)."""

    def __init__(self, message: str, code: str, *, name: str | None = None, limit: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.name = name  # the pieces of the sentence, for other languages (see cases/upload_errors.py)
        self.limit = limit


@dataclass(frozen=True, slots=True)
class VideoInfo:
    container: str  # "MP4", "MOV" or "WebM"
    size_bytes: int
    sha256: str
    duration_s: float | None


def _base_name(filename: str) -> str:
    base = re.split(r"[\\/]", filename)[-1]
    return "".join(ch for ch in base if ch.isprintable()).strip()[:60]


def inspect_video(
    stream: BinaryIO, size: int, filename: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> VideoInfo:
    """Check that ``stream`` (``size`` bytes, seekable) is an MP4, MOV or WebM video and describe it."""
    base = _base_name(filename)
    name = f" {base} " if base else ""
    if size <= 0:
        raise VideoError(f"文件{name}是空的", "empty", name=base)
    if size > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):g} MB"
        raise VideoError(f"视频{name}超过 {limit}", "too_large", name=base, limit=limit)
    stream.seek(0)
    head = stream.read(64)
    if head.startswith(_EBML_MAGIC):
        container, duration = _webm(head, base)
    elif head[4:8] == b"ftyp" or head[4:8] in _QUICKTIME_FIRST_BOXES:
        container, duration = _iso_media(stream, size, base)
    else:
        raise VideoError(f"文件{name}不是视频（只接受 MP4、MOV、WebM）", "not_video", name=base)
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return VideoInfo(container, size, digest.hexdigest(), duration)


def _iso_media(stream: BinaryIO, size: int, base: str) -> tuple[str, float | None]:
    """Walk the top-level boxes; they must tile the file exactly and include a movie header."""
    name = f" {base} " if base else ""
    damaged = VideoError(f"视频{name}已损坏或不完整，无法读取", "damaged", name=base)
    pos, container, duration, movie = 0, "MOV", None, False
    first = True
    while pos < size:
        stream.seek(pos)
        header = stream.read(16)
        if len(header) < 8:
            raise damaged
        length = int.from_bytes(header[0:4], "big")
        kind = header[4:8]
        if not _BOX_TYPE.fullmatch(kind):
            raise damaged
        header_size = 8
        if length == 1:  # 64-bit size follows the type
            if len(header) < 16:
                raise damaged
            length, header_size = int.from_bytes(header[8:16], "big"), 16
        elif length == 0:  # the box runs to the end of the file
            length = size - pos
        if length < header_size or pos + length > size:
            raise damaged
        if first and kind == b"ftyp":
            brand = header[8:12]
            if brand not in _ISO_VIDEO_BRANDS:
                raise VideoError(f"文件{name}不是视频（只接受 MP4、MOV、WebM）", "not_video", name=base)
            container = "MOV" if brand == b"qt  " else "MP4"
        if kind in (b"moov", b"moof"):
            movie = True
        if kind == b"moov":
            duration = _movie_duration(stream, pos + header_size, pos + length)
        first = False
        pos += length
    if not movie:
        raise damaged
    return container, duration


def _movie_duration(stream: BinaryIO, start: int, end: int) -> float | None:
    """Seconds from the mvhd box inside moov (version 0: 32-bit fields, version 1: 64-bit)."""
    pos = start
    while pos + 8 <= end:
        stream.seek(pos)
        header = stream.read(8)
        length, kind = int.from_bytes(header[0:4], "big"), header[4:8]
        if length < 8:
            return None
        if kind == b"mvhd":
            body = stream.read(min(length - 8, 40))
            if not body:
                return None
            if body[0] == 1 and len(body) >= 32:
                timescale = int.from_bytes(body[20:24], "big")
                duration = int.from_bytes(body[24:32], "big")
            elif len(body) >= 20:
                timescale = int.from_bytes(body[12:16], "big")
                duration = int.from_bytes(body[16:20], "big")
            else:
                return None
            return round(duration / timescale, 3) if timescale else None
        pos += length
    return None


def _read_vint(data: bytes, pos: int) -> tuple[int, int]:
    """An EBML variable-length integer at ``pos``: (value, length in bytes)."""
    if pos >= len(data):
        raise IndexError
    first = data[pos]
    width = 1
    while width <= 8 and not first & (0x80 >> (width - 1)):
        width += 1
    if width > 8 or pos + width > len(data):
        raise IndexError
    value = first & (0xFF >> width)
    for byte in data[pos + 1 : pos + width]:
        value = (value << 8) | byte
    return value, width


def _webm(head: bytes, base: str) -> tuple[str, float | None]:
    """The EBML header must parse and name the document type webm or matroska."""
    try:
        size, width = _read_vint(head, 4)
        body = head[4 + width : 4 + width + size]
        pos = 0
        while pos < len(body):
            if body[pos : pos + 2] == b"\x42\x82":  # DocType
                length, w = _read_vint(body, pos + 2)
                doctype = body[pos + 2 + w : pos + 2 + w + length]
                if doctype in (b"webm", b"matroska"):
                    return "WebM", None
                break
            # Skip any other header element: its id is 1-4 bytes, then a size.
            id_width = 1
            while id_width <= 4 and not body[pos] & (0x80 >> (id_width - 1)):
                id_width += 1
            length, w = _read_vint(body, pos + id_width)
            pos += id_width + w + length
    except IndexError:
        pass
    name = f" {base} " if base else ""
    raise VideoError(f"视频{name}已损坏或不完整，无法读取", "damaged", name=base)
