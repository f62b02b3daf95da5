from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "hezhang.patrols"
    label = "patrols"
    verbose_name = _("巡河")

    def ready(self) -> None:
        # The summaries follow every save and delete of a patrol, whoever makes it (see summary.py).
        from hezhang.patrols import summary  # noqa: F401
