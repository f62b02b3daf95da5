"""Reading and writing whole frames, by protocol edition.

Each edition is a `Dialect`: how its data segment reads, writes and is answered. The envelope (`##`, length,
CRC, CR LF) is shared. HJ 212-2025 will be one more entry in DIALECTS; nothing else changes.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from hezhang.monitoring.hj212 import envelope, v2017
from hezhang.monitoring.hj212.frame import SPLIT_BIT, Frame, FrameError, Value


@dataclass(frozen=True)
class Dialect:
    name: str
    parse_segment: Callable[[str, str], Frame]
    format_segment: Callable[[Frame], str]
    reply_segment: Callable[[Frame], str | None]


DIALECTS: dict[str, Dialect] = {
    v2017.NAME: Dialect(v2017.NAME, v2017.parse_segment, v2017.format_segment, v2017.reply_segment),
}
DEFAULT_VERSION = v2017.NAME


def dialect(version: str) -> Dialect:
    try:
        return DIALECTS[version]
    except KeyError:
        raise ValueError(f"unknown HJ 212 edition {version!r} (known: {', '.join(DIALECTS)})") from None


def parse_frame(raw: bytes | str, *, version: str = DEFAULT_VERSION, strict: bool = False) -> Frame:
    """The Frame in `raw`, or FrameError(code, message).

    Lenient by default (surrounding whitespace and a missing CR LF are forgiven); `strict` wants the line
    exactly as the standard sends it.
    """
    chosen = dialect(version)
    segment, text = envelope.unwrap(raw, strict=strict)
    return chosen.parse_segment(segment, text)


def encode_frame(frame: Frame) -> bytes:
    """The bytes of `frame`, CR LF included; FrameError if our own parser would refuse them."""
    chosen = dialect(frame.version)
    data = envelope.wrap(chosen.format_segment(frame))
    # Reading back is cheap and means we never send a frame we would refuse from a station.
    parse_frame(data, version=frame.version, strict=True)
    return data


def encode_packets(frame: Frame) -> list[bytes]:
    """`frame` as one packet, or split by pollutant into several (Flag D bit, PNUM/PNO) when too long.

    Every packet repeats the header, DataTime and other CP items, so each can be read and stored alone.
    """
    chosen = dialect(frame.version)
    if len(chosen.format_segment(frame).encode("utf-8")) <= envelope.MAX_DATA_LENGTH or len(frame.values) < 2:
        return [encode_frame(frame)]
    flag = (frame.flag or 0) | SPLIT_BIT
    # The widest PNUM/PNO stand in while packing, so numbering afterwards cannot push a packet over.
    widest = replace(frame, flag=flag, pnum=9999, pno=9999)
    chunks: list[dict[str, dict[str, Value]]] = [{}]
    for code, fields in frame.values.items():
        trial = {**chunks[-1], code: fields}
        segment = chosen.format_segment(replace(widest, values=trial))
        if chunks[-1] and len(segment.encode("utf-8")) > envelope.MAX_DATA_LENGTH:
            chunks.append({code: fields})
        else:
            chunks[-1] = trial
    total = len(chunks)
    if total > 9999:
        raise FrameError("bad_length", "too many values for even 9999 packets")
    return [
        encode_frame(replace(frame, flag=flag, pnum=total, pno=number, values=chunk))
        for number, chunk in enumerate(chunks, start=1)
    ]


def build_frame(
    *,
    st: str,
    cn: str,
    pw: str,
    mn: str,
    qn: str | None = None,
    flag: int | None = None,
    pnum: int | None = None,
    pno: int | None = None,
    datatime: datetime | None = None,
    values: Mapping[str, Mapping[str, Value]] | None = None,
    cp: Mapping[str, str] | None = None,
    version: str = DEFAULT_VERSION,
) -> bytes:
    """A complete frame from its fields: values are {pollutant code: {"Avg": 0.42, "Flag": "N"}}."""
    frame = Frame(
        st=st,
        cn=cn,
        pw=pw,
        mn=mn,
        qn=qn,
        flag=flag,
        pnum=pnum,
        pno=pno,
        datatime=datatime,
        values={code: dict(fields) for code, fields in (values or {}).items()},
        cp=dict(cp or {}),
        version=version,
    )
    return encode_frame(frame)


def reply_for(frame: Frame) -> bytes | None:
    """The acknowledgement the standard prescribes for `frame`, or None when it asks for none."""
    segment = dialect(frame.version).reply_segment(frame)
    return None if segment is None else envelope.wrap(segment)
