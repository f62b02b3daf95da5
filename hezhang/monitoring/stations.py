"""Stations: their shared secret, hydrological readings, and what happens to a frame an automatic station sends."""

import datetime
import hashlib
import hmac

from django.db import IntegrityError, transaction
from django.utils import timezone

from hezhang.monitoring.entry import EntryError, checked_time
from hezhang.monitoring.models import Reading, Source, Station


def password_digest(raw: str) -> str:
    # HJ 212 sends the password in clear in every frame, so a slow password hash would buy nothing but cost
    # a lot per frame; a digest keeps it out of database dumps.
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def password_matches(station: Station, raw: str) -> bool:
    return bool(station.password_hash) and hmac.compare_digest(station.password_hash, password_digest(raw))


def record_reading(
    station: Station,
    observed_at: datetime.datetime,
    *,
    water_level: float | None = None,
    flow: float | None = None,
    rainfall: float | None = None,
    source: str = Source.MANUAL,
    alert: bool = True,
) -> tuple[Reading, bool]:
    """Store a hydrological reading once; the same time again with the same values is a no-op."""
    observed_at = checked_time(observed_at, "observed_at", "观测时间")
    if water_level is None and flow is None and rainfall is None:
        raise EntryError("water_level", "水位、流量、雨量至少填写一项")
    if flow is not None and flow < 0:
        raise EntryError("flow", "流量不能为负数")
    if rainfall is not None and rainfall < 0:
        raise EntryError("rainfall", "雨量不能为负数")
    reading = Reading(
        station=station,
        observed_at=observed_at,
        water_level=water_level,
        flow=flow,
        rainfall=rainfall,
        source=source,
    )
    try:
        with transaction.atomic():
            reading.save()
    except IntegrityError:
        existing = Reading.objects.filter(station=station, observed_at=observed_at).first()
        if existing is None:
            raise
        same = (existing.water_level, existing.flow, existing.rainfall) == (water_level, flow, rainfall)
        if not same:
            raise EntryError(
                "observed_at",
                f"该站在 {timezone.localtime(observed_at):%Y-%m-%d %H:%M} 已有不同的观测数据；如需更正，请先删除原数据",
            ) from None
        return existing, False
    seen(station, observed_at)
    if alert:
        from hezhang.monitoring.alerts import check_reading

        check_reading(reading)
    return reading, True


def seen(station: Station, at: datetime.datetime) -> None:
    now = timezone.now()
    at = min(at, now)
    if station.last_seen_at is None or station.last_seen_at < at:
        Station.objects.filter(pk=station.pk).update(last_seen_at=at)
        station.last_seen_at = at
