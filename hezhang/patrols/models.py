"""Patrols (巡河): a chief, grid member or delegate walking their reaches with a phone or a tracker.

A patrol's points arrive in batches while it is open and are appended to a staging table (`PatrolPoint`, one row
a point, unique per patrol and client sequence so a resent batch adds nothing). When the patrol ends, every
point received is sealed into one compact blob on the patrol (`Patrol.track`, see sealing.py) and the staging
rows are deleted: billions of points never live as rows. The blob is the audit copy of what was received; the
scorer cleans it again whenever it scores, so a changed rule re-scores from the raw data.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.cases.bilingual import in_active_language
from hezhang.cases.models import Case, CaseCategory
from hezhang.registry.models import Reach, Region


class ChecklistItem(models.Model):
    """A yes/no question the patroller answers on the bank ("floating debris?"); data, per water body kind."""

    code = models.SlugField(verbose_name=_("代码"), max_length=40, unique=True)
    label = models.CharField(verbose_name=_("检查项"), max_length=100)
    label_en = models.CharField(verbose_name=_("英文名称"), max_length=150, blank=True)
    water_body_kinds = models.JSONField(
        verbose_name=_("适用水体类型"),
        default=list,
        blank=True,
        help_text=_("留空表示适用于全部水体类型"),
    )
    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("对应问题类别"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("回答“有”时，建议按此类别上报问题"),
    )
    order = models.PositiveSmallIntegerField(verbose_name=_("顺序"), default=0)
    active = models.BooleanField(verbose_name=_("启用"), default=True)

    class Meta:
        verbose_name = _("巡查清单项")
        verbose_name_plural = pgettext_lazy("plural", "巡查清单项")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return in_active_language(self.label, self.label_en)

    def applies_to(self, kind: str) -> bool:
        return not self.water_body_kinds or kind in self.water_body_kinds


class PatrolRole(models.TextChoices):
    CHIEF = "chief", _("河湖长")
    GRID = "grid", _("网格员/巡河员")
    DELEGATE = "delegate", _("人大代表/政协委员")


class Period(models.TextChoices):
    WEEK = "week", _("每周")
    TEN_DAYS = "ten_days", _("每旬")
    HALF_MONTH = "half_month", _("每半月")
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    HALF_YEAR = "half_year", _("每半年")
    YEAR = "year", _("每年")


class PatrolRule(models.Model):
    """How often and how thoroughly one kind of patroller must patrol: a region's rule, inherited below it.

    The most specific rule wins: the patroller's own region before its ancestors, a rule for their level before
    one for every level; a rule with months applies only in those months (a flood-season rule, say).
    """

    region = models.ForeignKey(
        Region,
        verbose_name=_("行政区"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="patrol_rules",
        help_text=_("留空为全平台默认规则"),
    )
    role = models.CharField(
        verbose_name=_("巡河人员"), max_length=10, choices=PatrolRole.choices, default=PatrolRole.CHIEF
    )
    chief_level = models.PositiveSmallIntegerField(
        verbose_name=_("河长级别"),
        choices=[(1, _("省级")), (2, _("市级")), (3, _("县级")), (4, _("乡级")), (5, _("村级"))],
        null=True,
        blank=True,
        help_text=_("留空表示适用于所有级别"),
    )
    period = models.CharField(verbose_name=_("周期"), max_length=12, choices=Period.choices)
    times = models.PositiveSmallIntegerField(verbose_name=_("每周期次数"), default=1)
    months = models.JSONField(
        verbose_name=_("适用月份"),
        default=list,
        blank=True,
        help_text=_("如 [6, 7, 8, 9] 为汛期；留空为全年"),
    )
    min_duration_min = models.PositiveSmallIntegerField(verbose_name=_("最短时长（分钟）"), default=10)
    min_distance_m = models.PositiveIntegerField(verbose_name=_("最短距离（米）"), default=500)
    min_coverage_pct = models.PositiveSmallIntegerField(verbose_name=_("最低覆盖率（%）"), default=30)
    buffer_m = models.PositiveSmallIntegerField(verbose_name=_("覆盖判定距离（米）"), default=50)
    max_speed_kmh = models.PositiveSmallIntegerField(
        verbose_name=_("最高平均速度（公里/时）"), default=25, help_text=_("更快视为乘车经过")
    )
    max_start_distance_m = models.PositiveIntegerField(verbose_name=_("起点距河段最远（米）"), default=500)
    require_checklist = models.BooleanField(
        verbose_name=_("须填写巡查清单"), default=True, help_text=_("未填写视为“巡而不查”")
    )
    updated_at = models.DateTimeField(verbose_name=_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("巡河规则")
        verbose_name_plural = pgettext_lazy("plural", "巡河规则")
        ordering = ["region__path", "role", "chief_level"]

    def __str__(self) -> str:
        level = self.get_chief_level_display() if self.chief_level else _("各级")
        where = self.region.name if self.region else _("默认")
        return f"{where} · {level}{self.get_role_display()} · {self.get_period_display()} {self.times} 次"


class Source(models.TextChoices):
    APP = "app", _("巡河App")
    TRACKER = "tracker", _("定位器/Traccar")
    GPX = "gpx", _("GPX导入")


class Patrol(models.Model):
    """One patrol: who, which reaches, when, the sealed track, and the verdict on whether it counts."""

    client_id = models.CharField(
        verbose_name=_("客户端编号"), max_length=64, unique=True, null=True, blank=True
    )
    patroller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡河人"), on_delete=models.PROTECT, related_name="patrols"
    )
    role = models.CharField(verbose_name=_("身份"), max_length=10, choices=PatrolRole.choices)
    chief_level = models.PositiveSmallIntegerField(verbose_name=_("河长级别"), null=True, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("行政区"),
        on_delete=models.PROTECT,
        related_name="patrols",
        null=True,
        blank=True,
    )
    reaches = models.ManyToManyField(Reach, verbose_name=_("河段"), related_name="patrols", blank=True)
    source = models.CharField(
        verbose_name=_("来源"), max_length=10, choices=Source.choices, default=Source.APP
    )
    device_id = models.CharField(verbose_name=_("设备"), max_length=100, blank=True)
    started_at = models.DateTimeField(verbose_name=_("开始时间"), default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(verbose_name=_("结束时间"), null=True, blank=True)
    last_point_at = models.DateTimeField(verbose_name=_("最后定位时间"), null=True, blank=True)
    note = models.TextField(verbose_name=_("巡河日志"), blank=True)

    # The sealed track (every point received) and its extent, for the map and for coarse SQL filtering.
    track = models.BinaryField(verbose_name=_("轨迹"), null=True, blank=True, editable=False)
    point_count = models.PositiveIntegerField(verbose_name=_("轨迹点数"), default=0)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)

    # The verdict, from the cleaned track under the rule that applied; null until scored.
    rule = models.ForeignKey(
        PatrolRule, verbose_name=_("适用规则"), on_delete=models.SET_NULL, null=True, blank=True
    )
    scored_at = models.DateTimeField(verbose_name=_("评定时间"), null=True, blank=True)
    is_valid = models.BooleanField(verbose_name=_("有效巡河"), null=True, blank=True, db_index=True)
    duration_s = models.FloatField(verbose_name=_("时长（秒）"), null=True, blank=True)
    distance_m = models.FloatField(verbose_name=_("距离（米）"), null=True, blank=True)
    coverage = models.FloatField(verbose_name=_("覆盖率"), null=True, blank=True)
    max_speed_mps = models.FloatField(verbose_name=_("最高速度（米/秒）"), null=True, blank=True)
    mode = models.CharField(verbose_name=_("方式"), max_length=10, blank=True)
    reasons = models.JSONField(verbose_name=_("无效原因"), default=list, blank=True)
    flags = models.JSONField(verbose_name=_("标记"), default=list, blank=True)
    score = models.JSONField(verbose_name=_("评定明细"), default=dict, blank=True)
    cases = models.ManyToManyField(Case, verbose_name=_("发现的问题"), related_name="patrols", blank=True)

    class Meta:
        verbose_name = _("巡河")
        verbose_name_plural = pgettext_lazy("plural", "巡河")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["patroller", "started_at"], name="patrol_patroller_start"),
            models.Index(fields=["region", "started_at"], name="patrol_region_start"),
        ]

    def __str__(self) -> str:
        return f"{self.patroller} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class PatrolPoint(models.Model):
    """A point of an open patrol, staged until the patrol ends and its track is sealed."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="staged_points")
    seq = models.BigIntegerField()
    t = models.FloatField()
    lon = models.FloatField()
    lat = models.FloatField()
    accuracy = models.FloatField(null=True)
    speed = models.FloatField(null=True)
    heading = models.FloatField(null=True)
    altitude = models.FloatField(null=True)

    class Meta:
        verbose_name = _("待封存轨迹点")
        verbose_name_plural = pgettext_lazy("plural", "待封存轨迹点")
        constraints = [models.UniqueConstraint(fields=["patrol", "seq"], name="patrol_point_once")]

    def __str__(self) -> str:
        return f"{self.patrol_id}#{self.seq}"


