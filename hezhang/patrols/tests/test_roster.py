"""The roster (巡河人员任期): the patrollers `standing` counts, kept in step with people and their assignments, and
the few patrollers with long periods read apart from the others."""

import datetime

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hezhang.accounts.models import User
from hezhang.patrols import roster
from hezhang.patrols import standing as standing_module
from hezhang.patrols.frequency import standing, statuses
from hezhang.patrols.models import PatrollerTerm, PatrolRule
from hezhang.patrols.tests.test_frequency import patrol, rule, take_office
from hezhang.registry.models import ChiefAssignment

D = datetime.date
RANGES = [(D(2024, 5, 1), D(2024, 5, 31)), (D(2019, 6, 1), D(2019, 6, 30)), (D(2023, 12, 20), D(2024, 1, 10))]


@pytest.fixture
def ruled(world):
    w = take_office(world)
    rule(w.county, period="week")
    PatrolRule.objects.create(role="grid", period="month", times=1)
    PatrolRule.objects.create(role="delegate", period="month", times=1)
    patrol(w.chief_a, D(2024, 5, 8))
    patrol(w.county_chief, D(2024, 1, 3))
    return w


def answer(counted):
    """What the rate pages read of a standing, a patroller at a time."""
    return sorted(
        zip(
            counted.ids.tolist(),
            counted.roles.tolist(),
            counted.levels.tolist(),
            counted.paths.tolist(),
            counted.met.tolist(),
            counted.overdue.tolist(),
            strict=True,
        )
    )


def same_as_asking_the_users(w):
    """Counted from the roster, and from the users and their assignments (what `users=` makes it ask), alike."""
    for start, end in RANGES:
        for region in (None, w.county, w.town_a, w.town_b):
            kept = standing(region, start, end, today=D(2024, 6, 1))
            asked = standing(region, start, end, today=D(2024, 6, 1), users=User.objects.all())
            assert answer(kept) == answer(asked), (region, start, end)
    return True


def test_the_roster_finds_the_patrollers_the_users_and_their_assignments_give(ruled):
    w = ruled
    assert same_as_asking_the_users(w)
    assert {t.patroller_id for t in PatrollerTerm.objects.all()} == {
        w.chief_a.pk,
        w.chief_b.pk,
        w.county_chief.pk,
    }


def test_the_roster_follows_people_as_they_join_move_and_leave(ruled):
    w = ruled
    grid = User.objects.create_user(username="grid_a", role="grid", region=w.village_a, name="网格员甲")
    assert same_as_asking_the_users(w)
    assert PatrollerTerm.objects.get(patroller=grid).region_path == w.village_a.path
    w.chief_b.region = w.town_a
    w.chief_b.save()
    assert same_as_asking_the_users(w)
    w.chief_a.chief_level = None
    w.chief_a.save()  # their level is now the highest of their assignments in the range
    assert same_as_asking_the_users(w)
    grid.is_active = False
    grid.save()
    assert not PatrollerTerm.objects.filter(patroller=grid).exists()
    w.county_office.role = "delegate"
    w.county_office.save()
    assert same_as_asking_the_users(w)
    assert PatrollerTerm.objects.get(patroller=w.county_office).start is None


def test_the_roster_follows_assignments_as_they_begin_end_move_and_go(ruled):
    w = ruled
    w.assignment_b.end_date = D(2024, 5, 10)
    w.assignment_b.save()
    assert same_as_asking_the_users(w)
    later = ChiefAssignment.objects.create(
        chief=w.county_chief, water_body=w.river, region=w.county, level=2, start_date=D(2024, 5, 20)
    )
    assert same_as_asking_the_users(w)
    later.chief = w.chief_b  # handed to another chief: both are judged again
    later.save()
    assert same_as_asking_the_users(w)
    later.delete()
    w.past_assignment_b.delete()
    assert same_as_asking_the_users(w)
    assert not PatrollerTerm.objects.filter(patroller=w.chief_a, start=D(2019, 1, 1)).exists()


def test_a_region_recoded_carries_its_new_path_to_the_roster(ruled):
    w = ruled
    w.town_b.code = "130523299000"
    w.town_b.save()
    assert set(PatrollerTerm.objects.filter(region=w.town_b).values_list("region_path", flat=True)) == {
        "130523299"
    }
    assert same_as_asking_the_users(w)


def test_a_rebuild_finds_what_was_written_around_the_signals(ruled):
    w = ruled
    ChiefAssignment.objects.filter(chief=w.chief_b).update(end_date=D(2020, 6, 30))
    User.objects.filter(pk=w.county_chief.pk).update(is_active=False)
    assert roster.rebuild() == PatrollerTerm.objects.count()
    assert same_as_asking_the_users(w)
    assert not PatrollerTerm.objects.filter(patroller=w.county_chief).exists()


def test_a_chief_with_several_assignments_in_the_range_is_counted_once(ruled):
    w = ruled
    w.past_assignment_b.end_date = None
    w.past_assignment_b.save()  # chief_a now holds two reaches at once
    counted = standing(w.county, *RANGES[0], today=D(2024, 6, 1))
    assert counted.ids.tolist().count(w.chief_a.pk) == 1


def periods_of(counted):
    return {s.user_id: [(p.start, p.end, p.done) for p in s.periods] for s in statuses(counted)}


def test_the_few_patrollers_of_a_long_period_are_counted_the_same_read_apart(ruled, monkeypatch):
    """A yearly rule's patrollers are read over the whole year, the others only over their weeks; whether read apart
    or with everyone, every period counts the same patrols."""
    w = ruled
    rule(w.county, period="year", times=2, chief_level=3)
    for day in (D(2024, 2, 1), D(2024, 5, 30), D(2024, 11, 2)):
        patrol(w.county_chief, day)
    patrol(w.chief_b, D(2024, 5, 2))
    patrol(w.chief_b, D(2024, 5, 2), hour=14)  # two in a day
    start, end = RANGES[0]
    monkeypatch.setattr(standing_module, "FEW", 0.0)  # never apart
    together = standing(None, start, end, today=D(2024, 12, 31))
    monkeypatch.setattr(standing_module, "FEW", 1.0)  # apart whenever there are shorter periods too
    with CaptureQueriesContext(connection) as queries:
        apart = standing(None, start, end, today=D(2024, 12, 31))
    assert sum("patrols_patrolleryear" in q["sql"] for q in queries.captured_queries) == 2
    assert periods_of(apart) == periods_of(together)
    assert answer(apart) == answer(together)
    year = periods_of(apart)[w.county_chief.pk]
    assert year == [(D(2024, 1, 1), D(2024, 12, 31), 4)]
    assert [done for _s, _e, done in periods_of(apart)[w.chief_b.pk]] == [2, 0, 0, 0, 0]
    assert np.array_equal(apart.met, together.met)
