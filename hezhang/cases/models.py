"""Cases (问题/案件): a problem at a place, routed to who answers for it, handled, verified and closed.

Every step is an append-only CaseEvent; the case row only caches where the history has got to.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.cases.bilingual import in_active_language
from hezhang.registry.models import Department, DepartmentKind, Grid, Office, Reach, Region, WaterBody


class CaseState(models.Model):
    """A state of the workflow as data: stable code, label, and whether a case in it is still open."""

    code = models.CharField(verbose_name=_("代码"), max_length=20, primary_key=True)
    label = models.CharField(verbose_name=_("名称"), max_length=50)
    label_en = models.CharField(
        verbose_name=_("英文名称"),
        max_length=100,
        blank=True,
        help_text=_("英文界面显示的名称；留空则显示中文名称"),
    )
    is_open = models.BooleanField(verbose_name=_("未结"), default=True)
    is_fixed = models.BooleanField(
        verbose_name=_("已解决"),
        default=False,
        help_text=_("在公众地图上显示为绿色"),
    )
    order = models.PositiveSmallIntegerField(verbose_name=_("顺序"), default=0)

    class Meta:
        verbose_name = _("案件状态")
        verbose_name_plural = pgettext_lazy("plural", "案件状态")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the active language (the Chinese one when there is no English)."""
        return in_active_language(self.label, self.label_en)


class CaseCategory(models.Model):
    """A kind of problem, with who usually handles it and how long they have. Regions may add their own."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("适用行政区"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="case_categories",
        help_text=_("留空表示全平台通用"),
    )
    code = models.SlugField(verbose_name=_("代码"), max_length=40)
    name = models.CharField(verbose_name=_("名称"), max_length=50)
    name_en = models.CharField(
        verbose_name=_("英文名称"),
        max_length=100,
        blank=True,
        help_text=_("英文界面显示的名称；留空则显示中文名称"),
    )
    group = models.CharField(verbose_name=_("分组"), max_length=30, blank=True)
    department_kind = models.CharField(
        verbose_name=_("默认处置部门类别"),
        max_length=30,
        choices=DepartmentKind.choices,
        blank=True,
    )
    deadline_days = models.PositiveSmallIntegerField(verbose_name=_("办理时限(天)"), default=7)
    urgent_deadline_days = models.PositiveSmallIntegerField(verbose_name=_("紧急时限(天)"), default=2)
    public = models.BooleanField(verbose_name=_("公众可选"), default=True)
    order = models.PositiveSmallIntegerField(verbose_name=_("顺序"), default=0)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = pgettext_lazy("plural", "问题类别")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"],
                name="category_unique_code_in_region",
                violation_error_message=_("该行政区已有同代码的问题类别"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (the Chinese one when there is no English)."""
        return in_active_language(self.name, self.name_en)


