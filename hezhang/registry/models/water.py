"""Water bodies and the reaches chiefs are responsible for."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hezhang.geo.measure import line_length_m, polygon_area_m2
from hezhang.registry.models.base import GeoModel, bbox_indexes
from hezhang.registry.models.regions import Region
from hezhang.registry.pinyin import initials


class WaterBodyKind(models.TextChoices):
    RIVER = "river", _("河流")
    LAKE = "lake", _("湖泊")
    RESERVOIR = "reservoir", _("水库")
    POND = "pond", _("塘坝")
    CANAL = "canal", _("渠道")
    SMALL = "small", _("小微水体")


LINEAR_KINDS = {WaterBodyKind.RIVER, WaterBodyKind.CANAL}


class WaterBody(GeoModel):
    """A river, lake, reservoir, pond, canal or small water body (水体) of the registry (河湖名录).

    Rivers and canals carry a centreline; the others a polygon. `region` is the lowest region that manages
    the whole water body; `regions` are all the regions it crosses.
    """

    geometry_types = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")

    kind = models.CharField(
        verbose_name=_("类型"),
        max_length=20,
        choices=WaterBodyKind.choices,
        default=WaterBodyKind.RIVER,
        db_index=True,
    )
    name = models.CharField(
        verbose_name=_("名称"),
        max_length=100,
    )
    code = models.CharField(
        verbose_name=_("编码"),
        max_length=30,
        unique=True,
        help_text=_("河流按 SL 249-2012 编码（如 AFA12345670L），其他水体为本平台的稳定编码"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("汇入河流"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tributaries",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("管理行政区"),
        on_delete=models.PROTECT,
        related_name="managed_water_bodies",
    )
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("流经行政区"),
        blank=True,
        related_name="water_bodies",
    )
    basin_area_km2 = models.FloatField(
        verbose_name=_("流域面积(km²)"),
        null=True,
        blank=True,
    )
    length_km = models.FloatField(
        verbose_name=_("长度(km)"),
        null=True,
        blank=True,
        help_text=_("留空时按几何自动计算"),
    )
    area_km2 = models.FloatField(
        verbose_name=_("水面面积(km²)"),
        null=True,
        blank=True,
        help_text=_("留空时按几何自动计算"),
    )
    description = models.TextField(
        verbose_name=_("概况"),
        blank=True,
    )
    pinyin = models.CharField(max_length=100, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("水体")
        verbose_name_plural = pgettext_lazy("plural", "水体")
        ordering = ["code"]
        indexes = bbox_indexes("waterbody")

    def __str__(self) -> str:
        return self.name

    @property
    def is_linear(self) -> bool:
        return self.kind in LINEAR_KINDS

    def save(self, *args, **kwargs):
        self.pinyin = initials(self.name)
        if self.geometry:
            gtype = self.geometry.get("type", "")
            if "LineString" in gtype and self.length_km is None:
                self.length_km = round(line_length_m(self.geometry) / 1000, 3)
            if "Polygon" in gtype and self.area_km2 is None:
                self.area_km2 = round(polygon_area_m2(self.geometry) / 1e6, 4)
        super().save(*args, **kwargs)


class Reach(GeoModel):
    """A reach (河段), the unit a chief answers for: a stretch of a river, or a zone of a lake or reservoir."""

    geometry_types = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")
    scope_path = "region__path"

    water_body = models.ForeignKey(
        WaterBody,
        verbose_name=_("所属水体"),
        on_delete=models.PROTECT,
        related_name="reaches",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在行政区"),
        on_delete=models.PROTECT,
        related_name="reaches",
    )
    name = models.CharField(
        verbose_name=_("名称"),
        max_length=100,
    )
    code = models.CharField(
        verbose_name=_("河段编码"),
        max_length=40,
        unique=True,
    )
    start_description = models.CharField(
        verbose_name=_("起点"),
        max_length=200,
        blank=True,
    )
    end_description = models.CharField(
        verbose_name=_("终点"),
        max_length=200,
        blank=True,
    )
    length_m = models.FloatField(
        verbose_name=_("长度(m)"),
        null=True,
        blank=True,
        editable=False,
    )
    area_m2 = models.FloatField(
        verbose_name=_("面积(m²)"),
        null=True,
        blank=True,
        editable=False,
    )
    pinyin = models.CharField(max_length=100, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("河段")
        verbose_name_plural = pgettext_lazy("plural", "河段")
        ordering = ["code"]
        indexes = bbox_indexes("reach")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pinyin = initials(self.name)
        self.length_m = self.area_m2 = None
        if self.geometry:
            gtype = self.geometry.get("type", "")
            if "LineString" in gtype:
                self.length_m = round(line_length_m(self.geometry), 1)
            elif "Polygon" in gtype:
                self.area_m2 = round(polygon_area_m2(self.geometry), 1)
        super().save(*args, **kwargs)
