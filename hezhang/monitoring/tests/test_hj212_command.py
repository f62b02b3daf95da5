"""`hezhang hj212 parse` and `hezhang hj212 simulate`."""

import asyncio
import io
import json
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hezhang.monitoring.hj212 import FrameError, build_frame, parse_frame, reply_for
from hezhang.monitoring.hj212.listener import serve
from hezhang.monitoring.management.commands.hj212 import _start_of_run

BEIJING = ZoneInfo("Asia/Shanghai")
MANAGE = Path(__file__).resolve().parents[3] / "manage.py"
GOOD = build_frame(
    qn="20260501090000123",
    st="21",
    cn="2061",
    pw="123456",
    mn="HZSIM0000001",
    flag=5,
    datatime=datetime(2026, 5, 1, 8, tzinfo=BEIJING),
    values={"w21003": {"Avg": 0.452, "Flag": "N"}, "w20111": {"Avg": 0.05}},
)


def command(*args, stdin=None) -> str:
    out = io.StringIO()
    options = {"stdout": out} if stdin is None else {"stdout": out, "stdin": stdin}
    call_command("hj212", *args, **options)
    return out.getvalue()


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


class Platform(threading.Thread):
    """A listener on its own thread and event loop, answering like the platform and noting what it got."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.lines: list[bytes] = []
        self.bound = threading.Event()
        self.address: tuple[str, int] | None = None

    def run(self) -> None:
        asyncio.run(self.main())

    async def main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stop = asyncio.Event()
        await serve("127.0.0.1", 0, self.handle, stop=self.stop, ready=self.ready)

    def ready(self, address) -> None:
        self.address = address
        self.bound.set()

    def handle(self, peer, line: bytes) -> bytes | None:
        self.lines.append(line)
        try:
            return reply_for(parse_frame(line, strict=True))
        except FrameError:
            return None

    def shut(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.join(10)


@pytest.fixture
def platform():
    running = Platform()
    running.start()
    assert running.bound.wait(10)
    yield running
    running.shut()


def test_parse_prints_one_json_object_a_frame_and_the_reason_for_a_bad_one():
    bad_crc = GOOD[:-6] + b"0000\r\n"
    stdin = io.StringIO("\n".join([GOOD.decode().rstrip(), "", bad_crc.decode().rstrip(), "hello"]) + "\n")
    first, second, third = records(command("parse", stdin=stdin))
    assert first["line"] == 1 and first["mn"] == "HZSIM0000001" and first["cn"] == "2061"
    assert first["datatime"] == "2026-05-01T08:00:00+08:00"
    assert first["values"]["w21003"] == {"Avg": 0.452, "Flag": "N"}
    assert first["parameters"]["NH3N"] == {"Avg": 0.452, "Flag": "N"}
    assert first["parameters"]["Hg"]["Avg"] == pytest.approx(0.00005)
    assert (second["line"], second["error"]) == (3, "bad_crc")
    assert second["message"]
    assert (third["line"], third["error"]) == (4, "bad_header")


def test_parse_reads_raw_bytes_and_keeps_chinese_readable():
    stdin = io.BytesIO(GOOD + b"##0010short\r\n")
    first, second = records(command("parse", stdin=stdin))
    assert first["qn"] == "20260501090000123"
    assert second["error"] == "bad_length"
    output = command("parse", stdin=io.BytesIO(b"##0010short\r\n"))
    assert "\\u" not in output


def test_simulate_print_piped_into_parse_reads_back_every_frame():
    printed = command("simulate", "--print", "--count", "6", "--start", "2026-05-01T00:00", "--seed", "1")
    assert len(printed.splitlines()) == 6
    parsed = records(command("parse", stdin=io.StringIO(printed)))
    assert [r["line"] for r in parsed] == [1, 2, 3, 4, 5, 6]
    assert not any("error" in r for r in parsed)
    assert [r["datatime"][11:13] for r in parsed] == ["00", "01", "02", "03", "04", "05"]
    assert {r["cn"] for r in parsed} == {"2061"}


def test_simulate_can_show_an_ammonia_episode():
    printed = command(
        "simulate", "--print", "--count", "24", "--start", "2026-05-01T00:00", "--exceed", "NH3N"
    )
    ammonia = [r["parameters"]["NH3N"]["Avg"] for r in records(command("parse", stdin=io.StringIO(printed)))]
    assert any(value > 2.0 for value in ammonia)
    assert ammonia[0] < 1.0


def test_simulate_real_time_frames_for_another_station():
    printed = command("simulate", "--print", "--cn", "2011", "--count", "2", "--mn", "ST42", "--pw", "654321")
    frames = [parse_frame(line) for line in printed.splitlines()]
    assert {(f.cn, f.mn, f.pw) for f in frames} == {("2011", "ST42", "654321")}


def test_without_a_start_the_run_ends_with_the_last_complete_period():
    now = datetime(2026, 5, 1, 10, 37, 12, tzinfo=BEIJING)
    assert _start_of_run(now, "2061", 3) == datetime(2026, 5, 1, 7, tzinfo=BEIJING)
    assert _start_of_run(now, "2031", 2) == datetime(2026, 4, 29, tzinfo=BEIJING)
    assert _start_of_run(now, "2051", 1) == datetime(2026, 5, 1, 10, 20, tzinfo=BEIJING)


def test_simulate_sends_frames_and_prints_the_answers(platform):
    host, port = platform.address
    output = command(
        "simulate",
        "--host",
        host,
        "--port",
        str(port),
        "--count",
        "3",
        "--interval",
        "0",
        "--start",
        "2026-05-01",
    )
    sent = [line for line in output.splitlines() if line.startswith("→ ")]
    answers = [line for line in output.splitlines() if line.startswith("← ")]
    assert len(sent) == 3 and len(answers) == 3
    assert all(parse_frame(a[2:]).cn == "9014" for a in answers)
    assert [parse_frame(a[2:]).qn for a in answers] == [parse_frame(s[2:]).qn for s in sent]
    assert len(platform.lines) == 3
    assert output.rstrip().endswith(f"3 frames sent to {host}:{port}")


def test_simulate_without_answers_asked_prints_none(platform):
    host, port = platform.address
    output = command(
        "simulate", "--host", host, "--port", str(port), "--count", "2", "--interval", "0", "--no-answer"
    )
    assert not [line for line in output.splitlines() if line.startswith("← ")]
    # Nothing to wait for on the client's side, so the platform may still be reading when the command ends.
    for _ in range(100):
        if len(platform.lines) == 2:
            break
        time.sleep(0.05)
    assert len(platform.lines) == 2


def test_simulate_to_a_port_nobody_listens_on_is_a_command_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CommandError, match="cannot talk to"):
        command("simulate", "--port", str(port), "--count", "1", "--timeout", "1")


def test_simulate_refuses_a_count_below_one():
    with pytest.raises(CommandError):
        command("simulate", "--print", "--count", "0")


def test_the_shell_pipe_from_simulate_to_parse_works():
    simulate = subprocess.run(
        [
            sys.executable,
            str(MANAGE),
            "hj212",
            "simulate",
            "--print",
            "--count",
            "3",
            "--start",
            "2026-05-01",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    parse = subprocess.run(
        [sys.executable, str(MANAGE), "hj212", "parse"],
        input=simulate.stdout,
        capture_output=True,
        check=True,
        timeout=120,
    )
    parsed = records(parse.stdout.decode("utf-8"))
    assert len(parsed) == 3 and not any("error" in r for r in parsed)
