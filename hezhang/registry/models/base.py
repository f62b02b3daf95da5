"""What every registry record with a place on the map shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hezhang.geo.validation import bbox


class GeoModel(models.Model):
    """A record with a GeoJSON geometry in WGS84/CGCS2000 lon/lat and its bounding box for coarse SQL filters."""

    geometry_types: tuple[str, ...] = ()

    geometry = models.JSONField(
        verbose_name=_("几何"),
        null=True,
        blank=True,
    )
    min_lon = models.FloatField(verbose_name=_("最小经度"), null=True, blank=True, editable=False)
    min_lat = models.FloatField(verbose_name=_("最小纬度"), null=True, blank=True, editable=False)
    max_lon = models.FloatField(verbose_name=_("最大经度"), null=True, blank=True, editable=False)
    max_lat = models.FloatField(verbose_name=_("最大纬度"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.update_bbox()
        super().save(*args, **kwargs)

    def update_bbox(self) -> None:
        if self.geometry:
            self.min_lon, self.min_lat, self.max_lon, self.max_lat = bbox(self.geometry)
        else:
            self.min_lon = self.min_lat = self.max_lon = self.max_lat = None

    @property
    def point(self) -> tuple[float, float] | None:
        if self.geometry and self.geometry.get("type") == "Point":
            lon, lat = self.geometry["coordinates"][:2]
            return lon, lat
        return None


def bbox_indexes(prefix: str) -> list[models.Index]:
    return [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name=f"{prefix}_bbox")]
