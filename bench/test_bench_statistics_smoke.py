"""The statistics benchmark's own pieces at toy scale (the demo county, 2 000 patrols, a few bulk cases): they run
and count right; timing is never checked here."""

import pytest
from django.db import transaction
from django.test.utils import override_settings

from bench.bench_statistics import (
    PAGES,
    PERIODS,
    add_cases,
    agreement,
    breakdown,
    by_level,
    counts,
    login_client,
    places,
    profile_request,
    reference,
    time_pages,
)
from hezhang.cases.models import Case
from hezhang.patrols.demo.province import build_province_patrols
from hezhang.registry.demo import build_county

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_county()
            build_province_patrols(total=2000, log=None)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def test_cases_are_topped_up_to_the_total_and_not_beyond(county):
    before = Case.objects.count()
    assert add_cases(before + 40) == 40
    assert add_cases(before + 40) == 0
    added = Case.objects.filter(client_id__startswith="bench-")
    assert added.count() == 40
    assert all(c.office.region.path == c.region.path[: len(c.office.region.path)] for c in added)
    closed = added.filter(state="closed")
    assert all(c.closed_at and c.closed_at > c.created_at for c in closed)
    assert counts()["cases"] == before + 40


def test_every_page_answers_for_every_place_and_period(county):
    client, user = login_client()
    where = places()
    assert [label for label, _ in where] == ["province", "city", "county"]
    lines = []
    timings = time_pages(client, where, repeat=2, log=lines.append)
    assert len(timings) == len(PAGES) * len(where) * len(PERIODS) == len(lines)
    assert all(len(t.ms) == 2 and t.p50 > 0 and t.p95 >= t.p50 for t in timings)
    verdicts = by_level(timings)
    assert [line.split()[0] for line in verdicts] == ["province", "city", "county"]
    assert all(line.split()[1] in ("PASS:", "MISS:") for line in verdicts)


def test_the_reference_breakdown_and_profile_report_something(county):
    assert reference(repeat=1)["count(*) of the patrol table"] > 0
    same, counted = agreement()  # the builders filled the summaries as they wrote the patrols
    assert same and "summed by day" in counted
    parts = breakdown(places()[0][1], "month", repeat=1)
    assert set(parts) >= {"standing", "patrol_status", "patrol_figures", "case_figures", "trend"}
    client, _user = login_client()
    lines = profile_request(client, "/statistics/", places()[2][1], "year")
    assert "queries" in lines[0] and len(lines) > 1
