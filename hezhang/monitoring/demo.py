"""Demo monitoring data: two years of monthly lab samples at every section, a month of hourly data from two
automatic stations (one with an ammonia episode now), a gauge and a rain gauge, and the alerts they raise.

Each section gets a character (mostly class II–III, some IV, a few V and worse), seasons (ammonia up in
winter, phosphorus up in summer, oxygen down in summer) and noise. One boundary section fails its target for
the last three months, so the demo shows the boundary assessment at work. Rows are written in bulk; the
alert rules then run over the latest data the way they would have as it arrived.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from hezhang.monitoring import quality
from hezhang.monitoring.alerts import check_boundary, check_missing, check_sample
from hezhang.monitoring.hj212 import codes
from hezhang.monitoring.hj212.simulate import Episode, SimulatedStation
from hezhang.monitoring.models import (
    Evaluation,
    Interval,
    Period,
    Reading,
    Sample,
    Source,
    Station,
    StationKind,
)
from hezhang.monitoring.sampling import evaluation_kind, evaluation_row, refresh_evaluations
from hezhang.registry.models import Section

DEMO_PASSWORD = "hezhang212"
# Concentrations in the middle of each class (I..V, worse than V) for the items a county lab reports monthly.
# Concentrations well inside each class (II..V, worse than V) for the items a county lab reports monthly, so
# that seasons and noise move a section about within its class and only now and then across a limit.
LEVELS = {
    2: {"DO": 7.2, "CODMn": 3.0, "COD": 11.5, "BOD5": 2.3, "NH3N": 0.3, "TP": 0.06, "TN": 0.9},
    3: {"DO": 6.0, "CODMn": 4.8, "COD": 16.5, "BOD5": 3.3, "NH3N": 0.65, "TP": 0.13, "TN": 1.3},
    4: {"DO": 4.0, "CODMn": 7.8, "COD": 24.0, "BOD5": 4.9, "NH3N": 1.0, "TP": 0.2, "TN": 1.8},
    5: {"DO": 2.9, "CODMn": 12.0, "COD": 33.0, "BOD5": 8.0, "NH3N": 1.35, "TP": 0.28, "TN": 2.4},
    6: {"DO": 1.6, "CODMn": 17.0, "COD": 46.0, "BOD5": 11.0, "NH3N": 2.6, "TP": 0.48, "TN": 3.2},
}
# Lakes and reservoirs are held to tighter phosphorus limits, and their water carries less of it.
LAKE_TP = {2: 0.018, 3: 0.038, 4: 0.075, 5: 0.15, 6: 0.28}
CHARACTERS = [2] * 40 + [3] * 40 + [4] * 12 + [5] * 6 + [6] * 2
STEADY = {
    "pH": 7.6,
    "WT": 16.0,
    "F": 0.45,
    "Cu": 0.004,
    "Zn": 0.02,
    "As": 0.002,
    "Hg": 0.00002,
    "Cd": 0.0003,
    "Cr6": 0.004,
    "Pb": 0.002,
    "CN": 0.002,
    "VPhenol": 0.0008,
    "Petroleum": 0.02,
    "LAS": 0.05,
    "Sulfide": 0.01,
}


def _month_starts(today: datetime.date, months: int) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        starts.append(first)
    return sorted(starts)


def _season(key: str, month: int) -> float:
    winter = math.cos(2 * math.pi * (month - 1) / 12)  # 1 in January, -1 in July
    if key == "NH3N":
        return 1 + 0.3 * winter
    if key == "TP":
        return 1 - 0.25 * winter
    if key == "DO":
        return 1 + 0.08 * winter
    if key == "WT":
        return 1 - 0.6 * winter
    return 1.0


def _lab_values(rng: random.Random, level: int, month: int, lake: bool) -> dict[str, float]:
    values = {}
    for key, base in {**LEVELS[level], **STEADY}.items():
        if key == "TP" and lake:
            base = LAKE_TP[level]
        value = base * _season(key, month) * rng.uniform(0.9, 1.1)
        values[key] = round(value, 4 if value < 0.1 else 2)
    values["pH"] = round(rng.uniform(7.1, 8.2), 2)
    if lake:
        # Lakes and reservoirs are also watched for eutrophication: chlorophyll a and transparency.
        values["chla"] = round({2: 4.0, 3: 9.0, 4: 18.0, 5: 30.0, 6: 45.0}[level] * rng.uniform(0.8, 1.2), 1)
        values["SD"] = round({2: 1.8, 3: 1.1, 4: 0.7, 5: 0.45, 6: 0.3}[level] * rng.uniform(0.85, 1.15), 2)
    return values


def build_monitoring(seed: int = 7, log: Callable[[str], None] | None = None, months: int = 24) -> dict:
    """Fill the sections the registry demo made; does nothing if any sample exists already."""
    say = log or (lambda _text: None)
    if Sample.objects.exists():
        return {"built": False, "samples": Sample.objects.count(), "alerts": 0}
    sections = list(
        Section.objects.select_related("water_body", "region", "upstream_region").order_by("code")
    )
    if not sections:
        return {"built": False, "samples": 0, "alerts": 0}
    rng = random.Random(seed * 31 + 5)
    today = timezone.localdate()
    starts = _month_starts(today, months)
    failing_boundary = next(
        (s for s in sections if s.kind == "boundary" and s.upstream_region_id and s.target_class == 3), None
    )
    with transaction.atomic():
        samples, evaluations = _lab_history(rng, sections, starts, failing_boundary)
        stations = _stations(sections, rng)
        hourly = _station_hours(stations, rng)
        readings = _gauges(sections, rng)
    say(
        f"  监测 monitoring: {samples} 条化验数据 lab samples, {hourly} 条自动站小时数据 hourly, "
        f"{readings} 条水雨情 readings, {evaluations} 条评价 evaluations"
    )
    alerts = _replay_alerts(sections, stations, failing_boundary)
    say(f"  预警 alerts: {alerts}")
    return {"built": True, "samples": samples + hourly, "alerts": alerts}


def _lab_history(rng, sections, starts, failing_boundary) -> tuple[int, int]:
    rows: list[Sample] = []
    evaluations: list[Evaluation] = []
    for section in sections:
        kind = evaluation_kind(section)
        character = rng.choice(CHARACTERS)
        if section.target_class and section.target_class >= 4:
            character = max(character, section.target_class - rng.choice([0, 0, 1]))
        by_year: dict[int, list[dict]] = defaultdict(list)
        for index, start in enumerate(starts):
            level = character
            if section is failing_boundary and index >= len(starts) - 3:
                level = 4
            elif rng.random() < 0.12:
                level = max(2, min(6, level + rng.choice([-1, 1])))
            values = _lab_values(rng, level, start.month, kind != "river")
            taken_at = timezone.make_aware(
                datetime.datetime.combine(
                    start.replace(day=rng.randint(5, 15)), datetime.time(rng.randint(8, 11))
                )
            )
            result = quality.classify(values, kind)
            rows.append(
                Sample(
                    section=section,
                    taken_at=taken_at,
                    source=Source.IMPORT,
                    interval=Interval.SAMPLE,
                    values=values,
                    item_classes=dict(result.item_classes),
                    water_class=result.water_class,
                    main_pollutants=list(result.main_pollutants),
                    note="县环境监测站月度监测",
                )
            )
            evaluations.append(evaluation_row(section, Period.MONTH, start, values, 1, Interval.SAMPLE))
            by_year[start.year].append(values)
        for year, months in by_year.items():
            means = {k: round(sum(m[k] for m in months) / len(months), 6) for k in months[0]}
            evaluations.append(
                evaluation_row(
                    section, Period.YEAR, datetime.date(year, 1, 1), means, len(months), Interval.SAMPLE
                )
            )
    Sample.objects.bulk_create(rows, batch_size=2000)
    Evaluation.objects.bulk_create(evaluations, batch_size=2000)
    return len(rows), len(evaluations)


def _point(section) -> dict:
    lon, lat = section.geometry["coordinates"][:2]
    return {"type": "Point", "coordinates": [round(lon + 0.0004, 6), round(lat + 0.0003, 6)]}


def _stations(sections, rng) -> list[Station]:
    """Automatic stations at the county's outgoing section and one more, and one that has gone silent."""
    outgoing = [s for s in sections if s.kind == "boundary" and s.name.endswith("出境断面")]
    others = [s for s in sections if s.kind == "monitoring"]
    chosen = (outgoing[:1] + others[:2])[:3]
    stations = []
    for number, section in enumerate(chosen, start=1):
        station = Station(
            code=f"WQ{section.code[-6:]}{number}",
            name=f"{section.name.removesuffix('断面')}水质自动站",
            kind=StationKind.WATER_QUALITY,
            region=section.region,
            section=section,
            mn=f"{section.region.code[:6]}0212{number:04d}",
            geometry=_point(section),
        )
        station.set_password(DEMO_PASSWORD)
        station.save()
        stations.append(station)
    return stations


