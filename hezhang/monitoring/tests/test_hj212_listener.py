"""The TCP listener, served for real on 127.0.0.1 with a free port and real clients."""

import asyncio
import logging
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from hezhang.monitoring.hj212 import FrameError, build_frame, parse_frame, reply_for
from hezhang.monitoring.hj212.listener import Listener, serve

BEIJING = ZoneInfo("Asia/Shanghai")
LOGGER = "hezhang.hj212"
WAIT = 10.0  # generous: the machine may be busy


def upload(mn: str, hour: int = 8) -> bytes:
    return build_frame(
        qn=f"20260501{hour:02d}0000{hour:03d}",
        st="21",
        cn="2061",
        pw="123456",
        mn=mn,
        flag=5,
        datatime=datetime(2026, 5, 1, hour, tzinfo=BEIJING),
        values={"w21003": {"Avg": 0.45, "Flag": "N"}},
    )


def answering(peer, line: bytes) -> bytes | None:
    """What the platform does, minus the database: refuse bad frames, answer good ones."""
    try:
        return reply_for(parse_frame(line, strict=True))
    except FrameError as error:
        logging.getLogger(LOGGER).warning("%s: %s refused: %s", peer, error.code, error.message)
        return None


def run(scenario):
    """Run a scenario on an event loop of its own, in a thread: the browser tests' Playwright keeps a loop
    running in the main thread for the rest of the session, where asyncio.run() would refuse to start."""
    outcome: dict = {}

    def main() -> None:
        try:
            outcome["value"] = asyncio.run(asyncio.wait_for(scenario, 60))
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(90)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


async def started(handler=answering, **options) -> Listener:
    listener = Listener(handler, **options)
    await listener.start("127.0.0.1", 0)
    return listener


async def exchange(address, payloads: list[bytes], answers: int) -> list[bytes]:
    """Send the payloads on one connection and read `answers` lines back."""
    reader, writer = await asyncio.open_connection(*address)
    for payload in payloads:
        writer.write(payload)
        await writer.drain()
    replies = [await asyncio.wait_for(reader.readline(), WAIT) for _ in range(answers)]
    writer.close()
    await writer.wait_closed()
    return replies


def answered(reply: bytes):
    answer = parse_frame(reply, strict=True)
    assert answer.cn == "9014"
    return answer.mn, answer.qn


def test_several_stations_at_once_each_get_their_own_answers_in_order():
    async def scenario():
        listener = await started()
        stations = [f"STATION{n}" for n in range(6)]
        try:
            return stations, await asyncio.gather(
                *(exchange(listener.address, [upload(mn, h) for h in (7, 8, 9)], 3) for mn in stations)
            )
        finally:
            await listener.close()

    stations, results = run(scenario())
    for mn, replies in zip(stations, results, strict=True):
        expected = [(mn, parse_frame(upload(mn, h)).qn) for h in (7, 8, 9)]
        assert [answered(r) for r in replies] == expected


def test_frames_sent_together_in_one_write_are_all_answered():
    async def scenario():
        listener = await started()
        try:
            return await exchange(listener.address, [upload("S1", 7) + upload("S1", 8)], 2)
        finally:
            await listener.close()

    assert [answered(r)[1] for r in run(scenario())] == ["20260501070000007", "20260501080000008"]


