"""`hezhang hj212 …`: read HJ 212 frames, or play a simulated surface-water station.

hezhang hj212 listen [--host 0.0.0.0] [--port 9212]   receive stations' frames over TCP into the database
hezhang hj212 parse < frames.txt          one JSON object a frame: its fields and values, or the error
hezhang hj212 simulate --print            frames on standard output (pipe them into `hj212 parse`)
hezhang hj212 simulate --host H --port P --mn MN --pw PW [--cn 2061] [--count N] [--interval S]
                       [--seed S] [--exceed NH3N] [--start 2026-05-01T00:00]
"""

import json
import sys
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from hezhang.monitoring.hj212 import FrameError, codes, parse_frame
from hezhang.monitoring.hj212.client import send_frames, wants_answer
from hezhang.monitoring.hj212.simulate import EXCEEDANCE_PEAKS, PERIODS, simulate
from hezhang.monitoring.hj212.v2017 import BEIJING

DEMO_MN = "HZSIM0000001"
DEMO_PW = "123456"  # the password in every example of the standard


def _start_of_run(now: datetime, cn: str, count: int) -> datetime:
    """The run that ends with the last complete period before `now` (Beijing time)."""
    period, _ = PERIODS[cn]
    now = now.astimezone(BEIJING)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    current = now - (now - midnight) % period
    return current - count * period


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


class Command(BaseCommand):
    help = "Parse HJ 212 frames from standard input, or send frames from a simulated station."
    # Tests hand the command a stream instead of the process's standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        # One subparser and one handle_<name> method a subcommand: adding one touches nothing else.
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("parse", help="one frame a line on standard input → one JSON object a line")
        listen = actions.add_parser("listen", help="receive stations' frames over TCP and store them")
        listen.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (127.0.0.1; 0.0.0.0 for all)"
        )
        listen.add_argument("--port", type=int, default=9212, help="TCP port (9212)")
        listen.add_argument(
            "--idle-timeout", type=float, default=600.0, help="close a connection silent this long (600 s)"
        )
        simulate_parser = actions.add_parser(
            "simulate", help="send (or --print) a simulated station's frames"
        )
        self.add_simulate_arguments(simulate_parser)

    def add_simulate_arguments(self, parser) -> None:
        parser.add_argument("--print", dest="print_only", action="store_true", help="print, do not send")
        parser.add_argument("--host", default="127.0.0.1", help="platform address (127.0.0.1)")
        parser.add_argument("--port", type=int, default=9212, help="platform port (9212)")
        parser.add_argument("--mn", default=DEMO_MN, help=f"station MN ({DEMO_MN})")
        parser.add_argument("--pw", default=DEMO_PW, help=f"station password ({DEMO_PW})")
        parser.add_argument(
            "--cn",
            default=codes.HOURLY,
            choices=sorted(PERIODS),
            help="2011 real-time, 2051 minute, 2061 hourly (default), 2031 daily",
        )
        parser.add_argument("--count", type=int, default=24, help="periods to send (24)")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between frames when sending (1)"
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed, the same frames")
        parser.add_argument(
            "--exceed",
            choices=sorted(EXCEEDANCE_PEAKS),
            help="push this parameter past class V for a few periods",
        )
        parser.add_argument(
            "--start", type=_moment, help="DataTime of the first period, ISO 8601, Beijing time if no zone"
        )
        parser.add_argument("--no-answer", action="store_true", help="do not ask the platform for answers")
        parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for an answer (5)")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_listen(self, host: str, port: int, idle_timeout: float, **options) -> None:
        import asyncio
        import logging
        import signal

        from hezhang.monitoring.hj212.listener import serve
        from hezhang.monitoring.receiving import handle_line

        logging.getLogger("hezhang.hj212").setLevel(logging.INFO)

        async def run() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)

            def ready(address) -> None:
                self.stdout.write(f"HJ 212 listening on {address[0]}:{address[1]} (Ctrl+C stops)")

            await serve(host, port, handle_line, idle_timeout=idle_timeout, stop=stop, ready=ready)

        asyncio.run(run())
        self.stdout.write("HJ 212 listener stopped")

    def handle_parse(self, stdin=None, **options) -> None:
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", sys.stdin)
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                frame = parse_frame(line)
            except FrameError as error:
                record = {"line": number, "error": error.code, "message": error.message}
            else:
                record = {"line": number, **frame.as_dict(), "parameters": codes.to_parameters(frame.values)}
            self.stdout.write(json.dumps(record, ensure_ascii=False))

    def handle_simulate(self, **options) -> None:
        if options["count"] < 1:
            raise CommandError("--count must be at least 1")
        cn = options["cn"]
        start = options["start"] or _start_of_run(datetime.now(BEIJING), cn, options["count"])
        try:
            frames = simulate(
                options["mn"],
                options["pw"],
                start=start,
                count=options["count"],
                cn=cn,
                seed=options["seed"],
                exceed=options["exceed"],
                answer=not options["no_answer"],
            )
        except FrameError as error:
            raise CommandError(f"cannot build the frames: {error.message}") from None
        if options["print_only"]:
            for frame in frames:
                self.stdout.write(frame.decode("utf-8").rstrip("\r\n"))
            return
        self.send(frames, options["host"], options["port"], options["interval"], options["timeout"])

    def send(self, frames: list[bytes], host: str, port: int, interval: float, timeout: float) -> None:
        try:
            for frame, reply in send_frames(host, port, frames, pause=interval, timeout=timeout):
                self.stdout.write("→ " + frame.decode("utf-8").rstrip("\r\n"))
                if reply is not None:
                    self.stdout.write("← " + reply.decode("utf-8", errors="replace").rstrip("\r\n"))
                elif wants_answer(frame):
                    self.stdout.write(f"← (no answer within {timeout:g} s)")
        except OSError as error:
            raise CommandError(f"cannot talk to {host}:{port}: {error}") from None
        self.stdout.write(f"{len(frames)} frames sent to {host}:{port}")
