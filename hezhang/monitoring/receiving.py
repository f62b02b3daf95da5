"""What the platform does with an HJ 212 frame, whether it came over TCP (the listener) or HTTP.

A frame is checked (envelope, CRC, fields), its station found by MN and its password compared; refused frames
are written to FrameLog and never raise, so one bad station cannot harm the listener or the others. Data
uploads become samples at the station's section (values flagged by the station as faulty, in maintenance,
calibrating or stopped are kept beside the sample, not classed), and an acknowledgement goes back when the
frame's Flag asks for one.
"""

import logging
import re

from django.db import close_old_connections

from hezhang.monitoring.entry import EntryError
from hezhang.monitoring.hj212 import FrameError, parse_frame, reply_for
from hezhang.monitoring.hj212.codes import DAILY, HOURLY, MINUTE, NORMAL, REAL_TIME, to_parameters
from hezhang.monitoring.models import FrameLog, Interval, Source, Station, StationKind
from hezhang.monitoring.sampling import record_sample
from hezhang.monitoring.stations import password_matches, seen

log = logging.getLogger("hezhang.hj212")

INTERVALS = {
    REAL_TIME: Interval.REALTIME,
    MINUTE: Interval.MINUTE,
    HOURLY: Interval.HOUR,
    DAILY: Interval.DAY,
}
# The field a command's values live in: a real-time upload has Rtd, the others a mean over their interval.
FIELDS = {REAL_TIME: "Rtd", MINUTE: "Avg", HOURLY: "Avg", DAILY: "Avg"}
# Over range (T) is still a measurement, and the worst kind; every other non-normal flag means the value does
# not describe the water.
USABLE_FLAGS = {NORMAL, "T"}
_MN = re.compile(r"MN=([^;&]*)")


def _refuse(peer: str, raw: str, code: str, message: str, mn: str = "") -> dict:
    if not mn:
        match = _MN.search(raw)
        mn = match.group(1)[:24] if match else ""
    log.warning("HJ 212 frame refused from %s (%s): %s", peer, code, message)
    try:
        FrameLog.objects.create(peer=peer[:80], mn=mn, error=code, message=message[:300], raw=raw[:4000])
    except Exception:  # the log must never be what stops a listener
        log.exception("could not log a refused frame")
    return {"ok": False, "error": code, "message": message, "mn": mn, "reply": None}


def receive(peer: str, line: bytes | str) -> dict:
    """Judge and store one frame; returns what happened, with the reply frame (text) when one is due."""
    raw = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    raw = raw.strip()
    try:
        frame = parse_frame(raw)
    except FrameError as exc:
        return _refuse(peer, raw, exc.code, exc.message)
    station = (
        Station.objects.select_related("section__water_body", "section__region", "region")
        .filter(mn=frame.mn)
        .first()
    )
    if station is None or not station.active:
        return _refuse(peer, raw, "unknown_mn", f"未登记或已停用的设备 MN={frame.mn}", frame.mn)
    if not password_matches(station, frame.pw):
        return _refuse(peer, raw, "bad_password", f"设备 {frame.mn} 的访问密码不正确", frame.mn)
    reply = reply_for(frame)
    result = {"ok": True, "mn": frame.mn, "cn": frame.cn, "stored": False, "reply": None}
    if reply:
        result["reply"] = reply.decode("ascii").strip()
    if frame.cn not in INTERVALS:
        return result  # heartbeats, time requests…: nothing to store
    if station.kind != StationKind.WATER_QUALITY or station.section is None:
        return _refuse(peer, raw, "no_section", f"设备 {frame.mn} 未关联断面，数据无法入库", frame.mn) | {
            "reply": result["reply"]
        }
    values, flags, excluded = {}, {}, {}
    field = FIELDS[frame.cn]
    for key, fields in to_parameters(frame.values).items():
        value = fields.get(field)
        if value is None and field == "Avg":
            value = fields.get("Rtd")
        flag = fields.get("Flag")
        if isinstance(flag, str) and flag:
            flags[key] = flag
        if not isinstance(value, float):
            continue
        if flag and flag not in USABLE_FLAGS:
            excluded[key] = value
        else:
            values[key] = value
    if excluded:
        flags["excluded"] = excluded
    taken_at = frame.datatime
    if taken_at is not None:
        seen(station, taken_at)
    if not values or taken_at is None:
        result["message"] = "没有可用的监测值" if taken_at is not None else "数据包缺少 DataTime"
        return result
    try:
        done = record_sample(
            station.section,
            taken_at,
            values,
            source=Source.AUTOMATIC,
            interval=INTERVALS[frame.cn],
            flags=flags,
            station=station,
            merge=True,
        )
    except EntryError as exc:
        return _refuse(peer, raw, "rejected", exc.message, frame.mn) | {"reply": result["reply"]}
    result["stored"] = done.created
    result["sample"] = done.sample.pk
    return result


def handle_line(peer, line: bytes) -> bytes | None:
    """The listener's handler (runs in a worker thread): store the frame, answer when asked."""
    close_old_connections()
    try:
        result = receive(f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer), line)
    finally:
        close_old_connections()
    reply = result.get("reply")
    return (reply + "\r\n").encode("ascii") if reply else None


def receive_lines(peer: str, body: bytes) -> list[dict]:
    """Several frames, one a line (the HTTP way in)."""
    results = []
    for line in body.splitlines():
        if line.strip():
            results.append(receive(peer, line))
    return results