def test_the_listener_keeps_serving_other_stations_after_a_garbage_line(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    async def scenario():
        listener = await started()
        try:
            rude = exchange(
                listener.address, [b"\x00\xffGET / HTTP/1.1\r\n", b"##9999junk\r\n", upload("S1")], 1
            )
            polite = exchange(listener.address, [upload("S2")], 1)
            return await asyncio.gather(rude, polite)
        finally:
            await listener.close()

    (rude, polite) = run(scenario())
    assert answered(rude[0])[0] == "S1"  # the same connection goes on after its garbage
    assert answered(polite[0])[0] == "S2"
    assert "bad_header" in caplog.text


def test_a_line_over_the_maximum_length_is_skipped_and_the_connection_goes_on(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    async def scenario():
        listener = await started()
        try:
            # No line end within 5000 bytes, sent in pieces; then a long line in one piece; then a good frame.
            chunks = [b"x" * 1000 for _ in range(5)] + [b"\r\n", b"y" * 3000 + b"\r\n", upload("S1")]
            return await exchange(listener.address, chunks, 1)
        finally:
            await listener.close()

    replies = run(scenario())
    assert answered(replies[0])[0] == "S1"
    assert "without a line end" in caplog.text
    assert "over 1036" in caplog.text


def test_an_exception_in_the_handler_costs_only_that_frame(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    def fragile(peer, line):
        if b"BOOM" in line:
            raise RuntimeError("the database is down")
        return answering(peer, line)

    async def scenario():
        listener = await started(fragile)
        try:
            return await exchange(listener.address, [upload("BOOM"), upload("S1")], 1)
        finally:
            await listener.close()

    assert answered(run(scenario())[0])[0] == "S1"
    failures = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.ERROR]
    assert failures and "the handler failed" in failures[0].getMessage()
    assert failures[0].exc_info is not None


def test_a_station_vanishing_mid_frame_does_not_disturb_the_others():
    async def scenario():
        listener = await started()
        try:
            _, writer = await asyncio.open_connection(*listener.address)
            writer.write(upload("GONE")[:30])
            await writer.drain()
            writer.transport.abort()  # a reset, not a polite close
            _, quiet = await asyncio.open_connection(*listener.address)
            quiet.close()
            replies = await exchange(listener.address, [upload("S1")], 1)
            for _ in range(100):
                if listener.connections == 0:
                    break
                await asyncio.sleep(0.05)
            return replies, listener.connections
        finally:
            await listener.close()

    replies, left = run(scenario())
    assert answered(replies[0])[0] == "S1"
    assert left == 0


def test_an_idle_connection_is_closed_after_the_timeout():
    async def scenario():
        listener = await started(idle_timeout=0.2)
        try:
            reader, writer = await asyncio.open_connection(*listener.address)
            began = time.monotonic()
            data = await asyncio.wait_for(reader.read(), WAIT)
            writer.close()
            return data, time.monotonic() - began
        finally:
            await listener.close()

    data, waited = run(scenario())
    assert data == b""
    assert waited < WAIT


def test_an_async_handler_is_awaited():
    async def handler(peer, line):
        await asyncio.sleep(0)
        return reply_for(parse_frame(line))

    async def scenario():
        listener = await started(handler)
        try:
            return await exchange(listener.address, [upload("S1")], 1)
        finally:
            await listener.close()

    assert answered(run(scenario())[0])[0] == "S1"


def test_the_handler_sees_the_peer_and_the_whole_line():
    seen = []

    def handler(peer, line):
        seen.append((peer, line))
        return None

    async def scenario():
        listener = await started(handler)
        try:
            reader, writer = await asyncio.open_connection(*listener.address)
            writer.write(upload("S1") + b"\r\n")  # the blank line is not passed on
            await writer.drain()
            local = writer.get_extra_info("sockname")
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.05)
            writer.close()
            return local
        finally:
            await listener.close()

    local = run(scenario())
    assert seen == [(("127.0.0.1", local[1]), upload("S1"))]


def test_closing_lets_a_frame_in_hand_be_answered_then_closes_every_connection():
    entered = threading.Event()

    def slow(peer, line):
        entered.set()
        time.sleep(0.3)
        return answering(peer, line)

    async def scenario():
        listener = await started(slow)
        reader, writer = await asyncio.open_connection(*listener.address)
        idle_reader, idle_writer = await asyncio.open_connection(*listener.address)
        writer.write(upload("S1"))
        await writer.drain()
        await asyncio.to_thread(entered.wait, WAIT)
        closing = asyncio.create_task(listener.close())
        reply = await asyncio.wait_for(reader.readline(), WAIT)
        rest = await asyncio.wait_for(reader.read(), WAIT)
        idle_rest = await asyncio.wait_for(idle_reader.read(), WAIT)
        await closing
        writer.close()
        idle_writer.close()
        refused = False
        try:
            await asyncio.open_connection(*listener.address)
        except OSError:
            refused = True
        return reply, rest, idle_rest, refused

    reply, rest, idle_rest, refused = run(scenario())
    assert answered(reply)[0] == "S1"
    assert rest == b"" and idle_rest == b""
    assert refused


def test_serve_runs_until_stopped():
    async def scenario():
        stop = asyncio.Event()
        bound = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(serve("127.0.0.1", 0, answering, stop=stop, ready=bound.set_result))
        address = await asyncio.wait_for(bound, WAIT)
        replies = await exchange(address, [upload("S1")], 1)
        stop.set()
        await asyncio.wait_for(task, WAIT)
        return replies

    assert answered(run(scenario())[0])[0] == "S1"


def test_connections_over_the_limit_are_refused_and_the_others_served(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    async def scenario():
        listener = await started(max_connections=1)
        try:
            first_reader, first = await asyncio.open_connection(*listener.address)
            for _ in range(100):
                if listener.connections == 1:
                    break
                await asyncio.sleep(0.05)
            extra_reader, extra = await asyncio.open_connection(*listener.address)
            extra_data = await asyncio.wait_for(extra_reader.read(), WAIT)
            first.write(upload("S1"))
            await first.drain()
            reply = await asyncio.wait_for(first_reader.readline(), WAIT)
            first.close()
            extra.close()
            return extra_data, reply
        finally:
            await listener.close()

    extra_data, reply = run(scenario())
    assert extra_data == b""
    assert answered(reply)[0] == "S1"
    assert "too many connections" in caplog.text
