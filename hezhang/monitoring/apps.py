from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "hezhang.monitoring"
    label = "monitoring"
    verbose_name = _("监测")

    def ready(self) -> None:
        from hezhang.monitoring.public import quality_panel
        from hezhang.registry.public import REACH_PANELS

        if quality_panel not in REACH_PANELS:
            REACH_PANELS.append(quality_panel)
