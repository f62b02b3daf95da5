"""Which reaches a patroller is standing by: "巡附近" proposes them, nearest first, their own before others."""

import shapely
from django.conf import settings

from hezhang.accounts.jurisdiction import visible
from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.coverage_map import as_lines
from hezhang.patrols.recording import responsible_reaches
from hezhang.registry.models import Reach


def reaches_near(user, lon: float, lat: float, radius_m: float | None = None) -> list[tuple[Reach, float]]:
    radius = radius_m or getattr(settings, "HEZHANG_PATROL_NEARBY_METRES", 300.0)
    kx, ky = metres_per_degree(lat)
    dx, dy = radius / kx, radius / ky
    candidates = visible(Reach.objects.all(), user).filter(
        min_lon__lte=lon + dx, max_lon__gte=lon - dx, min_lat__lte=lat + dy, max_lat__gte=lat - dy
    )
    own = set(responsible_reaches(user).values_list("pk", flat=True))
    found = []
    for reach in candidates.select_related("water_body"):
        geometry = as_lines(reach.geometry) or {}
        lines = geometry.get("coordinates") or []
        parts = [lines] if geometry.get("type") == "LineString" else lines
        local = [[((x - lon) * kx, (y - lat) * ky) for x, y, *_ in part] for part in parts if len(part) >= 2]
        if not local:
            continue
        distance = float(shapely.MultiLineString(local).distance(shapely.Point(0, 0)))
        if distance <= radius:
            found.append((reach, distance))
    found.sort(key=lambda item: (item[0].pk not in own, item[1]))
    return found
