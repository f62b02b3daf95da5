"""The state of the periodic jobs, shared by every worker process through the database."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobRun(models.Model):
    """The last run of one periodic job: when it started and finished, and how it ended.

    A worker claims a run by moving ``last_started`` forward only if it still holds the value it read, so two
    workers can never both start the same run.
    """

    name = models.CharField(
        verbose_name=_("任务"),
        max_length=100,
        unique=True,
    )
    last_started = models.DateTimeField(
        verbose_name=_("最近开始"),
        null=True,
        blank=True,
    )
    last_finished = models.DateTimeField(
        verbose_name=_("最近结束"),
        null=True,
        blank=True,
    )
    last_error = models.TextField(
        verbose_name=_("最近错误"),
        blank=True,
        help_text=_("最近一次运行失败时的错误信息；成功运行后清空"),
    )
    runs = models.PositiveIntegerField(
        verbose_name=_("运行次数"),
        default=0,
    )

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = pgettext_lazy("plural", "后台任务")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def running(self) -> bool:
        return self.last_started is not None and (
            self.last_finished is None or self.last_finished < self.last_started
        )