class Channel(models.TextChoices):
    PATROL = "patrol", _("巡河发现")
    PUBLIC = "public", _("公众随手拍")
    HOTLINE = "hotline", _("热线电话")
    DELEGATE = "delegate", _("人大代表/政协委员")
    INSPECTION = "inspection", _("督查检查")
    SENSOR = "sensor", _("监测预警")
    REMOTE_SENSING = "remote_sensing", _("遥感监测")
    DEPARTMENT = "department", _("部门移交")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Case(models.Model):
    """A reported problem and where its handling stands."""

    number = models.CharField(verbose_name=_("编号"), max_length=32, unique=True)
    title = models.CharField(verbose_name=_("标题"), max_length=100)
    description = models.TextField(verbose_name=_("描述"), blank=True)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("问题类别"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(
        verbose_name=_("来源渠道"), max_length=20, choices=Channel.choices, db_index=True
    )
    urgency = models.CharField(
        verbose_name=_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    lon = models.FloatField(verbose_name=_("经度"))
    lat = models.FloatField(verbose_name=_("纬度"))
    address = models.CharField(verbose_name=_("位置描述"), max_length=200, blank=True)
    state = models.ForeignKey(CaseState, verbose_name=_("状态"), on_delete=models.PROTECT, related_name="+")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
    )
    # The public reporter's contact is kept for staff and for tracking, never shown on public pages.
    reporter_name = models.CharField(verbose_name=_("上报人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(verbose_name=_("上报人电话"), max_length=20, blank=True)
    client_id = models.CharField(
        verbose_name=_("客户端编号"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("客户端生成的编号：重复提交不会产生第二个案件"),
    )

    region = models.ForeignKey(
        Region, verbose_name=_("所在行政区"), on_delete=models.PROTECT, related_name="cases"
    )
    water_body = models.ForeignKey(
        WaterBody,
        verbose_name=_("水体"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    reach = models.ForeignKey(
        Reach, verbose_name=_("河段"), on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("受理河长办"), on_delete=models.PROTECT, related_name="cases"
    )
    chiefs = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("责任河长"), blank=True, related_name="chief_cases"
    )
    proposed_department = models.ForeignKey(
        Department,
        verbose_name=_("建议处置部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outside_jurisdiction = models.BooleanField(
        verbose_name=_("不在任何辖区内"),
        default=False,
        help_text=_("位置不在任何河段、水体或行政区内，已转上级河长办"),
    )
    routing_note = models.CharField(verbose_name=_("分拨说明"), max_length=300, blank=True)

    # Who holds the case now, cached from the latest assignment event.
    department = models.ForeignKey(
        Department,
        verbose_name=_("处置部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处置人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_cases",
    )
    handling_office = models.ForeignKey(
        Office,
        verbose_name=_("承办河长办"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_cases",
    )
    deadline = models.DateTimeField(verbose_name=_("办理期限"), null=True, blank=True, db_index=True)
    is_supervised = models.BooleanField(verbose_name=_("督办"), default=False)
    urge_count = models.PositiveSmallIntegerField(verbose_name=_("催办次数"), default=0)
    escalation_level = models.PositiveSmallIntegerField(verbose_name=_("升级次数"), default=0)
    target_date = models.DateField(verbose_name=_("挂账目标日期"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    rating = models.CharField(
        verbose_name=_("满意度"),
        max_length=20,
        blank=True,
        choices=[("satisfied", _("满意")), ("fair", _("基本满意")), ("unsatisfied", _("不满意"))],
    )
    reopen_count = models.PositiveSmallIntegerField(verbose_name=_("重新打开次数"), default=0)

    created_at = models.DateTimeField(verbose_name=_("上报时间"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(verbose_name=_("受理时间"), null=True, blank=True)
    completed_at = models.DateTimeField(verbose_name=_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(verbose_name=_("结案时间"), null=True, blank=True)
    updated_at = models.DateTimeField(verbose_name=_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = pgettext_lazy("plural", "案件")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="case_state_deadline"),
            models.Index(fields=["lon", "lat"], name="case_position"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_overdue(self) -> bool:
        """Late with the handler: still being handled past the deadline (long-term cases have a target date,
        completed ones wait for verification, which is the office's turn)."""
        return bool(
            self.deadline and self.state_id in ("assigned", "in_progress") and self.deadline < timezone.now()
        )


class CaseEvent(models.Model):
    """One step of a case (上报, 受理, 交办, 办结, 核查…). Rows are only ever added."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(verbose_name=_("操作"), max_length=20, db_index=True)
    from_state = models.ForeignKey(
        CaseState, verbose_name=_("原状态"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_state = models.ForeignKey(
        CaseState, verbose_name=_("新状态"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(verbose_name=_("说明"), blank=True)
    data = models.JSONField(verbose_name=_("数据"), default=dict, blank=True)
    public = models.BooleanField(verbose_name=_("公众可见"), default=True)
    at = models.DateTimeField(verbose_name=_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("案件记录")
        verbose_name_plural = pgettext_lazy("plural", "案件记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.action}"

    @property
    def deadline(self):
        """The deadline this step set (assign, transfer, extension), as a datetime for display."""
        import datetime

        raw = (self.data or {}).get("deadline")
        return datetime.datetime.fromisoformat(raw) if raw else None

    @property
    def action_label(self) -> str:
        from hezhang.cases.workflow import ACTIONS

        if self.action == "report":
            return str(_("上报"))
        spec = ACTIONS.get(self.action)
        return str(spec.label) if spec else self.action


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")


def _original_path(instance, filename: str) -> str:
    return f"private/cases/{timezone.now():%Y/%m}/{instance.sha256}{_ext(filename)}"


def _public_path(instance, filename: str) -> str:
    return f"public/cases/{timezone.now():%Y/%m}/{instance.sha256}.jpg"


def _thumb_path(instance, filename: str) -> str:
    return f"public/cases/{timezone.now():%Y/%m}/{instance.sha256}-t.jpg"


def _ext(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower()[:6] if dot >= 0 else ""


class CasePhoto(models.Model):
    """A photo before or after handling: the original kept privately, a metadata-free public copy and thumbnail."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("记录"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
    )
    stage = models.CharField(verbose_name=_("阶段"), max_length=10, choices=PhotoStage.choices)
    original = models.FileField(verbose_name=_("原图"), upload_to=_original_path)
    # Blank until the copies are rendered: public reports leave that to the background job (see render_pending).
    public = models.FileField(verbose_name=_("公开图"), upload_to=_public_path, blank=True)
    thumbnail = models.FileField(verbose_name=_("缩略图"), upload_to=_thumb_path, blank=True)
    render_error = models.CharField(verbose_name=_("处理错误"), max_length=200, blank=True)
    sha256 = models.CharField(verbose_name=_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(verbose_name=_("宽"), default=0)
    height = models.PositiveIntegerField(verbose_name=_("高"), default=0)
    taken_at = models.DateTimeField(verbose_name=_("拍摄时间"), null=True, blank=True)
    lon = models.FloatField(verbose_name=_("拍摄经度"), null=True, blank=True)
    lat = models.FloatField(verbose_name=_("拍摄纬度"), null=True, blank=True)
    uploaded_at = models.DateTimeField(verbose_name=_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件照片")
        verbose_name_plural = pgettext_lazy("plural", "案件照片")
        ordering = ["stage", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_stage_display()}"

    @property
    def processing(self) -> bool:
        """The public copy and thumbnail are still to be rendered by the background job."""
        return not self.public and not self.render_error


def _video_path(instance, filename: str) -> str:
    return f"private/cases/{timezone.now():%Y/%m}/{instance.sha256}{_ext(filename)}"


class CaseVideo(models.Model):
    """A short video of the problem, kept privately for staff: a video shows faces and voices, so it is never public."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="videos")
    event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("记录"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="videos",
    )
    stage = models.CharField(verbose_name=_("阶段"), max_length=10, choices=PhotoStage.choices)
    original = models.FileField(verbose_name=_("视频文件"), upload_to=_video_path)
    sha256 = models.CharField(verbose_name=_("SHA-256"), max_length=64)
    container = models.CharField(verbose_name=_("格式"), max_length=10)
    size_bytes = models.PositiveBigIntegerField(verbose_name=_("大小（字节）"), default=0)
    duration_s = models.FloatField(verbose_name=_("时长（秒）"), null=True, blank=True)
    uploaded_at = models.DateTimeField(verbose_name=_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件视频")
        verbose_name_plural = pgettext_lazy("plural", "案件视频")
        ordering = ["stage", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_stage_display()}"


class RateWindow(models.Model):
    """How many public reports one address or phone made in one hour: the limit against scripted floods.

    One row per key and hour, bumped by a single upsert statement; the database is the only state shared by
    every server process, so no cache server is needed for the limit to hold across them.
    """

    key = models.CharField(verbose_name=_("键"), max_length=100)
    window = models.CharField(verbose_name=_("时段"), max_length=10)
    count = models.PositiveIntegerField(verbose_name=_("次数"), default=0)

    class Meta:
        verbose_name = _("提交计数")
        verbose_name_plural = pgettext_lazy("plural", "提交计数")
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="cases_rate_window_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.window}: {self.count}"


class CaseNumber(models.Model):
    """The last sequence number handed out per region and day, so concurrent reports never share a number."""

    prefix = models.CharField(verbose_name=_("前缀"), max_length=20, primary_key=True)
    last = models.PositiveIntegerField(verbose_name=_("最后序号"), default=0)

    class Meta:
        verbose_name = _("案件编号序列")
        verbose_name_plural = pgettext_lazy("plural", "案件编号序列")

    def __str__(self) -> str:
        return f"{self.prefix}{self.last:04d}"


class CaseDay(models.Model):
    """The cases reported on one day (local time) in one region's subtree, and those closed on it.

    Derived from `Case`, never edited: `cases.summary` keeps it as cases are saved and deleted. `region_path` is a
    region's path, so a row sums every case of the region's subtree, "" every case there is; a trend of a year reads
    a row a day instead of every case. Keyed by path like the patrol summaries: a region re-coded has them counted
    again.
    """

    region_path = models.CharField(verbose_name=_("区划路径"), max_length=12, blank=True)
    day = models.DateField(verbose_name=_("日期"))
    # Plain integers: a summary out of step must never make saving a case fail.
    reported = models.IntegerField(verbose_name=_("上报"), default=0)
    closed = models.IntegerField(verbose_name=_("结案"), default=0)

    class Meta:
        verbose_name = _("行政区每日案件")
        verbose_name_plural = pgettext_lazy("plural", "行政区每日案件")
        constraints = [models.UniqueConstraint(fields=["region_path", "day"], name="case_day_once")]

    def __str__(self) -> str:
        return f"{self.region_path or '*'} {self.day}: {self.reported} reported, {self.closed} closed"
