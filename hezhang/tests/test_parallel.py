"""Independent reads done at once (parallel.py): on their own connections where that is safe, with the caller's
language and time zone, and the same answers as one after another."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from hezhang import parallel
from hezhang.parallel import at_once

ON_POSTGRESQL = connection.vendor == "postgresql"


def here():
    return threading.current_thread().name


@pytest.mark.django_db(transaction=True)
def test_reads_outside_a_transaction_run_in_workers_on_postgresql_and_one_after_another_elsewhere():
    first, second, third = at_once(here, here, here)
    assert first == here()
    if ON_POSTGRESQL:
        assert second.startswith(parallel.PREFIX) and third.startswith(parallel.PREFIX)
    else:
        assert second == third == here()


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_its_connection():
    with transaction.atomic():
        assert at_once(here, here) == [here(), here()]


@pytest.mark.django_db(transaction=True)
def test_workers_take_the_callers_language_and_time_zone():
    with translation.override("en"), timezone.override("Asia/Urumqi"):
        found = at_once(
            translation.get_language, translation.get_language, lambda: str(timezone.get_current_timezone())
        )
    assert found == ["en", "en", "Asia/Urumqi"]


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_worker_reaches_the_caller_after_every_read_has_finished():
    done = []

    def slow():
        done.append("slow")
        return 1

    def broken():
        raise ValueError("坏了")

    with pytest.raises(ValueError, match="坏了"):
        at_once(slow, broken)
    assert done == ["slow"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_asking_for_reads_at_once_does_them_itself():
    inner = at_once(here, lambda: at_once(here, here))[1]
    assert inner[0] == inner[1]


def test_statistics_counted_at_once_are_those_counted_one_after_another(transactional_db, world, monkeypatch):
    import datetime

    from hezhang.patrols.tests.test_frequency import patrol, rule, take_office
    from hezhang.statistics.figures import case_figures, patrol_figures, trend

    w = take_office(world)
    rule(w.county, period="week")
    patrol(w.chief_a, datetime.date(2024, 5, 8))
    patrol(w.chief_b, datetime.date(2024, 5, 9), valid=False)
    start, end = datetime.date(2024, 5, 1), datetime.date(2024, 5, 31)

    def figures():
        return [
            at_once(
                lambda region=region: patrol_figures(region, start, end),
                lambda region=region: (case_figures(region, start, end), trend(region, start, end)),
            )
            for region in (None, w.county, w.town_a)
        ]

    concurrent = figures()
    monkeypatch.setattr(parallel, "_concurrent", lambda: False)
    assert concurrent == figures()
    assert concurrent[1][0]["valid"] == 1 and concurrent[1][0]["count"] == 2
