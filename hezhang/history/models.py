"""The append-only record of every change to a registry record: who, when, what changed."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Action(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")


class Change(models.Model):
    """One change to one record. Rows are only ever added."""

    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("对象类型"),
        on_delete=models.PROTECT,
    )
    object_id = models.CharField(
        verbose_name=_("对象 ID"),
        max_length=40,
    )
    object_repr = models.CharField(
        verbose_name=_("对象"),
        max_length=200,
    )
    action = models.CharField(
        verbose_name=_("操作"),
        max_length=10,
        choices=Action.choices,
    )
    changes = models.JSONField(
        verbose_name=_("变更内容"),
        default=dict,
        help_text=_("字段名 → [原值, 新值]"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(
        verbose_name=_("来源"),
        max_length=20,
        default="web",
        help_text=_("web / api / import / admin / system"),
    )
    at = models.DateTimeField(
        verbose_name=_("时间"),
        auto_now_add=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = pgettext_lazy("plural", "变更记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="change_object_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
