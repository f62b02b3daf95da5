"""The data segment of HJ 212-2017: `QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&`.

Inside CP, `;` separates pollutants (or other items) and `,` the fields of one pollutant; a pollutant field
is written `code-Field=value` (w21003-Avg=0.42). Field widths follow the standard's table 4 (§6.3.3):
QN 17 digits, ST 2 characters, CN 4 digits, PW up to 6, MN up to 24, Flag 0–255, PNUM/PNO up to 4 digits.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from hezhang.monitoring.hj212.frame import Frame, FrameError, Value, flag_value

# Stations keep Beijing time and the standard's times carry no zone.
BEIJING = ZoneInfo("Asia/Shanghai")

NAME = "2017"
CP_OPEN = "CP=&&"
CP_CLOSE = "&&"
HEADER_ORDER = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")
REQUIRED = ("ST", "CN", "PW", "MN")
# Uploads of pollutant data, answered with a data answer (9014) when their Flag asks for one.
DATA_UPLOADS = frozenset({"2011", "2051", "2061", "2031"})
DATA_ANSWER = "9014"
SYSTEM_INTERACTION = "91"
# Pollutant fields that hold numbers; the others (Flag, EFlag, SampleTime…) stay text.
NUMERIC_FIELDS = frozenset({"Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax"})

_PATTERNS = {
    "QN": re.compile(r"[0-9]{17}"),
    "ST": re.compile(r"[0-9A-Z]{2}"),
    "CN": re.compile(r"[0-9]{4}"),
    "PW": re.compile(r"[^\s;,=&]{1,6}"),
    "MN": re.compile(r"[0-9A-Za-z]{1,24}"),
    "Flag": re.compile(r"[0-9]{1,3}"),
    "PNUM": re.compile(r"[0-9]{1,4}"),
    "PNO": re.compile(r"[0-9]{1,4}"),
}
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_TIME = re.compile(r"[0-9]{14}")
_CODE = re.compile(r"[0-9A-Za-z_]+")


def _malformed(message: str) -> FrameError:
    return FrameError("malformed_field", message)


def parse_time(text: str, what: str) -> datetime:
    """YYYYMMDDhhmmss, Beijing time."""
    if not _TIME.fullmatch(text):
        raise _malformed(f"{what} must be YYYYMMDDhhmmss, not {text!r}")
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)
    except ValueError:
        raise _malformed(f"{what} is not a real time: {text!r}") from None


def format_time(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(BEIJING)
    return moment.strftime("%Y%m%d%H%M%S")


def format_qn(moment: datetime) -> str:
    """QN: the time a request was made, to the millisecond (YYYYMMDDhhmmsszzz)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(BEIJING)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def _parse_header(head: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    if not head:
        return fields
    if not head.endswith(";"):
        raise _malformed("the field before CP must end with ;")
    for item in head[:-1].split(";"):
        key, eq, value = item.partition("=")
        if not eq:
            raise _malformed(f"{item!r} is not a key=value field")
        if key not in _PATTERNS:
            raise _malformed(f"unknown field {key!r}")
        if key in fields:
            raise _malformed(f"{key} appears twice")
        if not _PATTERNS[key].fullmatch(value):
            raise _malformed(f"{key}={value!r} is not a valid {key}")
        fields[key] = value
    return fields


def _parse_cp(text: str) -> tuple[dict[str, str], dict[str, dict[str, Value]]]:
    plain: dict[str, str] = {}
    values: dict[str, dict[str, Value]] = {}
    if CP_CLOSE in text:
        raise _malformed("CP holds && before its end")
    for group in text.split(";"):
        if not group:
            continue  # stations often leave a ; before the closing &&
        for item in group.split(","):
            key, eq, value = item.partition("=")
            if not eq or not key:
                raise _malformed(f"CP item {item!r} is not a key=value pair")
            code, dash, name = key.partition("-")
            if not dash:
                if key in plain:
                    raise _malformed(f"CP item {key} appears twice")
                plain[key] = value
                continue
            if not _CODE.fullmatch(code) or not _CODE.fullmatch(name):
                raise _malformed(f"CP item {key!r} is not code-Field")
            fields = values.setdefault(code, {})
            if name in fields:
                raise _malformed(f"CP item {key} appears twice")
            if name in NUMERIC_FIELDS:
                if not _NUMBER.fullmatch(value):
                    raise _malformed(f"{key}={value!r} is not a number")
                fields[name] = float(value)
            else:
                fields[name] = value
    return plain, values


def parse_segment(segment: str, raw: str = "") -> Frame:
    """The Frame a checked data segment describes; FrameError naming the first problem otherwise."""
    head, opened, rest = segment.partition(CP_OPEN)
    if not opened:
        raise FrameError("missing_field", "the frame has no CP=&&…&& field")
    if not rest.endswith(CP_CLOSE):
        raise _malformed("CP must end with &&, at the end of the data segment")
    header = _parse_header(head)
    for key in REQUIRED:
        if key not in header:
            raise FrameError("missing_field", f"the frame has no {key}")
    plain, values = _parse_cp(rest[: -len(CP_CLOSE)])

    if "QN" in header:
        parse_time(header["QN"][:14], "QN")
    flag = int(header["Flag"]) if "Flag" in header else None
    if flag is not None and flag > 255:
        raise _malformed(f"Flag={flag} does not fit in eight bits")
    pnum = int(header["PNUM"]) if "PNUM" in header else None
    pno = int(header["PNO"]) if "PNO" in header else None
    if flag is not None and flag & 0b10:
        for key, number in (("PNUM", pnum), ("PNO", pno)):
            if number is None:
                raise FrameError("missing_field", f"Flag announces a split packet but there is no {key}")
    if (pnum is None) != (pno is None):
        raise FrameError("missing_field", "PNUM and PNO come together")
    if pnum is not None and pno is not None and not 1 <= pno <= pnum:
        raise _malformed(f"packet {pno} of {pnum} is out of range")

    datatime = None
    if "DataTime" in plain:
        datatime = parse_time(plain["DataTime"], "DataTime")
    elif header["CN"] in DATA_UPLOADS:
        raise FrameError("missing_field", f"CN={header['CN']} carries data but CP has no DataTime")

    return Frame(
        qn=header.get("QN"),
        st=header["ST"],
        cn=header["CN"],
        pw=header["PW"],
        mn=header["MN"],
        flag=flag,
        pnum=pnum,
        pno=pno,
        datatime=datatime,
        values=values,
        cp=plain,
        raw=raw,
        version=NAME,
    )


def format_number(value: float) -> str:
    # Fixed point: the standard's numbers are decimals (N3.1…) and an exponent would be refused.
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_segment(frame: Frame) -> str:
    """The data segment for `frame`, fields in the standard's order."""
    header = {
        "QN": frame.qn,
        "ST": frame.st,
        "CN": frame.cn,
        "PW": frame.pw,
        "MN": frame.mn,
        "Flag": None if frame.flag is None else str(frame.flag),
        "PNUM": None if frame.pnum is None else str(frame.pnum),
        "PNO": None if frame.pno is None else str(frame.pno),
    }
    parts = [f"{key}={header[key]};" for key in HEADER_ORDER if header[key] is not None]
    groups = []
    plain = dict(frame.cp)
    if frame.datatime is not None:
        plain["DataTime"] = format_time(frame.datatime)
    if "DataTime" in plain:  # first, as every example in the standard has it
        groups.append(f"DataTime={plain.pop('DataTime')}")
    groups.extend(f"{key}={value}" for key, value in plain.items())
    for code, fields in frame.values.items():
        items = []
        for name, value in fields.items():
            text = value if isinstance(value, str) else format_number(value)
            items.append(f"{code}-{name}={text}")
        groups.append(",".join(items))
    return "".join(parts) + CP_OPEN + ";".join(groups) + CP_CLOSE


def reply_segment(frame: Frame) -> str | None:
    """The data answer (CN 9014, ST 91) for a data upload whose Flag asks for one, QN echoed; else None.

    The answer keeps the sender's protocol edition and asks for no answer itself (Flag=4 under 2017).
    """
    if frame.cn not in DATA_UPLOADS or not frame.answer_requested:
        return None
    answer = Frame(
        qn=frame.qn,
        st=SYSTEM_INTERACTION,
        cn=DATA_ANSWER,
        pw=frame.pw,
        mn=frame.mn,
        flag=flag_value(frame.protocol_version),
        version=NAME,
    )
    return format_segment(answer)
