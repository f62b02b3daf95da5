"""The province-scale patrol history, at the scale of the demo county: rows that look scored, without tracks.

The county (whose chiefs the province builder would include) is built once for the module inside a transaction
rolled back at the end, with about 2 000 history patrols of a year.
"""

from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test.utils import override_settings

from hezhang.patrols.demo.province import MARK, build_province_patrols
from hezhang.patrols.models import Patrol
from hezhang.patrols.recording import responsible_reaches
from hezhang.registry.demo import build_county

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CHINA = ZoneInfo("Asia/Shanghai")
TOTAL = 2000
CODES = {"too_short", "too_little_distance", "too_fast", "low_coverage", "checklist_empty"}


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_county()
            yield build_province_patrols(total=TOTAL, log=None)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def patrols():
    return Patrol.objects.filter(client_id__startswith=MARK)


def test_about_the_asked_number_of_patrols_is_added(history):
    assert history["built"] is True
    assert history["total"] == patrols().count()
    assert 0.9 * TOTAL < history["total"] < 1.1 * TOTAL


def test_about_four_in_five_count_and_the_others_say_why(history):
    share = patrols().filter(is_valid=True).count() / patrols().count()
    assert 0.72 < share < 0.88
    seen = Counter()
    for reasons, flags in patrols().filter(is_valid=False).values_list("reasons", "flags"):
        assert reasons and {r["code"] for r in reasons} <= CODES
        assert flags == [r["code"] for r in reasons]
        seen.update(r["code"] for r in reasons)
    assert set(seen) == CODES
    assert not patrols().filter(is_valid=True).exclude(reasons=[]).exists()


def test_rows_look_scored_but_have_no_track(history):
    rows = patrols().values(
        "track",
        "point_count",
        "scored_at",
        "started_at",
        "ended_at",
        "duration_s",
        "distance_m",
        "coverage",
        "mode",
    )
    for row in rows:
        assert row["track"] is None and row["point_count"] > 1
        assert row["started_at"] < row["ended_at"] <= row["scored_at"]
        assert 0 < row["duration_s"] < 4 * 3600 and row["distance_m"] > 0 and 0 <= row["coverage"] <= 1
        assert row["mode"] in ("walk", "ride", "drive")
    modes = Counter(r["mode"] for r in rows)
    assert modes["walk"] > 0.8 * len(rows)
    sources = Counter(patrols().values_list("source", flat=True))
    assert sources["app"] > 0.8 * len(rows)


def test_patrols_start_in_daytime_china_time_over_the_year(history):
    starts = list(patrols().values_list("started_at", flat=True))
    assert all(8 <= t.astimezone(CHINA).hour < 20 for t in starts)
    assert len({t.astimezone(CHINA).month for t in starts}) == 12


def test_every_patrol_is_on_a_reach_its_patroller_answers_for(history):
    by_patroller = defaultdict(set)
    for patrol, reach in Patrol.reaches.through.objects.filter(
        patrol__client_id__startswith=MARK
    ).values_list("patrol_id", "reach_id"):
        by_patroller[patrol].add(reach)
    rows = list(patrols().select_related("patroller", "region"))
    assert len(by_patroller) == len(rows)
    responsible = {}
    for patrol in rows:
        user = patrol.patroller
        if user.pk not in responsible:
            responsible[user.pk] = dict(responsible_reaches(user).values_list("pk", "region_id"))
        assert by_patroller[patrol.pk] <= set(responsible[user.pk])
        (reach,) = by_patroller[patrol.pk]
        assert patrol.region_id == responsible[user.pk][reach]
        assert patrol.role == "chief" and patrol.chief_level == user.chief_level


def test_a_second_build_adds_nothing(history):
    again = build_province_patrols(total=TOTAL, log=None)
    assert again["built"] is False and again["total"] == history["total"]
    assert patrols().count() == history["total"]
