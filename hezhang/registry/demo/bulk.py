"""What `save()` would compute, done for rows written with `bulk_create` (which skips `save()`)."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.db import models
from django.utils import timezone

from hezhang.geo.measure import line_length_m, polygon_area_m2
from hezhang.registry.models import Reach, Region, WaterBody
from hezhang.registry.models.regions import code_prefix
from hezhang.registry.pinyin import initials

BATCH = 2000


@lru_cache(maxsize=200_000)
def pinyin(text: str) -> str:
    """`initials`, remembered: demo names repeat a lot (village names, personal names)."""
    return initials(text)


def ready(obj: models.Model) -> models.Model:
    """Fill the derived fields `save()` would fill: pinyin, path, bounding box, length and area."""
    if hasattr(obj, "pinyin"):
        obj.pinyin = pinyin(getattr(obj, "name", "") or "")
    if hasattr(obj, "update_bbox"):
        obj.update_bbox()
    if isinstance(obj, Region):
        obj.path = code_prefix(obj.code, obj.level)
    elif isinstance(obj, Reach):
        obj.length_m = obj.area_m2 = None
        kind = (obj.geometry or {}).get("type", "")
        if "LineString" in kind:
            obj.length_m = round(line_length_m(obj.geometry), 1)
        elif "Polygon" in kind:
            obj.area_m2 = round(polygon_area_m2(obj.geometry), 1)
    elif isinstance(obj, WaterBody):
        kind = (obj.geometry or {}).get("type", "")
        if "LineString" in kind and obj.length_km is None:
            obj.length_km = round(line_length_m(obj.geometry) / 1000, 3)
        if "Polygon" in kind and obj.area_km2 is None:
            obj.area_km2 = round(polygon_area_m2(obj.geometry) / 1e6, 4)
    return obj


def create(model: type[models.Model], rows: list, batch_size: int = BATCH) -> list:
    """bulk_create after `ready()` on every row; returns the rows with their primary keys."""
    for row in rows:
        ready(row)
    return model.objects.bulk_create(rows, batch_size=batch_size)


def when(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """A fixed, timezone-aware moment on a day, so generated timestamps do not depend on the clock."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