EVENT_LABELS = {"start": _("开始巡河"), "end": _("结束巡河"), "rescore": _("重新评定")}


class PatrolEvent(models.Model):
    """What happened to a patrol, appended and never changed: started, ended, re-scored."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("巡河"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(verbose_name=_("动作"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(verbose_name=_("时间"), default=timezone.now)
    data = models.JSONField(verbose_name=_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("巡河记录")
        verbose_name_plural = pgettext_lazy("plural", "巡河记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.patrol_id} {self.action}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


class ChecklistAnswer(models.Model):
    """The patroller's answer to one checklist item: found the problem (yes) or not (no)."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("巡河"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT)
    found = models.BooleanField(verbose_name=_("发现问题"))
    note = models.CharField(verbose_name=_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("巡查清单回答")
        verbose_name_plural = pgettext_lazy("plural", "巡查清单回答")
        constraints = [models.UniqueConstraint(fields=["patrol", "item"], name="patrol_answer_once")]

    def __str__(self) -> str:
        return f"{self.item}: {'有' if self.found else '无'}"


def _photo_path(instance, filename: str) -> str:
    return f"private/patrols/{timezone.now():%Y/%m}/{instance.patrol_id}-{instance.client_id or 'x'}.jpg"


class PatrolPhoto(models.Model):
    """A photo taken on the patrol (the river as it was), kept with the patrol's record."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("巡河"), on_delete=models.CASCADE, related_name="photos"
    )
    client_id = models.CharField(
        verbose_name=_("客户端编号"), max_length=64, unique=True, null=True, blank=True
    )
    image = models.FileField(verbose_name=_("照片"), upload_to=_photo_path)
    lon = models.FloatField(verbose_name=_("经度"), null=True, blank=True)
    lat = models.FloatField(verbose_name=_("纬度"), null=True, blank=True)
    taken_at = models.DateTimeField(verbose_name=_("拍摄时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("巡河照片")
        verbose_name_plural = pgettext_lazy("plural", "巡河照片")
        ordering = ["taken_at", "id"]

    def __str__(self) -> str:
        return f"{self.patrol_id} {self.image.name}"


class Tracker(models.Model):
    """A tracker app (Traccar Client, OsmAnd) of one user: the device id it sends is a secret that names them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="tracker"
    )
    device_id = models.CharField(verbose_name=_("设备标识"), max_length=64, unique=True)
    created_at = models.DateTimeField(verbose_name=_("创建时间"), auto_now_add=True)
    last_seen = models.DateTimeField(verbose_name=_("最后上报"), null=True, blank=True)

    class Meta:
        verbose_name = _("定位器")
        verbose_name_plural = pgettext_lazy("plural", "定位器")

    def __str__(self) -> str:
        return f"{self.user} · {self.device_id[:6]}…"


