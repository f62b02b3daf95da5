"""Alerts: rules (data) checked against every sample, reading and monthly evaluation, and a periodic check for
stations gone silent.

A condition that goes on keeps one open alert (a unique constraint on rule and subject among open alerts): the
first occurrence notifies the office and chiefs and, when the rule says so, opens a case (channel "sensor");
later occurrences only count. The alert clears itself when the condition no longer holds.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from hezhang.accounts.models import Role, User
from hezhang.monitoring import quality
from hezhang.monitoring.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertRule,
    Evaluation,
    Interval,
    Period,
    Reading,
    Sample,
    Station,
)
from hezhang.monitoring.parameters import label

log = logging.getLogger(__name__)

CLASS_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}
# Parameters whose limit is a floor, not a ceiling.
FLOORS = {"DO"}


def rules_for(kinds, region, section=None, station=None) -> list[AlertRule]:
    """Active rules of these kinds that apply to a place: everywhere, its region or an ancestor, or it alone."""
    prefixes = [region.path[:i] for i in range(1, len(region.path) + 1)]
    rows = AlertRule.objects.filter(kind__in=kinds, active=True).filter(
        Q(region__isnull=True) | Q(region__path__in=prefixes)
    )
    rows = rows.filter(Q(section__isnull=True) | Q(section=section)) if section else rows.filter(section=None)
    rows = rows.filter(Q(station__isnull=True) | Q(station=station)) if station else rows.filter(station=None)
    return list(rows.select_related("category"))


# -- raising and clearing -------------------------------------------------------------------------------------


def raise_alert(
    rule: AlertRule,
    subject: str,
    *,
    region,
    message: str,
    section=None,
    station=None,
    parameter: str = "",
    value: float | None = None,
    data: dict | None = None,
    at: datetime.datetime | None = None,
    recipients=None,
) -> tuple[Alert, bool]:
    """Open an alert, or count one more occurrence of the open one; returns (alert, newly opened)."""
    now = at or timezone.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(rule=rule, subject=subject, cleared_at=None).first()
        if alert is not None:
            alert.last_seen_at = max(alert.last_seen_at, now)
            alert.occurrences += 1
            alert.value = value
            alert.save(update_fields=["last_seen_at", "occurrences", "value"])
            return alert, False
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    rule=rule,
                    kind=rule.kind,
                    subject=subject,
                    section=section,
                    station=station,
                    region=region,
                    parameter=parameter,
                    value=value,
                    message=message[:300],
                    data=data or {},
                    opened_at=now,
                    last_seen_at=now,
                )
        except IntegrityError:
            # Another process opened it a moment ago: that one is the alert.
            alert = Alert.objects.get(rule=rule, subject=subject, cleared_at=None)
            return alert, False
        # Events are the platform's record of when it knew, whatever time the data describe.
        AlertEvent.objects.create(
            alert=alert,
            action="raised",
            at=timezone.now(),
            note=message[:300],
            data={**(data or {}), "observed_at": now.isoformat()},
        )
        _notify(alert, recipients)
        if rule.opens_case:
            _open_case(alert)
    return alert, True


def clear_alert(
    rule: AlertRule, subject: str, note: str, at: datetime.datetime | None = None
) -> Alert | None:
    now = at or timezone.now()
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(rule=rule, subject=subject, cleared_at=None).first()
        if alert is None:
            return None
        alert.cleared_at = now
        alert.save(update_fields=["cleared_at"])
        AlertEvent.objects.create(
            alert=alert,
            action="cleared",
            at=timezone.now(),
            note=note[:300],
            data={"observed_at": now.isoformat()},
        )
    return alert


def acknowledge(alert: Alert, user, note: str = "") -> AlertEvent:
    return AlertEvent.objects.create(
        alert=alert, action="acknowledged", at=timezone.now(), actor=user, note=note
    )


def office_staff(region) -> list:
    """The staff of the river chief office answering for a region (a village's is its township's)."""
    from hezhang.cases.routing import office_for

    office = office_for(region)
    if office is None:
        return []
    return list(User.objects.filter(role=Role.OFFICE, region_id=office.region_id, is_active=True))


def _audience(alert: Alert) -> list:
    users = office_staff(alert.region)
    section = alert.section
    if section is not None:
        from hezhang.cases.routing import responsible_chiefs

        users += responsible_chiefs(section.reach, section.water_body)
    return users


def _notify(alert: Alert, recipients=None) -> None:
    from hezhang.notifications.service import notify

    place = alert.section or alert.station
    queued = notify(
        "alert",
        recipients if recipients is not None else _audience(alert),
        {
            "title": alert.get_kind_display(),
            "place": str(place) if place else alert.region.name,
            "reason": alert.message,
        },
        url=reverse("monitoring:alert", args=[alert.pk]),
        related=f"预警{alert.pk}",
    )
    if queued is not None:
        AlertEvent.objects.create(
            alert=alert,
            action="notified",
            at=timezone.now(),
            data={
                "users": sorted({n.recipient_id for n in queued.notifications}),
                "sms": len(queued.messages),
            },
        )


def _open_case(alert: Alert) -> None:
    from hezhang.cases.intake import IntakeError, create_case
    from hezhang.cases.models import CaseCategory, Channel

    place = alert.section or alert.station
    point = place.point if place is not None else None
    if point is None:
        log.warning("alert %s has no location; no case opened", alert.pk)
        return
    category = alert.rule.category or CaseCategory.objects.filter(code="water_pollution", region=None).first()
    if category is None:
        log.warning("no case category for alert %s; no case opened", alert.pk)
        return
    try:
        case, _ = create_case(
            category=category,
            channel=Channel.SENSOR,
            lon=point[0],
            lat=point[1],
            title=f"{place}{alert.get_kind_display()}",
            description=f"{alert.message}（预警编号 {alert.pk}，{timezone.localtime(alert.opened_at):%Y-%m-%d %H:%M}）",
            urgency="urgent" if alert.kind in (AlertKind.LIMIT, AlertKind.WATER_LEVEL) else "normal",
            address=str(place),
        )
    except IntakeError as exc:
        log.warning("alert %s could not open a case: %s", alert.pk, exc)
        return
    alert.case = case
    alert.save(update_fields=["case"])
    AlertEvent.objects.create(
        alert=alert, action="case_opened", at=timezone.now(), data={"case": case.number}
    )


# -- conditions -----------------------------------------------------------------------------------------------


def _limit_for(rule: AlertRule, section, kind: str) -> float | None:
    if rule.threshold is not None:
        return rule.threshold
    if section.target_class is None:
        return None
    return quality.limit(rule.parameter, section.target_class, kind)


@dataclass
class Finding:
    """What one rule makes of one sample: whether its condition holds, and the words either way."""

    subject: str
    holds: bool
    message: str  # when it holds
    cleared: str  # when it does not
    value: float | None = None
    parameter: str = ""
    data: dict = field(default_factory=dict)


def _class_finding(rule: AlertRule, sample: Sample) -> Finding | None:
    section, target = sample.section, sample.section.target_class
    if (
        sample.interval in (Interval.REALTIME, Interval.MINUTE)
        or target is None
        or sample.water_class is None
    ):
        return None
    message = f"{section.name}水质为{CLASS_NAMES[sample.water_class]}类，劣于目标{CLASS_NAMES[target]}类"
    if sample.main_pollutants:
        message += "，主要污染指标：" + "、".join(label(k) for k in sample.main_pollutants)
    return Finding(
        f"section:{section.pk}",
        sample.water_class > target,
        message,
        f"水质恢复为{CLASS_NAMES[sample.water_class]}类",
        value=sample.water_class,
        data={"sample": sample.pk, "values": sample.values},
    )


def _limit_finding(rule: AlertRule, sample: Sample, kind: str) -> Finding | None:
    key, section = rule.parameter, sample.section
    limit = _limit_for(rule, section, kind)
    if key not in sample.values or limit is None:
        return None
    value = sample.values[key]
    floor = key in FLOORS
    return Finding(
        f"section:{section.pk}:{key}",
        value < limit if floor else value > limit,
        f"{section.name}{label(key)}为 {value:g}，{'低于下限' if floor else '超过限值'} {limit:g}",
        f"{label(key)}恢复为 {value:g}",
        value=value,
        parameter=key,
        data={"sample": sample.pk, "limit": limit, "values": sample.values},
    )


def _jump_finding(rule: AlertRule, sample: Sample) -> Finding | None:
    key, section = rule.parameter, sample.section
    if key not in sample.values or rule.threshold is None:
        return None
    window = datetime.timedelta(hours=rule.hours or 4)
    previous = (
        Sample.objects.filter(
            section=section,
            interval=sample.interval,
            taken_at__lt=sample.taken_at,
            taken_at__gte=sample.taken_at - window,
        )
        .order_by("-taken_at")
        .values_list("values", flat=True)
        .first()
    )
    if previous is None or key not in previous:
        return None
    value = sample.values[key]
    change = value - previous[key]
    return Finding(
        f"section:{section.pk}:{key}",
        abs(change) > rule.threshold,
        f"{section.name}{label(key)}由 {previous[key]:g} 突变为 {value:g}",
        f"{label(key)}变化恢复正常",
        value=value,
        parameter=key,
        data={"sample": sample.pk, "previous": previous[key], "change": change},
    )


def check_sample(sample: Sample) -> list[Alert]:
    """Every limit, class and jump rule against one new sample; returns the alerts opened."""
    from hezhang.monitoring.sampling import evaluation_kind

    section = sample.section
    kind = evaluation_kind(section)
    opened: list[Alert] = []
    for rule in rules_for(
        [AlertKind.LIMIT, AlertKind.CLASS, AlertKind.JUMP], section.region, section=section
    ):
        if rule.kind == AlertKind.CLASS:
            finding = _class_finding(rule, sample)
        elif rule.kind == AlertKind.LIMIT:
            finding = _limit_finding(rule, sample, kind)
        else:
            finding = _jump_finding(rule, sample)
        if finding is None:
            continue
        if not finding.holds:
            clear_alert(rule, finding.subject, finding.cleared, at=sample.taken_at)
            continue
        alert, new = raise_alert(
            rule,
            finding.subject,
            region=section.region,
            section=section,
            station=sample.station,
            parameter=finding.parameter,
            value=finding.value,
            message=finding.message,
            data=finding.data,
            at=sample.taken_at,
        )
        if new:
            opened.append(alert)
    return opened


# For each hydrological rule: the reading's field, the station's own threshold, and the words of its messages.
HYDROLOGY = {
    AlertKind.WATER_LEVEL: (
        "water_level",
        "warning_level",
        "水位 {value:g} 米，超过警戒水位 {limit:g} 米",
        "水位回落至 {value:g} 米",
    ),
    AlertKind.RAINFALL: (
        "rainfall",
        "rain_warning",
        "雨量 {value:g} 毫米，超过预警值 {limit:g} 毫米",
        "降雨减弱",
    ),
}


def check_reading(reading: Reading) -> list[Alert]:
    """Water level above the station's warning level, or an hour's rain above its threshold."""
    station = reading.station
    opened: list[Alert] = []
    for rule in rules_for(list(HYDROLOGY), station.region, station=station):
        field, own, raised, cleared = HYDROLOGY[rule.kind]
        value = getattr(reading, field)
        limit = rule.threshold if rule.threshold is not None else getattr(station, own)
        if limit is None or value is None:
            continue
        subject = f"station:{station.pk}"
        if value > limit:
            alert, new = raise_alert(
                rule,
                subject,
                region=station.region,
                station=station,
                parameter=field,
                value=value,
                message=station.name + raised.format(value=value, limit=limit),
                data={"reading": reading.pk, "limit": limit},
                at=reading.observed_at,
            )
            if new:
                opened.append(alert)
        else:
            clear_alert(rule, subject, cleared.format(value=value), at=reading.observed_at)
    return opened


def check_boundary(section, month: Evaluation) -> Alert | None:
    """A boundary section failing its target for N months in a row alerts the upstream region's office and
    general chief (the region answers for the water it passes on)."""
    if section.kind != "boundary" or section.upstream_region_id is None:
        return None
    upstream = section.upstream_region
    opened = None
    for rule in rules_for([AlertKind.BOUNDARY], upstream, section=section):
        recent = list(
            Evaluation.objects.filter(section=section, period=Period.MONTH, start__lte=month.start)
            .order_by("-start")
            .values_list("start", "meets_target", "water_class")[: rule.months]
        )
        subject = f"boundary:{section.pk}"
        consecutive = (
            len(recent) == rule.months
            and all(meets is False for _, meets, _ in recent)
            and _consecutive([start for start, _, _ in recent])
        )
        if consecutive:
            months = "、".join(f"{start:%Y年%m月}" for start, _, _ in reversed(recent))
            recipients = office_staff(upstream) + list(
                User.objects.filter(region=upstream, is_active=True, is_general=True)
            )
            alert, new = raise_alert(
                rule,
                subject,
                region=upstream,
                section=section,
                value=month.water_class,
                message=(
                    f"交接断面{section.name}连续{rule.months}个月未达到水质目标（{months}），"
                    f"请{upstream.name}落实整改"
                ),
                data={"months": [[s.isoformat(), c] for s, _, c in recent]},
                at=timezone.make_aware(datetime.datetime.combine(month.start, datetime.time.min)),
                recipients=recipients,
            )
            if new:
                opened = alert
        elif recent and recent[0][1] is True and recent[0][0] == month.start:
            clear_alert(rule, subject, f"{month.start:%Y年%m月}水质达标")
    return opened


def _consecutive(starts: list[datetime.date]) -> bool:
    """Month starts, newest first, with no month missing between them."""
    for newer, older in zip(starts, starts[1:], strict=False):
        if (newer.year * 12 + newer.month) - (older.year * 12 + older.month) != 1:
            return False
    return True


def check_missing(now: datetime.datetime | None = None) -> int:
    """Stations silent for longer than a missing-data rule allows get an alert; those heard again are cleared."""
    now = now or timezone.now()
    opened = 0
    for rule in AlertRule.objects.filter(kind=AlertKind.MISSING, active=True).select_related("region"):
        hours = rule.hours or 6
        stations = Station.objects.filter(active=True, last_seen_at__isnull=False)
        if rule.region_id:
            stations = stations.filter(region__path__startswith=rule.region.path)
        if rule.station_id:
            stations = stations.filter(pk=rule.station_id)
        cutoff = now - datetime.timedelta(hours=hours)
        for station in stations.select_related("region"):
            subject = f"station:{station.pk}"
            if station.last_seen_at < cutoff:
                _, new = raise_alert(
                    rule,
                    subject,
                    region=station.region,
                    station=station,
                    message=(
                        f"{station.name}已{int((now - station.last_seen_at).total_seconds() // 3600)}小时未上报数据（最近一次 "
                        f"{timezone.localtime(station.last_seen_at):%m-%d %H:%M}）"
                    ),
                    at=now,
                )
                opened += new
            else:
                clear_alert(rule, subject, "恢复上报", at=now)
    return opened
