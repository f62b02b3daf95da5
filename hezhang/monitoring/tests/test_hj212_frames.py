"""Reading, writing and answering HJ 212-2017 frames."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hezhang.monitoring.hj212 import FrameError, build_frame, encode_packets, parse_frame, reply_for
from hezhang.monitoring.hj212.crc import crc_text
from hezhang.monitoring.hj212.envelope import MAX_DATA_LENGTH, wrap
from hezhang.monitoring.hj212.frame import Frame

BEIJING = ZoneInfo("Asia/Shanghai")
STANDARD_EXAMPLE = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&1C80\r\n"
)
MN = "010000A8900016F000169DC0"
HOURLY = (
    f"QN=20260501090000123;ST=21;CN=2061;PW=123456;MN={MN};Flag=5;CP=&&DataTime=20260501080000;"
    "w21003-Min=0.41,w21003-Avg=0.452,w21003-Max=0.50,w21003-Flag=N;"
    "w01009-Min=6.1,w01009-Avg=6.4,w01009-Max=6.9,w01009-Flag=M&&"
)


def refused(raw, **options) -> FrameError:
    with pytest.raises(FrameError) as caught:
        parse_frame(raw, **options)
    return caught.value


def framed(segment: str) -> bytes:
    return wrap(segment)


def test_the_example_in_the_standard_parses_field_by_field():
    frame = parse_frame(STANDARD_EXAMPLE, strict=True)
    assert frame.qn == "20160801085857223"
    assert frame.st == "32"
    assert frame.cn == "1062"
    assert frame.pw == "100000"
    assert frame.mn == MN
    assert frame.flag == 5
    assert frame.cp == {"RtdInterval": "30"}
    assert frame.values == {}
    assert frame.pnum is None and frame.pno is None
    assert frame.raw == STANDARD_EXAMPLE.decode().rstrip("\r\n")


def test_hourly_data_gives_numbers_flags_and_a_beijing_data_time():
    frame = parse_frame(framed(HOURLY))
    assert frame.cn == "2061"
    assert frame.datatime == datetime(2026, 5, 1, 8, 0, tzinfo=BEIJING)
    assert frame.datatime.utcoffset().total_seconds() == 8 * 3600
    assert frame.values["w21003"] == {"Min": 0.41, "Avg": 0.452, "Max": 0.5, "Flag": "N"}
    assert frame.values["w01009"]["Flag"] == "M"
    assert frame.cp == {"DataTime": "20260501080000"}


def test_real_time_data_gives_rtd_values():
    segment = f"QN=20260501080000000;ST=21;CN=2011;PW=123456;MN={MN};Flag=4;CP=&&DataTime=20260501080000;w01001-Rtd=7.62,w01001-Flag=N&&"
    frame = parse_frame(framed(segment))
    assert frame.values == {"w01001": {"Rtd": 7.62, "Flag": "N"}}
    assert not frame.answer_requested


def test_daily_and_minute_data_are_data_uploads_too():
    for cn in ("2031", "2051"):
        segment = f"ST=21;CN={cn};PW=123456;MN={MN};Flag=4;CP=&&DataTime=20260501000000;w21011-Avg=0.1&&"
        assert parse_frame(framed(segment)).values == {"w21011": {"Avg": 0.1}}


def test_a_semicolon_before_the_closing_ampersands_is_tolerated():
    segment = f"ST=21;CN=2011;PW=123456;MN={MN};Flag=4;CP=&&DataTime=20260501080000;w01001-Rtd=7.6;&&"
    assert parse_frame(framed(segment)).values == {"w01001": {"Rtd": 7.6}}


def test_a_2005_style_upload_without_qn_and_flag_is_read_and_asks_for_nothing():
    segment = (
        "ST=21;CN=2011;PW=123456;MN=6C611136H;CP=&&DataTime=20180315164206;w21003-Rtd=0.79,w21003-Flag=N&&"
    )
    frame = parse_frame(framed(segment))
    assert frame.qn is None and frame.flag is None
    assert not frame.answer_requested and frame.protocol_version == 0
    assert reply_for(frame) is None


@pytest.mark.parametrize(
    ("flag", "answer", "split", "version"),
    [
        (4, False, False, 1),
        (5, True, False, 1),
        (0, False, False, 0),
        (1, True, False, 0),
        (8, False, False, 2),
    ],
)
def test_the_flag_bits_are_decoded(flag, answer, split, version):
    frame = parse_frame(framed(f"ST=91;CN=9014;PW=123456;MN={MN};Flag={flag};CP=&&&&"))
    assert (frame.answer_requested, frame.split, frame.protocol_version) == (answer, split, version)


def test_a_split_packet_carries_its_number_and_the_total():
    segment = f"QN=20260501090000123;ST=21;CN=2061;PW=123456;MN={MN};Flag=7;PNUM=3;PNO=2;CP=&&DataTime=20260501080000;w21003-Avg=0.4&&"
    frame = parse_frame(framed(segment))
    assert frame.split and frame.answer_requested
    assert (frame.pnum, frame.pno) == (3, 2)


def test_a_split_flag_without_packet_numbers_is_refused_as_missing_field():
    segment = f"ST=21;CN=2061;PW=123456;MN={MN};Flag=6;CP=&&DataTime=20260501080000;w21003-Avg=0.4&&"
    assert refused(framed(segment)).code == "missing_field"


def test_a_packet_number_beyond_the_total_is_malformed():
    segment = f"ST=21;CN=2061;PW=123456;MN={MN};Flag=6;PNUM=2;PNO=3;CP=&&DataTime=20260501080000&&"
    assert refused(framed(segment)).code == "malformed_field"


def test_a_frame_too_long_for_one_packet_is_split_so_every_packet_stands_alone():
    values = {f"w{n:05d}": {"Avg": 1.25, "Min": 1.0, "Max": 1.5, "Flag": "N"} for n in range(40)}
    whole = Frame(
        qn="20260501090000123",
        st="21",
        cn="2061",
        pw="123456",
        mn=MN,
        flag=5,
        datatime=datetime(2026, 5, 1, 8, tzinfo=BEIJING),
        values=values,
    )
    packets = [parse_frame(packet, strict=True) for packet in encode_packets(whole)]
    assert len(packets) > 1
    assert [p.pno for p in packets] == list(range(1, len(packets) + 1))
    assert {p.pnum for p in packets} == {len(packets)}
    assert all(p.split and p.answer_requested and p.qn == whole.qn for p in packets)
    assert all(p.datatime == whole.datatime for p in packets)
    merged = {code: fields for p in packets for code, fields in p.values.items()}
    assert merged == values


def test_a_frame_with_a_wrong_crc_is_refused_as_bad_crc():
    good = framed(HOURLY)
    bad = good[:-6] + (b"0000" if good[-6:-2] != b"0000" else b"FFFF") + b"\r\n"
    error = refused(bad)
    assert error.code == "bad_crc"
    assert crc_text(HOURLY.encode()) in error.message


def test_a_crc_that_is_not_hex_is_refused_as_bad_crc():
    assert refused(framed(HOURLY)[:-6] + b"XYZW\r\n").code == "bad_crc"


def test_a_lower_case_crc_is_accepted():
    good = framed(HOURLY)
    assert parse_frame(good[:-6] + good[-6:-2].lower() + b"\r\n").cn == "2061"


def test_a_length_that_does_not_match_the_data_is_refused_as_bad_length():
    good = framed(HOURLY)
    declared = int(good[2:6])
    assert refused(b"##" + f"{declared + 1:04d}".encode() + good[6:]).code == "bad_length"
    assert refused(good[:40] + good[41:]).code == "bad_length"


def test_a_length_over_the_standards_maximum_is_refused_as_bad_length():
    segment = "x" * (MAX_DATA_LENGTH + 1)
    raw = f"##{len(segment):04d}{segment}{crc_text(segment.encode())}\r\n"
    error = refused(raw)
    assert error.code == "bad_length" and "1024" in error.message
    with pytest.raises(FrameError):
        wrap(segment)


def test_a_frame_without_the_double_hash_or_length_digits_has_a_bad_header():
    good = framed(HOURLY)
    assert refused(good[2:]).code == "bad_header"
    assert refused(b"##00a1" + good[6:]).code == "bad_header"
    assert refused(b"").code == "bad_header"


def test_lenient_mode_forgives_whitespace_and_a_missing_line_end_and_strict_mode_does_not():
    good = framed(HOURLY)
    assert parse_frame(b"  " + good.rstrip() + b" \n").mn == MN
    assert parse_frame(good.decode().rstrip()).mn == MN
    assert refused(good.rstrip(), strict=True).code == "bad_trailer"
    assert parse_frame(good, strict=True).mn == MN


def test_a_frame_without_mn_is_refused_as_missing_field():
    segment = "QN=20260501090000123;ST=21;CN=2061;PW=123456;Flag=5;CP=&&DataTime=20260501080000&&"
    error = refused(framed(segment))
    assert error.code == "missing_field" and "MN" in error.message


def test_a_frame_without_cp_is_refused_as_missing_field():
    assert refused(framed(f"ST=21;CN=2061;PW=123456;MN={MN};Flag=5")).code == "missing_field"


def test_data_without_a_data_time_is_refused_as_missing_field():
    segment = f"ST=21;CN=2061;PW=123456;MN={MN};Flag=5;CP=&&w21003-Avg=0.4&&"
    error = refused(framed(segment))
    assert error.code == "missing_field" and "DataTime" in error.message


@pytest.mark.parametrize(
    "cp",
    [
        "DataTime=20260501080000;w21003-Avg=abc",
        "DataTime=20260501080000;w21003-Avg=1e5",
        "DataTime=20260501080000;w21003-Avg=",
        "DataTime=20260501080000;w21003-Avg",
        "DataTime=20260501080000;w21003-Avg=1,w21003-Avg=2",
        "DataTime=20260501080000;-Avg=1",
        "DataTime=20261301080000",
        "DataTime=202605010800",
        "DataTime=20260501080000;w21003-Avg=1&&x=1",
    ],
)
def test_a_malformed_cp_is_refused_as_malformed_field(cp):
    segment = f"ST=21;CN=2061;PW=123456;MN={MN};Flag=5;CP=&&{cp}&&"
    assert refused(framed(segment)).code == "malformed_field"


@pytest.mark.parametrize(
    "header",
    [
        "QN=2026050109;ST=21;CN=2061;PW=123456;MN=A1;",  # QN too short
        "QN=20261399090000123;ST=21;CN=2061;PW=123456;MN=A1;",  # no 13th month
        "ST=211;CN=2061;PW=123456;MN=A1;",
        "ST=21;CN=20611;PW=123456;MN=A1;",
        "ST=21;CN=2061;PW=1234567;MN=A1;",
        "ST=21;CN=2061;PW=123456;MN=" + "A" * 25 + ";",
        "ST=21;CN=2061;PW=123456;MN=A1;Flag=256;",
        "ST=21;CN=2061;PW=123456;MN=A1;Colour=red;",
        "ST=21;ST=21;CN=2061;PW=123456;MN=A1;",
        "ST=21;CN=2061;PW=123456;MN=A1;junk;",
    ],
)
def test_a_malformed_header_field_is_refused(header):
    assert refused(framed(header + "CP=&&DataTime=20260501080000&&")).code == "malformed_field"


def test_chinese_text_sent_as_gbk_is_decoded():
    segment = f"ST=21;CN=3020;PW=123456;MN={MN};Flag=4;CP=&&Info=站房门开&&".encode("gbk")
    raw = b"##" + f"{len(segment):04d}".encode() + segment + crc_text(segment).encode() + b"\r\n"
    assert parse_frame(raw).cp == {"Info": "站房门开"}


def test_an_unknown_edition_is_a_programming_error():
    with pytest.raises(ValueError, match="2025"):
        parse_frame(STANDARD_EXAMPLE, version="2025")


def test_a_built_frame_reads_back_the_same():
    moment = datetime(2026, 5, 1, 8, tzinfo=BEIJING)
    values = {"w21003": {"Min": 0.41, "Avg": 0.452, "Max": 0.5, "Flag": "N"}, "w20111": {"Avg": 0.00005}}
    raw = build_frame(
        qn="20260501090000123", st="21", cn="2061", pw="123456", mn=MN, flag=5, datatime=moment, values=values
    )
    assert raw.endswith(b"\r\n")
    frame = parse_frame(raw, strict=True)
    assert (frame.qn, frame.st, frame.cn, frame.pw, frame.mn, frame.flag) == (
        "20260501090000123",
        "21",
        "2061",
        "123456",
        MN,
        5,
    )
    assert frame.datatime == moment
    assert frame.values == values
    assert b"w20111-Avg=0.00005" in raw  # fixed point: an exponent would be refused


def test_the_standard_example_is_rebuilt_byte_for_byte():
    raw = build_frame(
        qn="20160801085857223", st="32", cn="1062", pw="100000", mn=MN, flag=5, cp={"RtdInterval": "30"}
    )
    assert raw == STANDARD_EXAMPLE


def test_building_refuses_what_parsing_would_refuse():
    with pytest.raises(FrameError):
        build_frame(st="21", cn="2061", pw="123456", mn=MN, flag=5, values={"w21003": {"Flag": "N;x=1"}})
    with pytest.raises(FrameError):
        build_frame(st="21", cn="2061", pw="123456", mn="M" * 30, flag=5, datatime=datetime(2026, 5, 1))


def test_a_data_upload_asking_for_an_answer_gets_the_data_answer_with_its_qn():
    raw = reply_for(parse_frame(framed(HOURLY)))
    expected = f"QN=20260501090000123;ST=91;CN=9014;PW=123456;MN={MN};Flag=4;CP=&&&&"
    assert raw == wrap(expected)
    answer = parse_frame(raw, strict=True)
    assert (answer.st, answer.cn, answer.qn, answer.mn, answer.pw, answer.flag) == (
        "91",
        "9014",
        "20260501090000123",
        MN,
        "123456",
        4,
    )
    assert not answer.answer_requested


def test_each_packet_of_a_split_upload_is_answered():
    segment = f"QN=20260501090000123;ST=21;CN=2061;PW=123456;MN={MN};Flag=7;PNUM=2;PNO=1;CP=&&DataTime=20260501080000&&"
    assert parse_frame(reply_for(parse_frame(framed(segment)))).cn == "9014"


def test_an_upload_not_asking_for_an_answer_gets_none():
    assert reply_for(parse_frame(framed(HOURLY.replace("Flag=5", "Flag=4")))) is None


def test_requests_and_answers_get_no_data_answer():
    assert reply_for(parse_frame(STANDARD_EXAMPLE)) is None  # 1062 is the platform's request to a station
    answer = parse_frame(framed(f"QN=20260501090000123;ST=91;CN=9014;PW=123456;MN={MN};Flag=5;CP=&&&&"))
    assert reply_for(answer) is None


def test_a_2005_station_is_answered_in_its_own_edition():
    segment = f"QN=20260501090000123;ST=21;CN=2011;PW=123456;MN={MN};Flag=1;CP=&&DataTime=20260501080000&&"
    assert parse_frame(reply_for(parse_frame(framed(segment)))).flag == 0


def test_as_dict_is_ready_for_json():
    data = parse_frame(framed(HOURLY)).as_dict()
    assert data["datatime"] == "2026-05-01T08:00:00+08:00"
    assert data["protocol"] == "HJ 212-2017"
    assert data["answer_requested"] is True
    assert data["values"]["w21003"]["Avg"] == 0.452
