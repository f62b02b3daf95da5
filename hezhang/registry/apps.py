from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "hezhang.registry"
    label = "registry"
    verbose_name = _("河湖名录")

    def ready(self) -> None:
        from hezhang.history import recording
        from hezhang.registry import models

        recording.track(
            models.Region,
            models.Grid,
            models.WaterBody,
            models.Reach,
            models.Dossier,
            models.RiverPlan,
            models.PlanTask,
            models.Signboard,
            models.Asset,
            models.Section,
            models.Outfall,
            models.Office,
            models.Department,
            models.ChiefAssignment,
            models.DelegateLink,
        )
