"""A township office sees its own township and nothing of the one next door, on every registry endpoint."""

import pytest
from django.urls import reverse

from hezhang.registry import models as m
from hezhang.registry.kinds import KINDS


def other_township_objects(w):
    pond_dossier = m.Dossier.objects.create(water_body=w.pond_b, facts="西河塘档案")
    delegate_b = type(w.bob).objects.create_user(username="delegate_b", role="delegate", region=w.town_b)
    pond_link = m.DelegateLink.objects.create(delegate=delegate_b, water_body=w.pond_b, region=w.town_b)
    return {
        "regions": w.town_b,
        "grids": w.grid_b,
        "water-bodies": w.pond_b,
        "reaches": w.reach_b,
        "dossiers": pond_dossier,
        "plans": w.plan_pond,
        "plan-tasks": w.task_pond,
        "signboards": w.signboard_b,
        "assets": w.asset_b,
        "sections": w.section_b,
        "outfalls": w.outfall_b,
        "offices": w.office_b,
        "departments": w.dept_b,
        "users": w.bob,
        "assignments": w.assignment_b,
        "delegate-links": pond_link,
    }


def test_every_kind_has_an_object_in_the_other_township(world):
    assert set(other_township_objects(world)) == set(KINDS)


@pytest.mark.parametrize("slug", list(KINDS))
def test_township_office_cannot_reach_other_township_records_on_pages(world, login, slug):
    obj = other_township_objects(world)[slug]
    client = login(world.alice)
    detail = reverse("registry:detail", kwargs={"kind": slug, "pk": obj.pk})

    listing = client.get(reverse("registry:list", kwargs={"kind": slug}), {"q": ""})
    assert listing.status_code == 200
    assert detail not in listing.content.decode()

    for name in ("detail", "edit", "delete", "history"):
        url = reverse(f"registry:{name}", kwargs={"kind": slug, "pk": obj.pk})
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("registry:delete", kwargs={"kind": slug, "pk": obj.pk})).status_code == 404
    assert (
        client.post(reverse("registry:edit", kwargs={"kind": slug, "pk": obj.pk}), {"name": "x"}).status_code
        == 404
    )
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("slug", list(KINDS))
def test_township_office_cannot_reach_other_township_records_in_the_api(world, login, slug):
    obj = other_township_objects(world)[slug]
    client = login(world.alice)
    url = f"/api/v1/{slug}/{obj.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "改名"}, content_type="application/json").status_code == 404
    assert client.delete(url).status_code == 404
    ids = [row["id"] for row in client.get(f"/api/v1/{slug}/", {"page_size": 500}).json()["results"]]
    assert obj.pk not in ids
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("slug", [s for s, k in KINDS.items() if k.has_geometry])
def test_map_layers_leave_out_other_township_features(world, login, slug):
    obj = other_township_objects(world)[slug]
    features = login(world.alice).get(reverse("registry:geojson", kwargs={"kind": slug})).json()["features"]
    assert obj.pk not in [f["id"] for f in features]


def test_township_office_sees_its_own_reach_and_the_river_crossing_it(world, login):
    client = login(world.alice)
    assert (
        client.get(reverse("registry:detail", kwargs={"kind": "reaches", "pk": world.reach_a.pk})).status_code
        == 200
    )
    assert (
        client.get(
            reverse("registry:detail", kwargs={"kind": "water-bodies", "pk": world.river.pk})
        ).status_code
        == 200
    )


def test_county_office_sees_both_townships(world, login):
    client = login(world.county_office)
    for reach in (world.reach_a, world.reach_b):
        assert (
            client.get(reverse("registry:detail", kwargs={"kind": "reaches", "pk": reach.pk})).status_code
            == 200
        )


def test_chief_sees_assigned_reach_outside_their_region(world, login):
    m.ChiefAssignment.objects.create(
        chief=world.chief_a, water_body=world.pond_b, region=world.town_b, level=4, note="跨乡代管"
    )
    client = login(world.chief_a)
    assert (
        client.get(
            reverse("registry:detail", kwargs={"kind": "water-bodies", "pk": world.pond_b.pk})
        ).status_code
        == 200
    )
    assert (
        client.get(reverse("registry:detail", kwargs={"kind": "reaches", "pk": world.reach_b.pk})).status_code
        == 404
    )


def test_ended_assignment_no_longer_opens_the_reach(world, login):
    # chief_a was chief of reach_b until 2021: that history is kept but gives no access now.
    assert world.past_assignment_b.end_date is not None
    client = login(world.chief_a)
    assert (
        client.get(reverse("registry:detail", kwargs={"kind": "reaches", "pk": world.reach_b.pk})).status_code
        == 404
    )


def test_chief_can_read_but_not_edit_the_registry(world, login):
    client = login(world.chief_a)
    assert (
        client.get(reverse("registry:edit", kwargs={"kind": "reaches", "pk": world.reach_a.pk})).status_code
        == 403
    )
    response = client.patch(
        f"/api/v1/reaches/{world.reach_a.pk}/", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_anonymous_visitor_is_sent_to_login_from_staff_pages(client, world):
    response = client.get(reverse("registry:list", kwargs={"kind": "reaches"}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/reaches/").status_code in (401, 403)
    assert client.get("/").status_code == 302


def test_township_office_cannot_create_a_record_in_the_other_township(world, login):
    client = login(world.alice)
    response = client.post(
        reverse("registry:create", kwargs={"kind": "departments"}),
        {"region": world.town_b.pk, "name": "越权部门", "kind": "other"},
    )
    assert response.status_code == 400
    assert not m.Department.objects.filter(name="越权部门").exists()
    api = client.post(
        "/api/v1/departments/",
        {"region": world.town_b.pk, "name": "越权部门", "kind": "other"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "region" in api.json()


def label_of(obj) -> str:
    """What identifies the record in an exported file."""
    if isinstance(obj, m.Dossier):
        return obj.water_body.code
    if isinstance(obj, m.ChiefAssignment):
        return obj.reach.code
    if isinstance(obj, m.DelegateLink):
        return obj.delegate.username
    for attr in ("code", "username", "title", "name"):
        if getattr(obj, attr, None):
            return getattr(obj, attr)
    raise AssertionError(obj)


@pytest.mark.parametrize("slug", list(KINDS))
def test_township_office_exports_nothing_of_the_other_township(world, login, slug):
    import io

    import openpyxl

    obj = other_township_objects(world)[slug]
    client = login(world.alice)
    response = client.get(reverse("registry:export", kwargs={"kind": slug, "fmt": "xlsx"}))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert label_of(obj) not in cells
    if KINDS[slug].has_geometry:
        geojson = client.get(reverse("registry:export", kwargs={"kind": slug, "fmt": "geojson"})).json()
        assert label_of(obj) not in {str(v) for f in geojson["features"] for v in f["properties"].values()}
