"""The demo patrols: a month of patrols in the demo county, tracks along the reaches, scored as a re-score would.

County and patrols are built once for the module inside a transaction rolled back at the end, so other test
modules never see them. One month rather than the demo's three keeps the module quick; the mix is the same.
"""

import datetime
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from hezhang.patrols.demo import MARK, build_patrols
from hezhang.patrols.models import ChecklistAnswer, Patrol, PatrolEvent, PatrolPoint
from hezhang.patrols.recording import score_patrol, track_points
from hezhang.registry.demo import build_county
from hezhang.registry.models import ChiefAssignment

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CHINA = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_county()
            yield build_patrols(months=1, log=None)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def ended():
    return Patrol.objects.filter(client_id__startswith=MARK).exclude(ended_at=None)


def test_chiefs_of_several_levels_and_grid_members_patrol(demo):
    assert demo["built"] is True and demo["total"] == Patrol.objects.count() > 1000
    levels = set(ended().filter(role="chief").values_list("chief_level", flat=True))
    assert {3, 4, 5} <= levels
    assert ended().filter(role="grid").count() > ended().filter(role="chief").count()


def test_most_patrols_are_valid_and_every_kind_of_failure_occurs(demo):
    assert demo["valid"] >= 0.7 * demo["total"]
    assert {"too_short", "too_fast", "checklist_empty", "low_coverage"} <= set(demo["reasons"])
    modes = Counter(ended().values_list("mode", flat=True))
    assert modes["walk"] > 0.8 * sum(modes.values()) and modes["ride"] and modes["drive"]
    assert "teleport" not in demo["reasons"]


def test_valid_tracks_follow_their_reach(demo):
    valid = ended().filter(is_valid=True)
    assert not valid.filter(coverage__lte=0).exists()
    for patrol in valid.order_by("pk")[:200]:
        (reach,) = patrol.score["reaches"]
        assert reach["reach_id"] == patrol.reaches.get().pk
        assert reach["start_distance_m"] < 50 and reach["end_distance_m"] < 50, patrol.client_id


def test_a_rescore_gives_the_verdict_the_demo_stored(demo):
    sample = list(ended().filter(is_valid=True).order_by("pk")[:20])
    sample += list(ended().filter(is_valid=False).order_by("pk")[:20])
    for patrol in sample:
        stored = (patrol.is_valid, patrol.reasons, patrol.coverage, patrol.rule_id, patrol.point_count)
        again = score_patrol(Patrol.objects.get(pk=patrol.pk))
        assert (again.is_valid, again.reasons, again.rule_id, again.point_count) == (
            stored[0],
            stored[1],
            stored[3],
            stored[4],
        ), patrol.client_id
        assert again.coverage == pytest.approx(stored[2])


def test_patrols_happen_by_day_china_time_with_a_fix_every_five_to_ten_seconds(demo):
    now = timezone.now()
    for patrol in ended().order_by("pk")[::50]:
        local = patrol.started_at.astimezone(CHINA)
        assert 8 <= local.hour <= 19 and now - datetime.timedelta(days=32) < patrol.started_at < now
        assert patrol.started_at < patrol.ended_at < now
        points = track_points(patrol)
        gaps = [b.t - a.t for a, b in zip(points, points[1:], strict=False)]
        assert 4.4 < min(gaps) and max(gaps) < 10.6, patrol.client_id
        assert all(p.accuracy is not None for p in points)


def test_some_chiefs_leave_their_reaches_unpatrolled_lately(demo):
    week = timezone.now() - datetime.timedelta(days=7)
    village = set(ChiefAssignment.objects.current().filter(level=5).values_list("chief_id", flat=True))
    lately = set(ended().filter(started_at__gte=week, is_valid=True).values_list("patroller_id", flat=True))
    missing = village - lately
    assert 0 < len(missing) < 0.5 * len(village)


def test_checklists_mostly_find_nothing_and_some_patrols_have_a_log_note(demo):
    answers = Counter(ChecklistAnswer.objects.values_list("found", flat=True))
    assert answers[False] > 20 * answers[True] > 0
    noted = ended().exclude(note="")
    assert 0.1 * ended().count() < noted.count() < 0.5 * ended().count()
    assert noted.filter(note__startswith="巡河发现").exists()
    assert set(PatrolEvent.objects.values_list("action", flat=True)) == {"start", "end"}


def test_delegates_visit_the_water_bodies_they_are_linked_to(demo):
    from hezhang.patrols.recording import responsible_reaches

    visits = ended().filter(role="delegate").select_related("patroller")
    assert visits.filter(patroller__username="delegate").exists()
    for patrol in visits:
        assert set(patrol.reaches.all()) <= set(responsible_reaches(patrol.patroller)), patrol.client_id


def test_two_patrols_are_under_way(demo):
    live = Patrol.objects.filter(ended_at=None)
    assert demo["open"] == live.count() == 2
    for patrol in live:
        assert patrol.track is None and patrol.reaches.count() == 1
        assert PatrolPoint.objects.filter(patrol=patrol).count() > 50
        assert timezone.now() - patrol.last_point_at < datetime.timedelta(minutes=2)


def test_building_twice_adds_nothing(demo):
    counts = (Patrol.objects.count(), ChecklistAnswer.objects.count(), PatrolEvent.objects.count())
    again = build_patrols(months=1, log=None)
    assert again["built"] is False and again["total"] == demo["total"]
    assert (Patrol.objects.count(), ChecklistAnswer.objects.count(), PatrolEvent.objects.count()) == counts


def test_a_case_a_chief_reported_on_patrol_is_tied_to_that_patrol(demo):
    from hezhang.cases.intake import create_case
    from hezhang.cases.models import CaseCategory
    from hezhang.patrols.demo.patrols import link_patrol_cases

    patrol = ended().filter(is_valid=True).order_by("started_at").first()
    reach = patrol.reaches.first()
    lon, lat = reach.geometry["coordinates"][0][:2]
    case, _ = create_case(
        category=CaseCategory.objects.get(region=None, code="bank_garbage"),
        channel="patrol",
        lon=lon,
        lat=lat,
        reporter=patrol.patroller,
    )
    case.created_at = patrol.started_at + datetime.timedelta(minutes=30)
    case.save(update_fields=["created_at"])
    assert link_patrol_cases() == 1 and list(patrol.cases.all()) == [case]
    assert link_patrol_cases() == 0  # once
