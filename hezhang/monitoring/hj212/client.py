"""The station's end of a connection: send frames to a platform and read its acknowledgements.

Used by the simulator and the tests; a real station is a data logger (数采仪) doing the same.
"""

import socket
import time
from collections.abc import Iterable, Iterator

from hezhang.monitoring.hj212.codec import parse_frame
from hezhang.monitoring.hj212.envelope import MAX_FRAME_LENGTH
from hezhang.monitoring.hj212.frame import FrameError


def wants_answer(frame: bytes) -> bool:
    try:
        return parse_frame(frame).answer_requested
    except FrameError:
        return False


class _Lines:
    """Reads LF-ended lines with a timeout, keeping what follows a line for the next call."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def readline(self) -> bytes | None:
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_FRAME_LENGTH:
                raise ValueError("the platform sent an over-long line")
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                return None
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line + b"\n"


def send_frames(
    host: str, port: int, frames: Iterable[bytes], *, pause: float = 0.0, timeout: float = 5.0
) -> Iterator[tuple[bytes, bytes | None]]:
    """Send each frame on one connection, yielding it with the reply it got (None when none was asked or
    none came within `timeout` seconds). `pause` seconds pass between frames."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        lines = _Lines(sock)
        for number, frame in enumerate(frames):
            if number and pause > 0:
                time.sleep(pause)
            sock.sendall(frame)
            reply = lines.readline() if wants_answer(frame) else None
            yield frame, reply
