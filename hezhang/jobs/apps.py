from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from hezhang.env import envbool


class JobsConfig(AppConfig):
    name = "hezhang.jobs"
    label = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        # Every app's periodic jobs live in its jobs.py; importing them registers them.
        autodiscover_modules("jobs")
        # Read at start-up, not from settings: `hezhang demo`/`serve` set it for the processes they start, and tests
        # and one-off commands (migrate, import) must never get a background thread.
        if envbool("HEZHANG_INPROCESS_WORKER", False):
            from hezhang.jobs.worker import start_in_process_worker

            start_in_process_worker()
