from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeaturesConfig(AppConfig):
    name = "hezhang.features"
    label = "features"
    verbose_name = _("OGC API 要素服务")
