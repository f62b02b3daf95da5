"""One river, one dossier (一河一档) and one river, one plan (一河一策)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.registry.models.organisation import Department
from hezhang.registry.models.water import WaterBody


class Dossier(models.Model):
    """The dossier (一河一档) of a water body: the facts a new chief reads first, and their attachments."""

    scope_path = "water_body"

    water_body = models.OneToOneField(
        WaterBody,
        verbose_name=_("水体"),
        on_delete=models.CASCADE,
        related_name="dossier",
    )
    source = models.CharField(verbose_name=_("源头"), max_length=200, blank=True)
    mouth = models.CharField(verbose_name=_("河口/汇入处"), max_length=200, blank=True)
    functions = models.CharField(
        verbose_name=_("主要功能"),
        max_length=200,
        blank=True,
        help_text=_("例如：防洪、灌溉、饮用水源、景观"),
    )
    flood_standard = models.CharField(verbose_name=_("防洪标准"), max_length=100, blank=True)
    water_function_zone = models.CharField(verbose_name=_("水功能区"), max_length=200, blank=True)
    population = models.PositiveIntegerField(verbose_name=_("沿岸人口"), null=True, blank=True)
    facts = models.TextField(
        verbose_name=_("基本情况"),
        blank=True,
        help_text=_("自然、社会、水资源、水环境、岸线、涉水工程等情况"),
    )
    updated_at = models.DateTimeField(verbose_name=_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("一河一档")
        verbose_name_plural = pgettext_lazy("plural", "一河一档")
        ordering = ["water_body__code"]

    def __str__(self) -> str:
        return _("%(name)s 档案") % {"name": self.water_body.name}


class DossierAttachment(models.Model):
    scope_path = "dossier__water_body"

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("档案"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    title = models.CharField(verbose_name=_("标题"), max_length=200)
    file = models.FileField(verbose_name=_("文件"), upload_to="dossiers/%Y/%m/")
    uploaded_at = models.DateTimeField(verbose_name=_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("档案附件")
        verbose_name_plural = pgettext_lazy("plural", "档案附件")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class RiverPlan(models.Model):
    """A plan (一河一策) for a water body over a period: its problems, goals and tasks."""

    scope_path = "water_body"

    water_body = models.ForeignKey(
        WaterBody,
        verbose_name=_("水体"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    title = models.CharField(verbose_name=_("标题"), max_length=200)
    start_year = models.PositiveSmallIntegerField(verbose_name=_("起始年份"))
    end_year = models.PositiveSmallIntegerField(verbose_name=_("截止年份"))
    problems = models.TextField(verbose_name=_("主要问题"), blank=True)
    goals = models.TextField(verbose_name=_("治理目标"), blank=True)

    class Meta:
        verbose_name = _("一河一策")
        verbose_name_plural = pgettext_lazy("plural", "一河一策")
        ordering = ["-start_year", "water_body__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="plan_period_is_ordered",
                violation_error_message=_("截止年份不能早于起始年份"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_current(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    DELAYED = "delayed", _("滞后")


class PlanTask(models.Model):
    """A task of a river plan with the unit responsible for it and its deadline."""

    scope_path = "plan__water_body"

    plan = models.ForeignKey(
        RiverPlan,
        verbose_name=_("一河一策"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    title = models.CharField(verbose_name=_("任务"), max_length=200)
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_tasks",
    )
    responsible_unit = models.CharField(
        verbose_name=_("责任单位(其他)"),
        max_length=100,
        blank=True,
    )
    deadline = models.DateField(verbose_name=_("完成时限"), null=True, blank=True)
    status = models.CharField(
        verbose_name=_("状态"),
        max_length=20,
        choices=TaskStatus.choices,
        default=TaskStatus.PLANNED,
    )

    class Meta:
        verbose_name = _("一河一策任务")
        verbose_name_plural = pgettext_lazy("plural", "一河一策任务")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title
