"""What one HJ 212 frame says, once read: the header fields, the decoded Flag and the CP values.

The same Frame serves every protocol edition the codec knows (`version` names the dialect that read it),
so the code that stores samples does not care which edition a station speaks.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The Flag field, HJ 212-2017 §6.3.3: bits V5 V4 V3 V2 V1 V0 D A, A the lowest.
ANSWER_BIT = 0b01  # A: the sender wants an answer
SPLIT_BIT = 0b10  # D: the packet is one of several and carries PNUM and PNO
VERSION_SHIFT = 2  # V5..V0: 0 is HJ/T 212-2005, 1 is HJ 212-2017

PROTOCOL_NAMES = {0: "HJ/T 212-2005", 1: "HJ 212-2017"}

Value = float | str


class FrameError(ValueError):
    """A frame refused, with a stable `code` for logs and machines and a message for people.

    Codes: bad_header, bad_length, bad_crc, malformed_field, missing_field.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"FrameError({self.code!r}, {self.message!r})"


def flag_value(version: int, *, answer: bool = False, split: bool = False) -> int:
    return (version << VERSION_SHIFT) | (ANSWER_BIT if answer else 0) | (SPLIT_BIT if split else 0)


@dataclass(frozen=True)
class Frame:
    """One frame. Times are aware datetimes in Asia/Shanghai, the time the standard's stations keep."""

    st: str  # system code: 21 surface water quality, 91 system interaction…
    cn: str  # command code: 2011 real-time data, 2061 hourly data, 9014 data answer…
    pw: str
    mn: str  # the station's unique identifier
    qn: str | None = None  # request number YYYYMMDDhhmmsszzz; HJ/T 212-2005 uploads often leave it out
    flag: int | None = None  # None when the frame has no Flag field (an HJ/T 212-2005 habit)
    pnum: int | None = None  # packets in the whole message, when split
    pno: int | None = None  # this packet's number, from 1
    datatime: datetime | None = None  # DataTime in CP: the time the values describe
    values: dict[str, dict[str, Value]] = field(default_factory=dict)  # code → {"Avg": 0.42, "Flag": "N"}
    cp: dict[str, str] = field(default_factory=dict)  # other CP items, as written (DataTime, QnRtn…)
    raw: str = ""  # the frame as received, without the line end
    version: str = "2017"  # the dialect that read (or will write) the frame

    @property
    def answer_requested(self) -> bool:
        return bool((self.flag or 0) & ANSWER_BIT)

    @property
    def split(self) -> bool:
        return bool((self.flag or 0) & SPLIT_BIT)

    @property
    def protocol_version(self) -> int:
        """The edition the sender claims in Flag: 0 for HJ/T 212-2005, 1 for HJ 212-2017."""
        return (self.flag or 0) >> VERSION_SHIFT

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view, for the `hezhang hj212 parse` command and logs."""
        return {
            "qn": self.qn,
            "st": self.st,
            "cn": self.cn,
            "pw": self.pw,
            "mn": self.mn,
            "flag": self.flag,
            "answer_requested": self.answer_requested,
            "split": self.split,
            "protocol_version": self.protocol_version,
            "protocol": PROTOCOL_NAMES.get(self.protocol_version),
            "pnum": self.pnum,
            "pno": self.pno,
            "datatime": self.datatime.isoformat() if self.datatime else None,
            "cp": dict(self.cp),
            "values": {code: dict(fields) for code, fields in self.values.items()},
        }
