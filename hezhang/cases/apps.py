from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "hezhang.cases"
    label = "cases"
    verbose_name = _("问题与案件")

    def ready(self) -> None:
        from hezhang.cases import (
            deadlines,  # noqa: F401  (registers the scheduled deadline check)
            summary,  # noqa: F401  (keeps CaseDay with every save of a case)
        )
