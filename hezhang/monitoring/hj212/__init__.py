"""HJ 212 (污染物在线监控（监测）系统数据传输标准) for water-quality stations: pure Python, no Django.

crc: the standard's CRC-16. envelope: `##`, length, CRC, CR LF. v2017: the 2017 data segment.
codec: parse/build/answer frames by edition. codes: ST, CN, data flags, pollutant codes → our parameters.
listener: an asyncio TCP server with a pluggable handler. client and simulate: a station's side, for demos.
"""

from hezhang.monitoring.hj212.codec import (
    DEFAULT_VERSION,
    DIALECTS,
    build_frame,
    encode_frame,
    encode_packets,
    parse_frame,
    reply_for,
)
from hezhang.monitoring.hj212.frame import Frame, FrameError

__all__ = [
    "DEFAULT_VERSION",
    "DIALECTS",
    "Frame",
    "FrameError",
    "build_frame",
    "encode_frame",
    "encode_packets",
    "parse_frame",
    "reply_for",
]
