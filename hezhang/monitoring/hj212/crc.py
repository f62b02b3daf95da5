"""The HJ 212 check code: a CRC-16 in the standard's own formulation (HJ 212-2017, appendix A).

Not the Modbus CRC, although both use 0xA001: here the register is shifted right by a whole byte and the
byte XOR-ed into its low half *before* the eight bit steps, so the two give different results.
"""

START = 0xFFFF
POLYNOMIAL = 0xA001


def crc16(data: bytes) -> int:
    """The check code over `data` (the frame's data segment, as sent)."""
    crc = START
    for byte in data:
        crc = (crc >> 8) ^ byte
        for _ in range(8):
            carry = crc & 1
            crc >>= 1
            if carry:
                crc ^= POLYNOMIAL
    return crc


def format_crc(crc: int) -> str:
    """Four upper-case hex digits, the way the frame carries the code."""
    return f"{crc:04X}"


def crc_text(data: bytes) -> str:
    return format_crc(crc16(data))
