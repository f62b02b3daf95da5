"""The demo cases: a season of real-looking cases in the demo county, every one moved by the workflow.

County and cases are built once for the module inside a transaction rolled back at the end (photos go to a
temporary media directory), so other test modules never see them.
"""

import datetime

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from hezhang.accounts.models import User
from hezhang.cases.access import visible_cases
from hezhang.cases.demo import MARK, build_cases
from hezhang.cases.filters import QUEUES, queue_q
from hezhang.cases.models import Case, CaseEvent, CasePhoto
from hezhang.notifications.models import Notification, OutboxMessage
from hezhang.registry.demo import build_county

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_county()
            yield build_cases()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def test_there_are_at_least_two_hundred_demo_cases(demo):
    assert demo["built"] is True
    assert demo["total"] == Case.objects.filter(client_id__startswith=MARK).count() >= 200


def test_every_state_of_the_workflow_is_present(demo):
    states = set(Case.objects.values_list("state", flat=True))
    required = {
        "reported",
        "accepted",
        "assigned",
        "in_progress",
        "completed",
        "closed",
        "rejected",
        "long_term",
    }
    assert required <= states
    assert {"verified", "merged"} <= states


def test_every_case_history_starts_with_its_report_and_runs_forward_in_time(demo):
    now = timezone.now()
    events = CaseEvent.objects.order_by("case_id", "at", "id").values_list("case_id", "action", "at", "id")
    by_case: dict[int, list] = {}
    for case_id, action, at, pk in events:
        by_case.setdefault(case_id, []).append((action, at, pk))
    for case in Case.objects.all():
        history = by_case[case.pk]
        assert history[0][0] == "report" and history[0][1] == case.created_at, case.number
        times = [at for _a, at, _pk in history]
        assert times == sorted(times) and times[-1] < now, case.number
        ids = [pk for _a, _at, pk in history]
        assert ids == sorted(ids), case.number  # taken in the order they are dated
        if case.accepted_at:
            assert case.created_at < case.accepted_at <= times[-1], case.number
        if case.state_id == "closed":
            closed = [at for action, at, _pk in history if action == "close"]
            assert case.closed_at == closed[-1], case.number
    assert now - Case.objects.order_by("created_at").first().created_at < datetime.timedelta(days=90)


def test_closed_cases_have_after_photos_and_every_photo_is_small(demo):
    closed = Case.objects.filter(state="closed")
    assert closed.count() >= 50
    assert not closed.exclude(photos__stage="after").exists()
    for photo in CasePhoto.objects.select_related("case")[:60]:
        assert photo.original.size < 60_000
        assert (photo.width, photo.height) == (640, 480)
        assert photo.taken_at is not None and photo.lon is not None
        if photo.stage == "before":
            assert photo.taken_at <= photo.case.created_at


def test_public_reports_carry_a_phone_and_patrol_reports_a_chief(demo):
    public = Case.objects.filter(channel="public")
    assert public.exclude(reporter_phone="").count() >= 0.7 * public.count()
    assert all(
        p.startswith("138") and len(p) == 11
        for p in public.exclude(reporter_phone="").values_list("reporter_phone", flat=True)
    )
    assert not Case.objects.filter(channel="patrol").exclude(reporter__role="chief").exists()
    assert set(Case.objects.values_list("channel", flat=True)) >= {
        "public",
        "patrol",
        "hotline",
        "delegate",
        "inspection",
    }


def test_the_township_office_sees_at_least_thirty_cases(demo):
    office = User.objects.get(username="township_office")
    seen = visible_cases(Case.objects.all(), office)
    assert seen.count() >= 30
    for queue in ("new", "verify", "open", "closed"):
        assert seen.filter(queue_q(queue)).exists(), queue


def test_the_water_bureau_and_the_village_chief_have_cases(demo):
    staff = User.objects.get(username="department_staff")
    assert visible_cases(Case.objects.all(), staff).count() >= 10
    chief = User.objects.get(username="village_chief")
    assert Case.objects.filter(chiefs=chief).count() >= 5


def test_every_dispatch_queue_has_cases(demo):
    office = User.objects.get(username="county_office")
    seen = visible_cases(Case.objects.all(), office)
    for queue in QUEUES:
        assert seen.filter(queue_q(queue)).exists(), queue
    assert Case.objects.filter(escalation_level__gt=0).exists()
    assert Case.objects.filter(reopen_count=1).exists()
    assert (
        Case.objects.exclude(rating="").count()
        >= 0.5 * Case.objects.filter(state="closed", channel="public").count()
    )


def test_a_few_notifications_ring_the_demo_accounts_bells_and_no_more(demo):
    usernames = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"township_office", "department_staff"} <= usernames
    assert Notification.objects.count() <= 40 and OutboxMessage.objects.count() <= 40


def test_building_twice_adds_nothing(demo):
    events, photos = CaseEvent.objects.count(), CasePhoto.objects.count()
    again = build_cases()
    assert again["built"] is False and again["total"] == demo["total"] and again["states"] == demo["states"]
    assert (CaseEvent.objects.count(), CasePhoto.objects.count()) == (events, photos)


def test_the_public_map_shows_the_cases_without_any_reporter_phone(demo, client):
    response = client.get("/public/map/cases.geojson")
    assert response.status_code == 200
    features = response.json()["features"]
    shown = Case.objects.exclude(state__in=["rejected", "merged"]).count()
    assert len(features) == shown
    text = response.content.decode()
    phones = set(Case.objects.exclude(reporter_phone="").values_list("reporter_phone", flat=True))
    assert phones and not any(phone in text for phone in phones)


def test_the_demo_cases_are_counted_on_the_days_they_were_reported_and_closed(demo):
    from collections import Counter

    from hezhang.cases.models import CaseDay

    zone = timezone.get_default_timezone()
    cases = Case.objects.all()
    reported = Counter(timezone.localtime(c.created_at, zone).date() for c in cases)
    closed = Counter(timezone.localtime(c.closed_at, zone).date() for c in cases if c.closed_at)
    rows = CaseDay.objects.filter(region_path="")
    assert {r.day: r.reported for r in rows if r.reported} == dict(reported)
    assert {r.day: r.closed for r in rows if r.closed} == dict(closed)
    assert len(reported) > 30  # a season, not the day the demo was built