# --- Summaries: derived from the patrols, kept by summary.py, rebuilt by `hezhang patrol aggregate` --------------


class RegionDay(models.Model):
    """The patrols started on one day (local time) in one region's subtree, and how many of them counted.

    Derived from `Patrol`, never edited: `summary` keeps it as patrols are saved and deleted, and `hezhang patrol
    aggregate` rebuilds it. `region_path` is a region's path (its code's significant prefix), so a row sums every
    patrol whose region's path starts with it, a province's row every patrol of the province; "" sums every patrol
    there is. The statistics of a region and period read a row a day instead of every patrol. Rows are keyed by
    path, not region: re-coding regions calls for a rebuild.
    """

    region_path = models.CharField(verbose_name=_("区划路径"), max_length=12, blank=True)
    day = models.DateField(verbose_name=_("日期"))
    # Plain integers, not positive ones: a summary out of step must never make saving a patrol fail.
    patrols = models.IntegerField(verbose_name=_("巡河次数"), default=0)
    valid = models.IntegerField(verbose_name=_("有效巡河"), default=0)
    valid_distance_m = models.FloatField(verbose_name=_("有效巡河距离（米）"), default=0.0)
    valid_duration_s = models.FloatField(verbose_name=_("有效巡河时长（秒）"), default=0.0)

    class Meta:
        verbose_name = _("行政区每日巡河")
        verbose_name_plural = pgettext_lazy("plural", "行政区每日巡河")
        constraints = [models.UniqueConstraint(fields=["region_path", "day"], name="region_day_once")]

    def __str__(self) -> str:
        return f"{self.region_path or '*'} {self.day}: {self.valid}/{self.patrols}"


