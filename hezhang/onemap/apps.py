from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnemapConfig(AppConfig):
    name = "hezhang.onemap"
    label = "onemap"
    verbose_name = _("河湖一张图")
