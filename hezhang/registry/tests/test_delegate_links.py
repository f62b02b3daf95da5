"""代表联系河湖: delegates linked to the water bodies they supervise, kept like chiefs' assignments."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hezhang.history.models import Change
from hezhang.registry import models as m
from hezhang.registry.forms import DelegateLinkForm
from hezhang.registry.importing import run_import
from hezhang.registry.kinds import KINDS

D = datetime.date


@pytest.fixture
def delegates(world, django_user_model):
    def person(username, region, name):
        return django_user_model.objects.create_user(
            username=username, password="s3cret-pass-123", role="delegate", region=region, name=name
        )

    world.delegate_a = person("dele_a", world.town_a, "代表吴")
    world.delegate_b = person("dele_b", world.town_b, "委员郑")
    world.link_b = m.DelegateLink.objects.create(
        delegate=world.delegate_b, water_body=world.pond_b, region=world.town_b, note="乡人大代表联系"
    )
    return world


def link(world, **changes):
    fields = {
        "delegate": world.delegate_a,
        "water_body": world.river,
        "reach": world.reach_a,
        "region": world.town_a,
        "start_date": D(2024, 1, 1),
        **changes,
    }
    return m.DelegateLink(**fields)


def listing_url() -> str:
    return reverse("registry:list", kwargs={"kind": "delegate-links"})


def messages(obj) -> dict:
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    return raised.value.message_dict


def test_a_link_is_valid_for_a_delegate_on_a_reach_of_the_water_body(delegates):
    link(delegates).full_clean()


def test_only_a_delegate_can_be_linked(delegates):
    assert "delegate" in messages(link(delegates, delegate=delegates.chief_a))


def test_the_reach_must_belong_to_the_linked_water_body(delegates):
    assert messages(link(delegates, water_body=delegates.pond_b))["reach"] == ["河段不属于所选水体"]


def test_a_link_cannot_end_before_it_starts(delegates):
    errors = messages(link(delegates, end_date=D(2023, 12, 31)))
    assert errors["end_date"] == ["结束日期不能早于开始日期"]


def test_current_links_leave_out_ended_and_future_ones(delegates):
    ended = link(delegates, end_date=D(2024, 6, 30))
    future = link(delegates, start_date=D(2999, 1, 1))
    for obj in (ended, future, link(delegates)):
        obj.save()
    current = set(m.DelegateLink.objects.current().filter(delegate=delegates.delegate_a))
    assert ended not in current and future not in current and len(current) == 1


def test_office_creates_a_link_on_the_registry_pages_and_it_is_recorded(delegates, login):
    client = login(delegates.alice)
    response = client.post(
        reverse("registry:create", kwargs={"kind": "delegate-links"}),
        {
            "delegate": delegates.delegate_a.pk,
            "water_body": delegates.river.pk,
            "reach": delegates.reach_a.pk,
            "region": delegates.town_a.pk,
            "start_date": "2024-03-01",
            "note": "镇人大代表联系河段",
        },
    )
    created = m.DelegateLink.objects.get(delegate=delegates.delegate_a)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "registry:detail", kwargs={"kind": "delegate-links", "pk": created.pk}
    )
    listing = client.get(reverse("registry:list", kwargs={"kind": "delegate-links"})).content.decode()
    assert "代表吴" in listing and "清水河东坝段" in listing
    recorded = Change.objects.filter(
        content_type__model="delegatelink", object_id=str(created.pk), action="create"
    ).get()
    assert recorded.actor == delegates.alice


def test_the_delegate_field_offers_only_delegates_of_the_jurisdiction(delegates):
    offered = set(DelegateLinkForm(user=delegates.alice).fields["delegate"].queryset)
    assert offered == {delegates.delegate_a}


def test_a_township_office_cannot_see_or_edit_another_townships_links(delegates, login):
    client = login(delegates.alice)
    listing = client.get(reverse("registry:list", kwargs={"kind": "delegate-links"})).content.decode()
    assert "委员郑" not in listing
    for name in ("detail", "edit", "history"):
        url = reverse(f"registry:{name}", kwargs={"kind": "delegate-links", "pk": delegates.link_b.pk})
        assert client.get(url).status_code == 404
    assert "委员郑" in login(delegates.county_office).get(listing_url()).content.decode()


def test_the_list_filters_current_links_of_one_delegate(delegates, login):
    link(delegates, end_date=D(2024, 6, 30)).save()
    link(delegates, reach=None, start_date=D(2024, 7, 1)).save()
    client = login(delegates.county_office)

    page = client.get(listing_url(), {"delegate": delegates.delegate_a.pk, "current": "true"}).context["page"]

    assert [(o.delegate, o.reach, o.end_date) for o in page] == [(delegates.delegate_a, None, None)]


def test_water_body_and_reach_pages_list_their_linked_delegates(delegates, login):
    link(delegates).save()
    client = login(delegates.county_office)
    river = client.get(reverse("registry:detail", kwargs={"kind": "water-bodies", "pk": delegates.river.pk}))
    reach = client.get(reverse("registry:detail", kwargs={"kind": "reaches", "pk": delegates.reach_a.pk}))
    pond = client.get(reverse("registry:detail", kwargs={"kind": "water-bodies", "pk": delegates.pond_b.pk}))
    assert "代表联系河湖" in river.content.decode() and "代表吴" in river.content.decode()
    assert "代表吴" in reach.content.decode()
    assert "委员郑" in pond.content.decode() and "代表吴" not in pond.content.decode()


def test_a_delegate_sees_their_own_links_and_linked_water_outside_their_township(delegates, login):
    m.DelegateLink.objects.create(
        delegate=delegates.delegate_a,
        water_body=delegates.river,
        reach=delegates.reach_b,
        region=delegates.town_b,
    )
    client = login(delegates.delegate_a)
    mine = client.get(listing_url(), {"delegate": delegates.delegate_a.pk}).context["page"]
    assert [o.reach for o in mine] == [delegates.reach_b]
    assert (
        client.get(
            reverse("registry:detail", kwargs={"kind": "reaches", "pk": delegates.reach_b.pk})
        ).status_code
        == 200
    )
    # Another delegate's link there, and the rest of that township, stay out of sight.
    assert (
        client.get(
            reverse("registry:detail", kwargs={"kind": "delegate-links", "pk": delegates.link_b.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("registry:detail", kwargs={"kind": "water-bodies", "pk": delegates.pond_b.pk})
        ).status_code
        == 404
    )


def test_the_api_refuses_to_link_someone_who_is_not_a_delegate(delegates):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=delegates.bob)[0].key}")
    body = {
        "delegate": delegates.chief_b.pk,
        "water_body": delegates.pond_b.pk,
        "region": delegates.town_b.pk,
    }

    refused = client.post("/api/v1/delegate-links/", body, format="json")
    made = client.post(
        "/api/v1/delegate-links/",
        {**body, "delegate": delegates.delegate_b.pk, "note": "再次联系"},
        format="json",
    )

    assert refused.status_code == 400 and "delegate" in refused.json()
    assert made.status_code == 201, made.json()


def test_exported_links_import_back_unchanged(delegates, login):
    link(delegates).save()
    link(delegates, reach=None, start_date=D(2023, 1, 1), end_date=D(2023, 12, 31)).save()
    content = login(delegates.admin).get(reverse("registry:export", args=["delegate-links", "xlsx"])).content

    result = run_import(KINDS["delegate-links"], "export.xlsx", content, delegates.admin)

    assert result.ok, [str(p) for p in result.problems]
    assert (result.created, result.updated) == (0, 3)


def test_a_deleted_reach_cannot_take_its_delegates_links_with_it(delegates, login):
    link(delegates).save()
    m.ChiefAssignment.objects.filter(reach=delegates.reach_a).delete()
    client = login(delegates.alice)

    response = client.post(
        reverse("registry:delete", kwargs={"kind": "reaches", "pk": delegates.reach_a.pk}), follow=True
    )

    assert m.Reach.objects.filter(pk=delegates.reach_a.pk).exists()
    assert "代表联系河湖" in response.content.decode()
