"""The HJ 212 CRC-16, against vectors worked by hand and frames published with their codes."""

from hezhang.monitoring.hj212.crc import crc16, crc_text, format_crc

# The example of HJ 212-2017 §6.3.2 (appendix A): the data segment and the CRC the standard prints for it.
STANDARD_SEGMENT = (
    b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
)


def test_an_empty_segment_leaves_the_register_at_its_start():
    assert crc16(b"") == 0xFFFF


def test_one_byte_worked_by_hand():
    # 0xFFFF >> 8 = 0x00FF; ^ 0x41 ('A') = 0x00BE; then eight shifts, XOR 0xA001 after each 1 shifted out:
    # 005F, A02E, 5017, 880A, 4405, 8203, E100, 7080.
    assert crc16(b"A") == 0x7080


def test_two_bytes_worked_by_hand():
    # After 'A' the register is 0x7080; 0x7080 >> 8 = 0x0070; ^ 0x41 = 0x0031; eight steps:
    # A019, F00D, D807, CC02, 6601, 9301, E981, D4C1.
    assert crc16(b"AA") == 0xD4C1


def test_the_example_in_the_standard_gives_the_printed_code():
    assert crc_text(STANDARD_SEGMENT) == "1C80"


def test_frames_published_by_other_implementations_check_out():
    # Whole frames copied from public HJ 212 projects, each with the CRC it was sent with.
    published = [
        (b"QN=20201008154743635;ST=91;CN=9014;PW=123456;MN=SD000001;Flag=9;CP=&&QnRtn=1&&", "71C0"),
        (b"QN=20181111151745000;ST=21;CN=2011;PW=123456;MN=YSRDWQGQ1000001001;Flag=5;CP=&&&&", "7580"),
    ]
    for segment, printed in published:
        assert crc_text(segment) == printed


def test_it_is_not_the_modbus_crc():
    # CRC-16/MODBUS of "123456789" is the well-known check value 0x4B37.
    assert crc16(b"123456789") != 0x4B37


def test_one_changed_byte_changes_the_code():
    altered = STANDARD_SEGMENT.replace(b"RtdInterval=30", b"RtdInterval=31")
    assert crc16(altered) != crc16(STANDARD_SEGMENT)


def test_the_code_is_written_as_four_upper_case_hex_digits():
    assert format_crc(0x000A) == "000A"
    assert format_crc(0xBEEF) == "BEEF"
