import signal
import threading

from django.core.management.base import BaseCommand

from hezhang.jobs import schedule, worker


class Command(BaseCommand):
    help = (
        "Run the periodic background jobs (notification delivery, deadline reminders…): a loop for systemd, "
        "or one pass with --once for cron and tests. Several workers may run at once safely."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due once, then exit")
        parser.add_argument(
            "--interval", type=float, default=worker.POLL_SECONDS, help="seconds between passes (default 5)"
        )

    def handle(self, *args, once, interval, verbosity, **options):
        if once:
            # Errors other than a job's own (database unreachable…) end the command with a failure status.
            self.report(schedule.run_due(), verbosity)
            return
        stop = threading.Event()

        def finish(signum, frame):
            # A job in progress completes, so its run is recorded as finished rather than left hanging.
            stop.set()
            schedule.wake.set()

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        self.stdout.write(f"hezhang worker: {len(schedule.JOBS)} jobs, a pass every {interval:g} s")
        worker.run_forever(stop, poll=interval)

    def report(self, ran: list[str], verbosity: int) -> None:
        if verbosity >= 2 or (verbosity >= 1 and ran):
            self.stdout.write("ran: " + (", ".join(ran) or "nothing due"))
