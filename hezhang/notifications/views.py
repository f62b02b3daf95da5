"""我的通知 (every user) and the outbox of SMS and email (system admins)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from hezhang.notifications.delivery import retry_now
from hezhang.notifications.filters import OutboxFilter
from hezhang.notifications.models import Notification, OutboxMessage, Status


def _local(url: str, request) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


class NotificationList(LoginRequiredMixin, View):
    def get(self, request):
        mine = Notification.objects.filter(recipient=request.user)
        page = Paginator(mine, 30).get_page(request.GET.get("page"))
        unread = mine.filter(read_at=None).count()
        return render(request, "notifications/list.html", {"page": page, "unread": unread, "query": ""})


class ReadAll(LoginRequiredMixin, View):
    def post(self, request):
        count = Notification.objects.filter(recipient=request.user, read_at=None).update(
            read_at=timezone.now()
        )
        if count:
            messages.success(
                request, ngettext("%(n)d 条通知已标为已读", "%(n)d 条通知已标为已读", count) % {"n": count}
            )
        return redirect("notifications:list")


class OpenNotification(LoginRequiredMixin, View):
    """Clicking a notification: it is read now, and its page opens."""

    def get(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if notification.read_at is None:
            Notification.objects.filter(pk=pk, read_at=None).update(read_at=timezone.now())
        # Only pages of this site: a stored link must never send a user elsewhere.
        if _local(notification.url, request):
            return redirect(notification.url)
        return redirect("notifications:list")


class SystemAdminOnly(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_platform_admin:
            raise PermissionDenied(_("只有系统管理员可以查看短信与邮件发件箱"))
        return super().dispatch(request, *args, **kwargs)


class Outbox(SystemAdminOnly, View):
    def get(self, request):
        filterset = OutboxFilter(request.GET or None, queryset=OutboxMessage.objects.all())
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        totals = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by())
        return render(
            request,
            "notifications/outbox.html",
            {
                "filterset": filterset,
                "page": page,
                "query": query.urlencode(),
                "totals": [(status, label, totals.get(status, 0)) for status, label in Status.choices],
                "failed": Status.FAILED,
            },
        )


class RetryMessage(SystemAdminOnly, View):
    def post(self, request, pk):
        message = get_object_or_404(OutboxMessage, pk=pk)
        outcome = retry_now(message.pk)
        if outcome == "sent":
            messages.success(request, _("已重新发送：%(to)s") % {"to": message.to})
        elif outcome == "skipped":
            messages.info(request, _("该消息已不是发送失败状态，未重复发送：%(to)s") % {"to": message.to})
        else:
            message.refresh_from_db()
            messages.error(
                request,
                _("重新发送失败：%(to)s（%(error)s）") % {"to": message.to, "error": message.last_error},
            )
        back = request.POST.get("next", "")
        return redirect(back if _local(back, request) else reverse("notifications:outbox"))
