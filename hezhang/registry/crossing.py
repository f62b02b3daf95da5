"""Which regions a geometry crosses: coarse bbox filter in SQL, exact test with shapely on the few candidates."""

import shapely
from shapely.geometry import shape

from hezhang.geo.validation import bbox
from hezhang.registry.models import Region


def regions_crossed(geometry: dict, queryset=None) -> list[Region]:
    if not geometry:
        return []
    west, south, east, north = bbox(geometry)
    candidates = (queryset if queryset is not None else Region.objects.all()).filter(
        min_lon__lte=east, max_lon__gte=west, min_lat__lte=north, max_lat__gte=south
    )
    geom = shape(geometry)
    crossed = []
    for region in candidates.exclude(geometry=None):
        polygon = shape(region.geometry)
        # Touching a boundary is not crossing: a river along a township border belongs to the township it is in.
        if shapely.intersects(polygon, geom) and not shapely.touches(polygon, geom):
            crossed.append(region)
    return crossed
