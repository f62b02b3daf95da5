import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the platform: Django's development server, or with --prod gunicorn with static files by whitenoise."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HEZHANG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HEZHANG_PORT", "8000")))
        parser.add_argument("--prod", action="store_true", help="gunicorn, DEBUG off, collected static files")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("HEZHANG_WORKERS", "3")))

    def handle(self, *args, host, port, prod, workers, **options):
        if not prod:
            from hezhang.jobs.worker import start_in_process_worker

            call_command("migrate", interactive=False, verbosity=0)
            # One process for everything while developing: notifications and deadline checks run in a thread.
            start_in_process_worker()
            call_command("runserver", f"{host}:{port}", use_reloader=False)
            return
        if settings.DEBUG:
            raise CommandError("HEZHANG_DEBUG must be off in production")
        if settings.SECRET_KEY.startswith("hezhang-development-key"):
            raise CommandError("Set HEZHANG_SECRET_KEY to a long random value before `hezhang serve --prod`")
        call_command("migrate", interactive=False, verbosity=0)
        # Hashed, compressed copies let whitenoise serve static files with far-future caching.
        env = dict(
            os.environ, HEZHANG_STATICFILES_STORAGE="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
        subprocess.check_call(
            [sys.executable, "-m", "hezhang.cli", "collectstatic", "--noinput", "-v0"], env=env
        )
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "hezhang.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            # Imports of a few thousand rows run inside the request; gunicorn's default 30 s would cut them off.
            "--timeout",
            os.environ.get("HEZHANG_REQUEST_TIMEOUT", "180"),
            "--access-logfile",
            "-",
        ]
        self.stdout.write(f"hezhang: gunicorn on http://{host}:{port}/")
        sys.exit(subprocess.call(cmd, env=env))
