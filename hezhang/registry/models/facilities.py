"""Things on the banks: signboards, assets, monitoring sections and outfalls."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.registry.models.base import GeoModel, bbox_indexes
from hezhang.registry.models.organisation import Department
from hezhang.registry.models.regions import Region
from hezhang.registry.models.water import Reach, WaterBody
from hezhang.registry.pinyin import initials


class PointModel(GeoModel):
    geometry_types = ("Point",)
    scope_path = "region__path"

    code = models.CharField(
        verbose_name=_("编码"),
        max_length=40,
        unique=True,
    )
    name = models.CharField(
        verbose_name=_("名称"),
        max_length=100,
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在行政区"),
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    pinyin = models.CharField(max_length=100, blank=True, db_index=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pinyin = initials(self.name)
        super().save(*args, **kwargs)


class Signboard(PointModel):
    """A signboard (公示牌) on the bank; its QR code opens the public page of its reach."""

    reach = models.ForeignKey(
        Reach,
        verbose_name=_("河段"),
        on_delete=models.PROTECT,
        related_name="signboards",
    )
    installed_on = models.DateField(
        verbose_name=_("设立日期"),
        null=True,
        blank=True,
    )
    content = models.TextField(
        verbose_name=_("公示内容"),
        blank=True,
    )

    class Meta(PointModel.Meta):
        verbose_name = _("公示牌")
        verbose_name_plural = pgettext_lazy("plural", "公示牌")
        indexes = bbox_indexes("signboard")


class AssetKind(models.TextChoices):
    MANHOLE = "manhole", _("井盖")
    GULLY = "gully", _("雨水篦子")
    SLUICE = "sluice", _("闸站")
    PUMP = "pump", _("泵站")
    DIKE = "dike", _("堤防")
    BRIDGE = "bridge", _("桥梁")
    CULVERT = "culvert", _("涵洞")
    CAMERA = "camera", _("视频监控")
    OTHER = "other", _("其他")


class Asset(PointModel):
    """An asset (部件) such as a manhole cover or sluice, with the department that owns and repairs it."""

    kind = models.CharField(
        verbose_name=_("类型"),
        max_length=20,
        choices=AssetKind.choices,
        default=AssetKind.OTHER,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("权属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
    )
    water_body = models.ForeignKey(
        WaterBody,
        verbose_name=_("水体"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
    )

    class Meta(PointModel.Meta):
        verbose_name = _("部件")
        verbose_name_plural = pgettext_lazy("plural", "部件")
        indexes = bbox_indexes("asset")


class SectionKind(models.TextChoices):
    MONITORING = "monitoring", _("监测断面")
    BOUNDARY = "boundary", _("交接断面")


class Section(PointModel):
    """A monitoring section (监测断面) or boundary section (交接断面) where water quality is measured."""

    kind = models.CharField(
        verbose_name=_("类型"),
        max_length=20,
        choices=SectionKind.choices,
        default=SectionKind.MONITORING,
    )
    water_body = models.ForeignKey(
        WaterBody,
        verbose_name=_("水体"),
        on_delete=models.PROTECT,
        related_name="sections",
    )
    reach = models.ForeignKey(
        Reach,
        verbose_name=_("河段"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sections",
    )
    upstream_region = models.ForeignKey(
        Region,
        verbose_name=_("上游行政区"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("交接断面考核的上游行政区"),
    )
    target_class = models.PositiveSmallIntegerField(
        verbose_name=_("水质目标"),
        choices=[(1, "I"), (2, "II"), (3, "III"), (4, "IV"), (5, "V")],
        null=True,
        blank=True,
    )

    class Meta(PointModel.Meta):
        verbose_name = _("断面")
        verbose_name_plural = pgettext_lazy("plural", "断面")
        indexes = bbox_indexes("section")


class OutfallKind(models.TextChoices):
    INDUSTRIAL = "industrial", _("工业排污口")
    MUNICIPAL = "municipal", _("城镇污水处理厂排污口")
    AGRICULTURAL = "agricultural", _("农业排口")
    RAIN = "rain", _("雨水排口")
    MIXED = "mixed", _("雨污混合排口")
    OTHER = "other", _("其他排口")


class Outfall(PointModel):
    """An outfall (入河排污口) where wastewater enters a water body."""

    kind = models.CharField(
        verbose_name=_("类型"),
        max_length=20,
        choices=OutfallKind.choices,
        default=OutfallKind.OTHER,
    )
    water_body = models.ForeignKey(
        WaterBody,
        verbose_name=_("受纳水体"),
        on_delete=models.PROTECT,
        related_name="outfalls",
    )
    owner = models.CharField(
        verbose_name=_("责任主体"),
        max_length=100,
        blank=True,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("监管部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outfalls",
    )
    approved = models.BooleanField(
        verbose_name=_("已审批/登记"),
        default=False,
    )

    class Meta(PointModel.Meta):
        verbose_name = _("排污口")
        verbose_name_plural = pgettext_lazy("plural", "排污口")
        indexes = bbox_indexes("outfall")
