from functools import cached_property

from hezhang.notifications.models import Notification


class UnreadNotifications:
    """Counted only if a page shows it (the bell), and then once."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return Notification.objects.filter(recipient=self.user, read_at=None).count()


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": UnreadNotifications(user)}
