"""The envelope around a data segment: `##`, four-digit length, the segment, four-hex CRC, CR LF.

HJ 212-2017 §6.3.1. The length counts the bytes of the data segment (0–1024), and the CRC is computed over
those same bytes, so the envelope works on bytes and decodes text only once both checks have passed.
"""

import re

from hezhang.monitoring.hj212.crc import crc16, format_crc
from hezhang.monitoring.hj212.frame import FrameError

HEADER = b"##"
TRAILER = b"\r\n"
MAX_DATA_LENGTH = 1024
# `##` + length + data + CRC + CR LF: the longest line a station may send.
MAX_FRAME_LENGTH = len(HEADER) + 4 + MAX_DATA_LENGTH + 4 + len(TRAILER)

_DIGITS = re.compile(rb"[0-9]{4}")
_HEX = re.compile(rb"[0-9A-Fa-f]{4}")


def decode_text(data: bytes) -> str:
    # The standard's fields are ASCII; a station that slips Chinese into CP most likely sends GBK, which
    # GB 18030 covers, and GB 18030 decodes any byte string, so this never fails.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def unwrap(raw: bytes | str, *, strict: bool = False) -> tuple[str, str]:
    """The data segment of one frame and the frame's text, once header, length and CRC are checked.

    Lenient by default: surrounding whitespace and a missing CR LF are forgiven, because frames pasted or
    piped one per line lose them. `strict` wants the frame exactly as the standard sends it.
    """
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if strict:
        if not data.endswith(TRAILER):
            raise FrameError("bad_trailer", "the frame does not end with CR LF")
        data = data[: -len(TRAILER)]
    else:
        data = data.strip()
    if not data.startswith(HEADER):
        raise FrameError("bad_header", "a frame starts with ##")
    length_field = data[2:6]
    if not _DIGITS.fullmatch(length_field):
        raise FrameError("bad_header", "the four characters after ## must be the data length in digits")
    declared = int(length_field)
    if declared > MAX_DATA_LENGTH:
        raise FrameError("bad_length", f"data length {declared} is over the maximum of {MAX_DATA_LENGTH}")
    body = data[6:]
    if len(body) != declared + 4:
        actual = max(len(body) - 4, 0)
        raise FrameError("bad_length", f"data length says {declared}, the data segment has {actual} bytes")
    segment, check = body[:declared], body[declared:]
    if not _HEX.fullmatch(check):
        raise FrameError("bad_crc", f"the CRC must be four hex digits, not {decode_text(check)!r}")
    computed = crc16(segment)
    if int(check, 16) != computed:
        raise FrameError(
            "bad_crc", f"CRC {decode_text(check).upper()} does not match the data ({format_crc(computed)})"
        )
    return decode_text(segment), decode_text(data)


def wrap(segment: str) -> bytes:
    """A complete frame around `segment`, CR LF included."""
    data = segment.encode("utf-8")
    if len(data) > MAX_DATA_LENGTH:
        raise FrameError("bad_length", f"data segment of {len(data)} bytes is over {MAX_DATA_LENGTH}")
    return HEADER + f"{len(data):04d}".encode() + data + format_crc(crc16(data)).encode() + TRAILER
