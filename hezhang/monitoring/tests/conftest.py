import datetime

import pytest
from django.utils import timezone

from hezhang.monitoring.models import Station, StationKind

CLEAN = {"pH": 7.6, "DO": 7.0, "CODMn": 3.5, "COD": 14.0, "BOD5": 2.5, "NH3N": 0.4, "TP": 0.08}
DIRTY = {**CLEAN, "NH3N": 2.6, "DO": 3.5}  # worse than V for ammonia


def at(days_ago: float = 0) -> datetime.datetime:
    """A whole hour, ``days_ago`` before now."""
    moment = timezone.localtime() - datetime.timedelta(days=days_ago)
    return moment.replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def wq(world):
    """The world's 西河断面 with its reach, an automatic station on it, a gauge, and a boundary section."""
    from hezhang.registry import models as m

    world.section_b.reach = world.reach_b
    world.section_b.geometry = {"type": "Point", "coordinates": [114.83, 37.18]}  # on the reach
    world.section_b.save()
    world.station = Station(
        code="ST-B-1",
        name="西河水质自动站",
        kind=StationKind.WATER_QUALITY,
        region=world.town_b,
        section=world.section_b,
        mn="88888880000001",
        geometry={"type": "Point", "coordinates": [114.85, 37.18]},
    )
    world.station.set_password("123456")
    world.station.save()
    world.gauge = Station.objects.create(
        code="HY-B-1",
        name="西河水文站",
        kind=StationKind.HYDROLOGY,
        region=world.town_b,
        warning_level=12.5,
        guarantee_level=13.8,
        rain_warning=30.0,
        geometry={"type": "Point", "coordinates": [114.86, 37.18]},
    )
    world.boundary = m.Section.objects.create(
        code="SEC-AB",
        name="东坝—西河交界断面",
        kind="boundary",
        water_body=world.river,
        reach=world.reach_b,
        region=world.town_b,
        upstream_region=world.town_a,
        target_class=3,
        geometry={"type": "Point", "coordinates": [114.76, 37.16]},
    )
    return world
