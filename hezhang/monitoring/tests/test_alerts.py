import datetime

from django.utils import timezone

from hezhang.cases.models import Case
from hezhang.monitoring.alerts import check_missing
from hezhang.monitoring.models import Alert, AlertEvent, AlertRule, Evaluation
from hezhang.monitoring.sampling import record_sample
from hezhang.monitoring.stations import record_reading
from hezhang.monitoring.tests.conftest import CLEAN, DIRTY, at
from hezhang.notifications.models import Notification


def open_alerts(kind):
    return Alert.objects.filter(kind=kind, cleared_at=None)


def test_ammonia_above_class_v_opens_one_alert_and_a_sensor_case_for_the_township(wq):
    record_sample(wq.section_b, at(3), DIRTY)
    alert = open_alerts("limit").get(parameter="NH3N")
    assert "氨氮" in alert.message and "2.6" in alert.message
    case = alert.case
    assert case.channel == "sensor"
    assert case.office == wq.office_b
    assert case.reach == wq.reach_b
    actions = list(alert.events.values_list("action", flat=True))
    assert actions == ["raised", "notified", "case_opened"]


def test_an_ongoing_exceedance_keeps_one_alert_and_one_case(wq):
    record_sample(wq.section_b, at(3), DIRTY)
    record_sample(wq.section_b, at(2), {**DIRTY, "NH3N": 3.1})
    record_sample(wq.section_b, at(1), {**DIRTY, "NH3N": 2.9})
    alert = Alert.objects.get(kind="limit", parameter="NH3N")
    assert alert.occurrences == 3
    assert alert.value == 2.9
    assert Case.objects.filter(channel="sensor").count() == Alert.objects.exclude(case=None).count()
    assert AlertEvent.objects.filter(alert=alert, action="raised").count() == 1


def test_the_alert_clears_when_the_water_recovers_and_a_new_episode_opens_a_new_one(wq):
    record_sample(wq.section_b, at(3), DIRTY)
    record_sample(wq.section_b, at(2), CLEAN)
    first = Alert.objects.get(kind="limit", parameter="NH3N")
    assert first.cleared_at is not None
    assert first.events.last().action == "cleared"
    record_sample(wq.section_b, at(1), DIRTY)
    assert Alert.objects.filter(kind="limit", parameter="NH3N").count() == 2
    assert open_alerts("limit").filter(parameter="NH3N").count() == 1


def test_the_office_and_the_reach_chief_are_told(wq):
    record_sample(wq.section_b, at(1), DIRTY)
    told = set(Notification.objects.filter(event="alert").values_list("recipient__username", flat=True))
    assert {"bob", "chief_b"} <= told
    assert "alice" not in told


def test_a_sample_worse_than_its_target_raises_a_class_alert_without_a_case(wq):
    record_sample(wq.section_b, at(1), {**CLEAN, "NH3N": 1.2})  # class IV against target III
    alert = open_alerts("class").get()
    assert "IV类" in alert.message and "III类" in alert.message
    assert alert.case is None


def test_dissolved_oxygen_is_an_alert_when_it_falls_below_its_floor(wq):
    record_sample(wq.section_b, at(1), {**CLEAN, "DO": 1.5})
    alert = open_alerts("limit").get(parameter="DO")
    assert "低于下限" in alert.message


def test_a_sudden_ammonia_jump_between_hourly_values_is_an_alert(wq):
    record_sample(wq.section_b, at(0.2), {"NH3N": 0.3}, interval="hour", source="automatic")
    record_sample(wq.section_b, at(0.1), {"NH3N": 1.6}, interval="hour", source="automatic")
    alert = open_alerts("jump").get()
    assert "突变" in alert.message


def test_water_above_the_warning_level_is_an_alert_until_it_falls_back(wq):
    record_reading(wq.gauge, at(0.3), water_level=12.9)
    alert = open_alerts("water_level").get()
    assert alert.case is not None and alert.case.channel == "sensor"
    record_reading(wq.gauge, at(0.2), water_level=13.1)
    assert Alert.objects.filter(kind="water_level").count() == 1
    record_reading(wq.gauge, at(0.1), water_level=12.0)
    assert not open_alerts("water_level").exists()


def test_heavy_rain_above_the_gauge_threshold_is_an_alert(wq):
    record_reading(wq.gauge, at(0.1), rainfall=42.0)
    assert "42" in open_alerts("rainfall").get().message


def test_a_silent_station_gets_a_missing_data_alert_and_it_clears_when_heard_again(wq):
    record_sample(wq.section_b, at(0.5), CLEAN, interval="hour", source="automatic", station=wq.station)
    wq.station.last_seen_at = timezone.now() - datetime.timedelta(hours=8)
    wq.station.save()
    assert check_missing() == 1
    assert check_missing() == 0  # still silent: the same alert, not a new one
    assert open_alerts("missing").count() == 1
    wq.station.last_seen_at = timezone.now()
    wq.station.save()
    check_missing()
    assert not open_alerts("missing").exists()


def months_back(n: int) -> datetime.datetime:
    first = timezone.localdate().replace(day=1)
    for _ in range(n):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(first.replace(day=10), datetime.time(9)))


def test_a_boundary_section_failing_three_months_running_alerts_the_upstream_office_and_general_chief(
    wq, django_user_model
):
    general = django_user_model.objects.create_user(
        username="general_a", password="x", role="chief", region=wq.town_a, is_general=True, name="总河长"
    )
    failing = {**CLEAN, "NH3N": 1.3}
    record_sample(wq.boundary, months_back(3), failing)
    record_sample(wq.boundary, months_back(2), failing)
    assert not open_alerts("boundary").exists()
    record_sample(wq.boundary, months_back(1), failing)
    alert = open_alerts("boundary").get()
    assert alert.region == wq.town_a
    assert "连续3个月" in alert.message and wq.town_a.name in alert.message
    told = set(
        Notification.objects.filter(event="alert", recipient__in=[general, wq.alice]).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"general_a", "alice"}


def test_a_gap_month_breaks_the_boundary_run(wq):
    failing = {**CLEAN, "NH3N": 1.3}
    record_sample(wq.boundary, months_back(4), failing)
    record_sample(wq.boundary, months_back(2), failing)
    record_sample(wq.boundary, months_back(1), failing)
    assert Evaluation.objects.filter(section=wq.boundary, period="month").count() == 3
    assert not open_alerts("boundary").exists()


def test_an_inactive_rule_raises_nothing(wq):
    AlertRule.objects.filter(kind="limit").update(active=False)
    record_sample(wq.section_b, at(1), DIRTY)
    assert not open_alerts("limit").exists()