def _station_hours(stations, rng) -> int:
    """Thirty days of hourly data per station; the second one is in an ammonia episode right now."""
    end = timezone.localtime().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
    hours = 30 * 24
    start = end - datetime.timedelta(hours=hours - 1)
    rows: list[Sample] = []
    for index, station in enumerate(stations):
        silent = index == 2  # the third stopped reporting nine hours ago
        count = hours - 9 if silent else hours
        episode = Episode("NH3N", start=count - 8, length=16) if index == 1 else None
        simulated = SimulatedStation(station.mn, DEMO_PASSWORD, seed=rng.randint(0, 10_000), episode=episode)
        kind = evaluation_kind(station.section)
        for moment, fields in simulated.readings(codes.HOURLY, start, count):
            values = {key: f["Avg"] for key, f in fields.items() if isinstance(f.get("Avg"), float)}
            result = quality.classify(values, kind)
            rows.append(
                Sample(
                    section=station.section,
                    station=station,
                    taken_at=moment,
                    source=Source.AUTOMATIC,
                    interval=Interval.HOUR,
                    values=values,
                    flags={key: "N" for key in values},
                    item_classes=dict(result.item_classes),
                    water_class=result.water_class,
                    main_pollutants=list(result.main_pollutants),
                )
            )
        Station.objects.filter(pk=station.pk).update(last_seen_at=rows[-1].taken_at)
    Sample.objects.bulk_create(rows, batch_size=2000)
    for station in stations:
        refresh_evaluations(station.section, timezone.localdate())
    return len(rows)


