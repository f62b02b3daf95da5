"""Monitoring: water quality samples at sections, automatic and hydrological stations, their readings, and alerts.

Values of a sample are kept together as one JSON object ({parameter key: value}); the keys are those of
``parameters.py`` (GB 3838-2002 items plus a few the standard does not class). A sample's classification is
computed once when it is written (``quality.classify``) and stored beside the values, so lists and maps read it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.registry.models import Region, Section
from hezhang.registry.models.base import bbox_indexes
from hezhang.registry.models.facilities import PointModel

WATER_CLASSES = [(1, "I"), (2, "II"), (3, "III"), (4, "IV"), (5, "V"), (6, _("劣V"))]


class Source(models.TextChoices):
    MANUAL = "manual", _("人工录入")
    IMPORT = "import", _("文件导入")
    AUTOMATIC = "automatic", _("自动监测")


class Interval(models.TextChoices):
    """What a value stands for: one grab sample, or the mean over a minute, an hour or a day (HJ 212 CN)."""

    SAMPLE = "sample", _("单次采样")
    REALTIME = "realtime", _("实时数据")
    MINUTE = "minute", _("分钟数据")
    HOUR = "hour", _("小时数据")
    DAY = "day", _("日数据")


class StationKind(models.TextChoices):
    WATER_QUALITY = "water_quality", _("水质自动站")
    HYDROLOGY = "hydrology", _("水文站")
    RAINFALL = "rainfall", _("雨量站")


class Station(PointModel):
    """An automatic water quality station, a hydrological station (water level, flow) or a rain gauge."""

    kind = models.CharField(
        verbose_name=_("类型"),
        max_length=20,
        choices=StationKind.choices,
        default=StationKind.WATER_QUALITY,
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("所在断面"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
        help_text=_("水质自动站的数据记入该断面"),
    )
    mn = models.CharField(
        verbose_name=_("设备唯一标识（MN）"),
        max_length=24,
        unique=True,
        null=True,
        blank=True,
        help_text=_("HJ 212 数据包中的 MN 号"),
    )
    password_hash = models.CharField(
        verbose_name=_("访问密码（摘要）"),
        max_length=64,
        blank=True,
        editable=False,
    )
    warning_level = models.FloatField(
        verbose_name=_("警戒水位（米）"),
        null=True,
        blank=True,
    )
    guarantee_level = models.FloatField(
        verbose_name=_("保证水位（米）"),
        null=True,
        blank=True,
    )
    rain_warning = models.FloatField(
        verbose_name=_("小时雨量预警值（毫米）"),
        null=True,
        blank=True,
    )
    active = models.BooleanField(
        verbose_name=_("启用"),
        default=True,
    )
    last_seen_at = models.DateTimeField(
        verbose_name=_("最近上报时间"),
        null=True,
        blank=True,
        editable=False,
    )

    class Meta(PointModel.Meta):
        verbose_name = _("监测站")
        verbose_name_plural = pgettext_lazy("plural", "监测站")
        indexes = bbox_indexes("station")

    def set_password(self, raw: str) -> None:
        from hezhang.monitoring.stations import password_digest

        self.password_hash = password_digest(raw)


class Sample(models.Model):
    """One water quality measurement at a section: its values, where they came from, and their class."""

    section = models.ForeignKey(
        Section,
        verbose_name=_("断面"),
        on_delete=models.CASCADE,
        related_name="samples",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("监测站"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="samples",
    )
    taken_at = models.DateTimeField(
        verbose_name=_("采样时间"),
    )
    source = models.CharField(
        verbose_name=_("来源"),
        max_length=20,
        choices=Source.choices,
        default=Source.MANUAL,
    )
    interval = models.CharField(
        verbose_name=_("数据类型"),
        max_length=20,
        choices=Interval.choices,
        default=Interval.SAMPLE,
    )
    values = models.JSONField(
        verbose_name=_("监测值"),
        default=dict,
    )
    flags = models.JSONField(
        verbose_name=_("数据标记"),
        default=dict,
        blank=True,
        help_text=_("各项目的质量标记，如自动站的 N（正常）、M（维护）、D（故障），或检出限“<”"),
    )
    item_classes = models.JSONField(
        verbose_name=_("单项类别"),
        default=dict,
        editable=False,
    )
    water_class = models.PositiveSmallIntegerField(
        verbose_name=_("水质类别"),
        choices=WATER_CLASSES,
        null=True,
        blank=True,
        editable=False,
    )
    main_pollutants = models.JSONField(
        verbose_name=_("主要污染指标"),
        default=list,
        editable=False,
    )
    note = models.CharField(
        verbose_name=_("备注"),
        max_length=200,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(
        verbose_name=_("录入时间"),
        auto_now_add=True,
    )

    scope_path = "section__region__path"

    class Meta:
        verbose_name = _("水质数据")
        verbose_name_plural = pgettext_lazy("plural", "水质数据")
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "taken_at", "interval"],
                name="one_sample_per_section_time_interval",
                violation_error_message=_("该断面在这一时间已有同类数据"),
            ),
        ]
        indexes = [models.Index(fields=["section", "interval", "taken_at"], name="sample_series")]

    def __str__(self) -> str:
        return f"{self.section} {self.taken_at:%Y-%m-%d %H:%M}"


class Period(models.TextChoices):
    MONTH = "month", _("月")
    YEAR = "year", _("年")


class Evaluation(models.Model):
    """A section's class over a month or a year: the mean of each item over the period's samples, classed."""

    section = models.ForeignKey(
        Section,
        verbose_name=_("断面"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    period = models.CharField(
        verbose_name=_("评价时段"),
        max_length=10,
        choices=Period.choices,
    )
    start = models.DateField(
        verbose_name=_("起始日"),
    )
    values = models.JSONField(
        verbose_name=_("均值"),
        default=dict,
    )
    item_classes = models.JSONField(
        verbose_name=_("单项类别"),
        default=dict,
    )
    water_class = models.PositiveSmallIntegerField(
        verbose_name=_("水质类别"),
        choices=WATER_CLASSES,
        null=True,
    )
    target_class = models.PositiveSmallIntegerField(
        verbose_name=_("水质目标"),
        null=True,
    )
    meets_target = models.BooleanField(
        verbose_name=_("达标"),
        null=True,
    )
    main_pollutants = models.JSONField(
        verbose_name=_("主要污染指标"),
        default=list,
    )
    samples = models.PositiveIntegerField(
        verbose_name=_("样品数"),
        default=0,
    )
    basis = models.CharField(
        verbose_name=_("评价依据"),
        max_length=20,
        choices=Interval.choices,
        default=Interval.SAMPLE,
    )
    updated_at = models.DateTimeField(
        verbose_name=_("计算时间"),
        auto_now=True,
    )

    scope_path = "section__region__path"

    class Meta:
        verbose_name = _("水质评价")
        verbose_name_plural = pgettext_lazy("plural", "水质评价")
        ordering = ["section", "period", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["section", "period", "start"], name="one_evaluation_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.section} {self.start:%Y-%m}"


class Reading(models.Model):
    """A hydrological observation at a station: water level, flow, and rainfall over the preceding interval."""

    station = models.ForeignKey(
        Station,
        verbose_name=_("监测站"),
        on_delete=models.CASCADE,
        related_name="readings",
    )
    observed_at = models.DateTimeField(
        verbose_name=_("观测时间"),
    )
    water_level = models.FloatField(
        verbose_name=_("水位（米）"),
        null=True,
        blank=True,
    )
    flow = models.FloatField(
        verbose_name=_("流量（立方米每秒）"),
        null=True,
        blank=True,
    )
    rainfall = models.FloatField(
        verbose_name=_("雨量（毫米）"),
        null=True,
        blank=True,
    )
    source = models.CharField(
        verbose_name=_("来源"),
        max_length=20,
        choices=Source.choices,
        default=Source.MANUAL,
    )
    created_at = models.DateTimeField(
        verbose_name=_("录入时间"),
        auto_now_add=True,
    )

    scope_path = "station__region__path"

    class Meta:
        verbose_name = _("水雨情数据")
        verbose_name_plural = pgettext_lazy("plural", "水雨情数据")
        ordering = ["-observed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "observed_at"],
                name="one_reading_per_station_time",
                violation_error_message=_("该站在这一时间已有观测数据"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.observed_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    LIMIT = "limit", _("监测值超限")
    CLASS = "class", _("水质劣于目标")
    JUMP = "jump", _("监测值突变")
    MISSING = "missing", _("数据缺失")
    WATER_LEVEL = "water_level", _("超警戒水位")
    RAINFALL = "rainfall", _("强降雨")
    BOUNDARY = "boundary", _("交接断面连续不达标")


class AlertRule(models.Model):
    """When to raise an alert, for whom, and whether it opens a case. Office staff edit these rows."""

    name = models.CharField(
        verbose_name=_("名称"),
        max_length=100,
    )
    kind = models.CharField(
        verbose_name=_("类型"),
        max_length=20,
        choices=AlertKind.choices,
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用行政区"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_rules",
        help_text=_("适用于该行政区及下级；留空为全平台规则（仅系统管理员）"),
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("仅限断面"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_rules",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("仅限监测站"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_rules",
    )
    parameter = models.CharField(
        verbose_name=_("监测项目"),
        max_length=20,
        blank=True,
        help_text=_("超限、突变规则检查的项目"),
    )
    threshold = models.FloatField(
        verbose_name=_("阈值"),
        null=True,
        blank=True,
        help_text=_("超限：限值（溶解氧为下限）；突变：变化量；强降雨：小时雨量；留空则用监测站或断面的设定"),
    )
    hours = models.PositiveIntegerField(
        verbose_name=_("小时数"),
        null=True,
        blank=True,
        help_text=_("突变：比较的时间窗口；数据缺失：多少小时无数据"),
    )
    months = models.PositiveSmallIntegerField(
        verbose_name=_("连续月数"),
        default=3,
        help_text=_("交接断面连续多少个月不达标时预警"),
    )
    opens_case = models.BooleanField(
        verbose_name=_("自动生成案件"),
        default=False,
    )
    category = models.ForeignKey(
        "cases.CaseCategory",
        verbose_name=_("案件类别"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("自动生成案件时使用；留空为“水体污染”"),
    )
    active = models.BooleanField(
        verbose_name=_("启用"),
        default=True,
    )

    scope_path = "region__path"

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = pgettext_lazy("plural", "预警规则")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """A condition that holds at a section or station. While it goes on it stays one open alert."""

    rule = models.ForeignKey(
        AlertRule,
        verbose_name=_("预警规则"),
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    kind = models.CharField(
        verbose_name=_("类型"),
        max_length=20,
        choices=AlertKind.choices,
    )
    subject = models.CharField(
        verbose_name=_("对象"),
        max_length=80,
        editable=False,
        help_text=_("同一规则、同一对象同时只有一条未解除的预警"),
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("断面"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("监测站"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("责任行政区"),
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    parameter = models.CharField(
        verbose_name=_("监测项目"),
        max_length=20,
        blank=True,
    )
    value = models.FloatField(
        verbose_name=_("触发值"),
        null=True,
        blank=True,
    )
    message = models.CharField(
        verbose_name=_("说明"),
        max_length=300,
    )
    data = models.JSONField(
        verbose_name=_("数据"),
        default=dict,
    )
    opened_at = models.DateTimeField(
        verbose_name=_("预警时间"),
    )
    last_seen_at = models.DateTimeField(
        verbose_name=_("最近一次满足条件"),
    )
    cleared_at = models.DateTimeField(
        verbose_name=_("解除时间"),
        null=True,
        blank=True,
    )
    occurrences = models.PositiveIntegerField(
        verbose_name=_("触发次数"),
        default=1,
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope_path = "region__path"

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = pgettext_lazy("plural", "预警")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=Q(cleared_at__isnull=True),
                name="one_open_alert_per_rule_and_subject",
            ),
        ]
        indexes = [models.Index(fields=["cleared_at", "opened_at"], name="alert_open")]

    def __str__(self) -> str:
        return self.message

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class AlertEvent(models.Model):
    """One step in an alert's life, never changed afterwards: raised, notified, case opened, cleared."""

    ACTIONS = [
        ("raised", _("触发")),
        ("notified", _("已通知")),
        ("case_opened", _("生成案件")),
        ("acknowledged", _("已知悉")),
        ("cleared", _("解除")),
    ]

    alert = models.ForeignKey(
        Alert,
        verbose_name=_("预警"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(
        verbose_name=_("动作"),
        max_length=20,
        choices=ACTIONS,
    )
    at = models.DateTimeField(
        verbose_name=_("时间"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(
        verbose_name=_("说明"),
        max_length=300,
        blank=True,
    )
    data = models.JSONField(
        verbose_name=_("数据"),
        default=dict,
        blank=True,
    )

    class Meta:
        verbose_name = _("预警记录")
        verbose_name_plural = pgettext_lazy("plural", "预警记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"


class FrameLog(models.Model):
    """A refused HJ 212 frame, kept for the station's maintainers (bad CRC, unknown MN, wrong password…)."""

    received_at = models.DateTimeField(
        verbose_name=_("接收时间"),
        auto_now_add=True,
    )
    peer = models.CharField(
        verbose_name=_("来源地址"),
        max_length=80,
        blank=True,
    )
    mn = models.CharField(
        verbose_name=_("MN"),
        max_length=24,
        blank=True,
    )
    error = models.CharField(
        verbose_name=_("原因代码"),
        max_length=30,
    )
    message = models.CharField(
        verbose_name=_("原因"),
        max_length=300,
    )
    raw = models.TextField(
        verbose_name=_("原始数据"),
    )

    class Meta:
        verbose_name = _("拒收数据包")
        verbose_name_plural = pgettext_lazy("plural", "拒收数据包")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.mn or self.peer} {self.error}"
