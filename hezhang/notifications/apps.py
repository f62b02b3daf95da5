from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hezhang.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        checks.register(check_providers, checks.Tags.compatibility)


def check_providers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from hezhang.notifications.providers import EMAIL_PROVIDERS, SMS_PROVIDERS

    errors = []
    for setting, known in (
        ("HEZHANG_SMS_PROVIDER", SMS_PROVIDERS),
        ("HEZHANG_EMAIL_PROVIDER", EMAIL_PROVIDERS),
    ):
        value = getattr(settings, setting)
        if value not in known:
            errors.append(
                checks.Error(
                    f"{setting}={value!r} is not one of: {', '.join(known)}",
                    id="notifications.E001",
                )
            )
    return errors