def _gauges(sections, rng) -> int:
    """A hydrological station and a rain gauge on the main river: a month of hours with a storm ten days ago."""
    anchor = next((s for s in sections if s.kind == "boundary"), sections[0])
    gauge = Station.objects.create(
        code=f"HY{anchor.code[-6:]}",
        name=f"{anchor.water_body.name}水文站",
        kind=StationKind.HYDROLOGY,
        region=anchor.region,
        warning_level=24.5,
        guarantee_level=25.8,
        geometry=_point(anchor),
    )
    rain = Station.objects.create(
        code=f"RG{anchor.code[-6:]}",
        name=f"{anchor.region.name}雨量站",
        kind=StationKind.RAINFALL,
        region=anchor.region,
        rain_warning=30.0,
        geometry=_point(anchor),
    )
    end = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    storm = end - datetime.timedelta(days=10)
    rows = []
    level = 22.6
    for hour in range(30 * 24, 0, -1):
        moment = end - datetime.timedelta(hours=hour)
        since_storm = (moment - storm).total_seconds() / 3600
        rainfall = round(max(0.0, 12 * math.exp(-((since_storm / 4) ** 2)) + rng.uniform(-0.6, 0.4)), 1)
        # The river answers the rain a few hours late and falls back over days; the peak stays under warning.
        surge = 1.7 * math.exp(-(((since_storm - 10) / 14) ** 2)) if since_storm > -6 else 0.0
        level = 22.6 + surge + rng.uniform(-0.03, 0.03)
        flow = round(35 + 60 * surge + rng.uniform(-1, 1), 1)
        rows.append(
            Reading(
                station=gauge,
                observed_at=moment,
                water_level=round(level, 2),
                flow=flow,
                source=Source.AUTOMATIC,
            )
        )
        rows.append(Reading(station=rain, observed_at=moment, rainfall=rainfall, source=Source.AUTOMATIC))
    Reading.objects.bulk_create(rows, batch_size=2000)
    Station.objects.filter(pk__in=[gauge.pk, rain.pk]).update(last_seen_at=end - datetime.timedelta(hours=1))
    return len(rows)


def _replay_alerts(sections, stations, failing_boundary) -> int:
    """The latest lab sample of each section, the station hours of the last day and the boundary months run
    through the rules, as they would have on arrival."""
    from hezhang.monitoring.models import Alert

    latest = {}
    for sample in (
        Sample.objects.filter(interval=Interval.SAMPLE)
        .select_related("section__water_body", "section__region")
        .order_by("taken_at")
    ):
        latest[sample.section_id] = sample
    for sample in latest.values():
        check_sample(sample)
    since = timezone.now() - datetime.timedelta(hours=24)
    for sample in (
        Sample.objects.filter(interval=Interval.HOUR, taken_at__gte=since)
        .select_related("section__water_body", "section__region", "station")
        .order_by("taken_at")
    ):
        check_sample(sample)
    if failing_boundary is not None:
        month = (
            Evaluation.objects.filter(section=failing_boundary, period=Period.MONTH)
            .order_by("-start")
            .first()
        )
        if month is not None:
            check_boundary(failing_boundary, month)
    check_missing()
    return Alert.objects.count()
