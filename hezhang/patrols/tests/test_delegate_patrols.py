"""Delegates patrol (视察/巡河) the water bodies they are linked to: those reaches are theirs in the field app."""

import datetime
import time

import pytest

from hezhang.patrols.recording import import_points, responsible_reaches
from hezhang.patrols.tests.conftest import token_client, walk
from hezhang.registry.models import DelegateLink, Reach

D = datetime.date


@pytest.fixture
def delegate(world, django_user_model):
    """A township delegate of 东坝镇 linked to the river there and to a reach in the next township."""
    dan = django_user_model.objects.create_user(username="dan", role="delegate", region=world.town_a)
    DelegateLink.objects.create(delegate=dan, water_body=world.river, region=world.town_a)
    DelegateLink.objects.create(
        delegate=dan, water_body=world.river, reach=world.reach_b, region=world.town_b
    )
    return dan


def test_a_delegate_answers_for_the_reaches_of_their_current_links(world, delegate):
    assert set(responsible_reaches(delegate)) == {world.reach_a, world.reach_b}


def test_a_whole_water_body_link_covers_its_reaches_in_the_links_region_only(world, django_user_model):
    eve = django_user_model.objects.create_user(username="eve", role="delegate", region=world.county)
    DelegateLink.objects.create(delegate=eve, water_body=world.river, region=world.town_b)
    assert list(responsible_reaches(eve)) == [world.reach_b]


def test_ended_and_future_links_give_no_reaches(world, django_user_model):
    eve = django_user_model.objects.create_user(username="eve", role="delegate", region=world.county)
    DelegateLink.objects.create(
        delegate=eve,
        water_body=world.river,
        region=world.town_a,
        start_date=D(2020, 1, 1),
        end_date=D(2022, 1, 1),
    )
    DelegateLink.objects.create(
        delegate=eve, water_body=world.river, region=world.town_b, start_date=D(2999, 1, 1)
    )
    assert not responsible_reaches(eve).exists()


def test_a_chiefs_reaches_come_from_their_assignments_not_from_links(world, delegate):
    # A link naming a chief (refused by the forms, possible in the database) changes nothing for them.
    DelegateLink.objects.create(
        delegate=world.chief_a, water_body=world.river, reach=world.reach_b, region=world.town_b
    )
    assert list(responsible_reaches(world.chief_a)) == [world.reach_a]
    assert list(responsible_reaches(world.chief_b)) == [world.reach_b]


def test_the_field_app_offers_a_delegate_their_linked_reaches(world, delegate):
    body = token_client(delegate).get("/api/v1/patrols/my-reaches/").json()
    assert sorted(r["id"] for r in body["reaches"]) == sorted([world.reach_a.pk, world.reach_b.pk])


def test_a_delegate_starts_a_patrol_on_a_linked_reach_outside_their_township(world, delegate):
    app = token_client(delegate)
    started = app.post(
        "/api/v1/patrols/", {"reaches": [world.reach_b.pk], "started_at": time.time() - 600}, format="json"
    )
    assert started.status_code == 201, started.json()
    assert started.json()["reaches"][0]["id"] == world.reach_b.pk


def test_a_delegates_gpx_patrol_is_scored_against_their_linked_reaches(world, delegate):
    line = world.reach_b.geometry["coordinates"]
    patrol = import_points(delegate, walk(line, 0.1, 0.5, speed=1.4, step_s=10))
    assert list(patrol.reaches.all()) == [world.reach_b]
    assert patrol.role == "delegate" and patrol.region == world.town_b


def test_a_reach_of_an_unlinked_water_body_is_not_theirs(world, delegate):
    other = Reach.objects.create(
        water_body=world.pond_b,
        region=world.town_b,
        name="西河塘岸",
        code="PND-1",
        geometry=world.reach_b.geometry,
    )
    assert other not in responsible_reaches(delegate)
