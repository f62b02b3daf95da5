import math
import time

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.points import TrackPoint


def walk(line, start_frac=0.0, end_frac=1.0, *, speed=1.3, step_s=5.0, t0=None, offset_m=0.0):
    """Fixes every `step_s` seconds along a polyline from one fraction of its length to another."""
    kx, ky = metres_per_degree(line[0][1])
    lengths = [
        math.hypot((b[0] - a[0]) * kx, (b[1] - a[1]) * ky) for a, b in zip(line, line[1:], strict=False)
    ]
    total = sum(lengths)
    t0 = time.time() - 3 * 3600 if t0 is None else t0
    points, s, t, seq = [], start_frac * total, t0, 0
    while s <= end_frac * total:
        rest, i = s, 0
        while i < len(lengths) - 1 and rest > lengths[i]:
            rest -= lengths[i]
            i += 1
        a, b = line[i], line[i + 1]
        f = rest / lengths[i]
        points.append(
            TrackPoint(
                t=t,
                lon=a[0] + (b[0] - a[0]) * f,
                lat=a[1] + (b[1] - a[1]) * f + offset_m / ky,
                accuracy=8,
                seq=seq,
            )
        )
        s += speed * step_s
        t += step_s
        seq += 1
    return points


def as_json(points):
    return [{"seq": p.seq, "t": p.t, "lon": p.lon, "lat": p.lat, "accuracy": p.accuracy} for p in points]


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def lenient_rule(world):
    """东坝镇's own rule: a short patrol counts, so tests need not walk for an hour."""
    from hezhang.patrols.models import PatrolRule

    return PatrolRule.objects.create(
        region=world.town_a,
        role="chief",
        chief_level=4,
        period="ten_days",
        min_duration_min=10,
        min_distance_m=500,
        min_coverage_pct=10,
        require_checklist=True,
    )