class ReachDay(models.Model):
    """The valid patrols of one reach on one day (local time); derived from `Patrol` like `RegionDay`.

    Only days with a valid patrol have a row, so a blank spot (a reach without one in a period) is one probe of the
    (reach, day) index instead of a walk through every patrol of the reach; for a short period (a week just begun)
    the (day, reach) index finds the few rows of its days at once instead.
    """

    reach = models.ForeignKey(Reach, verbose_name=_("河段"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(verbose_name=_("日期"))
    valid = models.IntegerField(verbose_name=_("有效巡河"), default=0)

    class Meta:
        verbose_name = _("河段每日巡河")
        verbose_name_plural = pgettext_lazy("plural", "河段每日巡河")
        constraints = [models.UniqueConstraint(fields=["reach", "day"], name="reach_day_once")]
        indexes = [models.Index(fields=["day", "reach"], name="reach_day_by_day")]

    def __str__(self) -> str:
        return f"{self.reach_id} {self.day}: {self.valid}"


class PatrollerYear(models.Model):
    """One patroller's patrols in one region through one calendar year, day by day; derived like `RegionDay`.

    Each count is a bitmap of the days with any (bit i: the i-th day of the year, local time) and the few days with
    more than one (see daycounts.py): the patrol rate of 56 000 patrollers over a year reads a few megabytes, not
    six million patrols, and is still exact. `region_path` is the path of the patrols' region ("" for none).
    """

    patroller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡河人"), on_delete=models.CASCADE, related_name="+"
    )
    region_path = models.CharField(verbose_name=_("区划路径"), max_length=12, blank=True)
    year = models.PositiveSmallIntegerField(verbose_name=_("年份"))
    patrolled = models.BinaryField(verbose_name=_("巡河日"))
    patrolled_more = models.BinaryField(verbose_name=_("多次巡河日"), default=b"", blank=True)
    valid = models.BinaryField(verbose_name=_("有效巡河日"))
    valid_more = models.BinaryField(verbose_name=_("多次有效巡河日"), default=b"", blank=True)

    class Meta:
        verbose_name = _("巡河人年度巡河")
        verbose_name_plural = pgettext_lazy("plural", "巡河人年度巡河")
        constraints = [
            models.UniqueConstraint(fields=["patroller", "region_path", "year"], name="patroller_year_once")
        ]
        indexes = [models.Index(fields=["year", "region_path"], name="patroller_year_region")]

    def __str__(self) -> str:
        return f"{self.patroller_id} {self.region_path or '*'} {self.year}"


class PatrollerStanding(models.Model):
    """Whether one patroller meets their rule in this calendar week, month, quarter or year, as `standing` judges
    it on the day its `StandingDay` says; kept so that a province's patrol rate is one grouped count of its rows.

    Derived, never edited: `standings.py` keeps a patroller's rows in the transaction that changes their valid
    patrols, their office or their person, and rebuilds them all when a day begins or the rules change. Only the
    current periods of the four kinds are kept; other ranges are counted as they are asked for.
    """

    patroller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡河人"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(verbose_name=_("周期"), max_length=8)
    # A chief's level ("1".."5"), "grid" or "delegate": the rows of the rate by level.
    category = models.CharField(verbose_name=_("类别"), max_length=8)
    region_path = models.CharField(verbose_name=_("区划路径"), max_length=12, blank=True)
    name = models.CharField(verbose_name=_("姓名"), max_length=150, blank=True)
    met = models.BooleanField(verbose_name=_("达标"), default=False)
    overdue = models.BooleanField(verbose_name=_("逾期未达标"), default=False)

    class Meta:
        verbose_name = _("巡河人达标情况")
        verbose_name_plural = pgettext_lazy("plural", "巡河人达标情况")
        constraints = [
            models.UniqueConstraint(fields=["patroller", "period"], name="patroller_standing_once")
        ]
        indexes = [models.Index(fields=["period", "region_path"], name="patroller_standing_region")]

    def __str__(self) -> str:
        return f"{self.patroller_id} {self.period}: {'met' if self.met else 'unmet'}"


class PatrollerTerm(models.Model):
    """When a patroller may have to patrol (巡河人员任期): a row a chief's assignment, with its dates, and one row,
    undated, a grid member or delegate; only active ones. With where they are placed and their name, so that
    `standing` finds a province's patrollers of a range in one narrow scan instead of joining users, regions and
    assignments.

    Derived, never edited: `roster.py` writes a patroller's rows again in the transaction that changes their record
    or one of their assignments, and moves them when their region is re-coded.
    """

    patroller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("巡河人"), on_delete=models.CASCADE, related_name="+"
    )
    # The patroller's role and own chief level, as `standing` numbers them: role * 8 + level (0: none).
    kind = models.PositiveSmallIntegerField(verbose_name=_("类别"))
    # The level of the assignment (a chief's), 0 for the others.
    level = models.PositiveSmallIntegerField(verbose_name=_("级别"), default=0)
    start = models.DateField(verbose_name=_("开始日期"), null=True, blank=True)
    end = models.DateField(verbose_name=_("结束日期"), null=True, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("行政区"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    region_path = models.CharField(verbose_name=_("区划路径"), max_length=12, blank=True)
    name = models.CharField(verbose_name=_("姓名"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("巡河人员任期")
        verbose_name_plural = pgettext_lazy("plural", "巡河人员任期")

    def __str__(self) -> str:
        return f"{self.patroller_id} {self.start or '…'}..{self.end or '…'}"


class StandingDay(models.Model):
    """The period and the day the kept standings of one kind of period were judged on, set once all were: pages
    read `PatrollerStanding` only when it says today and the period asked for."""

    period = models.CharField(verbose_name=_("周期"), max_length=8, unique=True)
    start = models.DateField(verbose_name=_("开始日期"))
    end = models.DateField(verbose_name=_("结束日期"))
    as_of = models.DateField(verbose_name=_("评定日期"))

    class Meta:
        verbose_name = _("达标评定日")
        verbose_name_plural = pgettext_lazy("plural", "达标评定日")

    def __str__(self) -> str:
        return f"{self.period} {self.start}..{self.end} as of {self.as_of}"


__all__ = [
    "ChecklistAnswer",
    "ChecklistItem",
    "Patrol",
    "PatrolEvent",
    "PatrolPhoto",
    "PatrolPoint",
    "PatrolRole",
    "PatrolRule",
    "PatrollerStanding",
    "PatrollerTerm",
    "PatrollerYear",
    "Period",
    "ReachDay",
    "RegionDay",
    "Source",
    "StandingDay",
    "Tracker",
]
