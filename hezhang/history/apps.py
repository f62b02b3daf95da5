from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    name = "hezhang.history"
    label = "history"
    verbose_name = _("变更记录")
