"""In-app notifications and the outbox of SMS and email messages."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """A message to one user inside the platform, shown under the bell until they read it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(
        verbose_name=_("事件"),
        max_length=30,
        blank=True,
        help_text=_("交办、催办、督办……的代码，见 templates_text.EVENTS"),
    )
    title = models.CharField(
        verbose_name=_("标题"),
        max_length=200,
    )
    body = models.TextField(
        verbose_name=_("内容"),
        blank=True,
    )
    url = models.CharField(
        verbose_name=_("链接"),
        max_length=500,
        blank=True,
        help_text=_("站内地址，点击通知时打开"),
    )
    created_at = models.DateTimeField(
        verbose_name=_("时间"),
        auto_now_add=True,
    )
    read_at = models.DateTimeField(
        verbose_name=_("阅读时间"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = pgettext_lazy("plural", "站内通知")
        ordering = ["-created_at", "-id"]
        # The bell counts a user's unread notifications on every page.
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_recipient_read")]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxMessage(models.Model):
    """One SMS or email: queued by the workflow, sent by the background worker, kept as the record of what went out.

    A failed attempt is retried later (``next_attempt_at``) until the attempts run out; then the message is
    ``failed`` and waits for a system admin to retry it.
    """

    channel = models.CharField(
        verbose_name=_("发送方式"),
        max_length=10,
        choices=Channel.choices,
    )
    to = models.CharField(
        verbose_name=_("接收方"),
        max_length=254,
        help_text=_("手机号码或电子邮箱"),
    )
    subject = models.CharField(
        verbose_name=_("主题"),
        max_length=200,
        blank=True,
    )
    body = models.TextField(
        verbose_name=_("内容"),
    )
    template = models.CharField(
        verbose_name=_("模板"),
        max_length=30,
        blank=True,
        help_text=_("事件代码；短信服务商的模板编号由它查得"),
    )
    params = models.JSONField(
        verbose_name=_("模板参数"),
        default=list,
        blank=True,
        help_text=_("[[变量名, 值], …]，按短信模板中出现的顺序"),
    )
    related = models.CharField(
        verbose_name=_("相关对象"),
        max_length=200,
        blank=True,
    )
    status = models.CharField(
        verbose_name=_("状态"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(
        verbose_name=_("尝试次数"),
        default=0,
    )
    next_attempt_at = models.DateTimeField(
        verbose_name=_("下次尝试"),
        default=timezone.now,
    )
    last_error = models.TextField(
        verbose_name=_("最近错误"),
        blank=True,
    )
    provider = models.CharField(
        verbose_name=_("服务商"),
        max_length=20,
        blank=True,
    )
    provider_message_id = models.CharField(
        verbose_name=_("服务商消息编号"),
        max_length=100,
        blank=True,
    )
    created_at = models.DateTimeField(
        verbose_name=_("创建时间"),
        auto_now_add=True,
    )
    sent_at = models.DateTimeField(
        verbose_name=_("发送时间"),
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("短信与邮件")
        verbose_name_plural = pgettext_lazy("plural", "短信与邮件")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's question every ten seconds: which pending messages are due?
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to}"
