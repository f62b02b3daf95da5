"""The delegates' workbench: the water bodies they are linked to, the visits due, what they reported; every number
a link to the list behind it."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hezhang.cases.intake import create_case
from hezhang.cases.models import Case, CaseCategory
from hezhang.patrols.models import Patrol
from hezhang.registry.models import DelegateLink
from hezhang.workbench import figures as workbench

pytestmark = pytest.mark.django_db


def figures(page: str) -> dict[str, tuple[str, str]]:
    """label -> (value, link) of every number on the page."""
    found = re.findall(r'<a class="kpi[^"]*" href="([^"]+)"><b>([^<]*)</b><span>([^<]*)</span>', page)
    return {label: (value, html.unescape(href)) for href, value, label in found}


@pytest.fixture
def delegate(world, django_user_model):
    dan = django_user_model.objects.create_user(
        username="dan", password="s3cret-pass-123", role="delegate", region=world.county, name="代表周"
    )
    world.link_a = DelegateLink.objects.create(
        delegate=dan, water_body=world.river, region=world.town_a, note="县人大代表联系"
    )
    world.link_b = DelegateLink.objects.create(
        delegate=dan, water_body=world.river, reach=world.reach_b, region=world.town_b
    )
    DelegateLink.objects.create(  # ended: no longer on the workbench
        delegate=dan,
        water_body=world.pond_b,
        region=world.town_b,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2022, 12, 31),
    )
    return dan


def visit(user, reach, started, valid=True):
    patrol = Patrol.objects.create(
        patroller=user,
        role="delegate",
        region=reach.region,
        started_at=started,
        ended_at=started + datetime.timedelta(minutes=40),
        is_valid=valid,
    )
    patrol.reaches.set([reach])
    return patrol


def report(reporter, lon=114.6, lat=37.12):
    category = CaseCategory.objects.get(region=None, code="water_pollution")
    return create_case(category=category, channel="delegate", lon=lon, lat=lat, reporter=reporter)[0]


def test_delegate_workbench_lists_linked_water_bodies_with_last_visit(client, world, delegate):
    now = timezone.now()
    this_period = visit(delegate, world.reach_a, now)
    long_ago = visit(delegate, world.reach_b, now - datetime.timedelta(days=70))
    client.force_login(delegate)

    page = client.get("/").content.decode()

    table = page.split('id="my-water-bodies"')[1].split("</section>")[0]
    rows = table.split("<tr>")[2:]
    assert len(rows) == 2  # the ended link is history, not work
    river_a, reach_b = rows
    assert "清水河" in river_a and "东坝镇" in river_a and f"/patrols/{this_period.pk}/" in river_a
    assert "已巡 1 次" in river_a and f"/patrols/?water_body={world.river.pk}" in river_a
    assert (
        "孙书记" in river_a and "赵镇长" in river_a and "钱乡长" not in river_a
    )  # the chiefs answering there
    assert "清水河西河段" in reach_b and f"/patrols/{long_ago.pk}/" in reach_b and "待巡" in reach_b
    assert (
        f"/patrols/?reach={world.reach_b.pk}" in reach_b and "钱乡长" in reach_b and "赵镇长" not in reach_b
    )
    assert f"/registry/water-bodies/{world.river.pk}/" in river_a


def test_delegate_workbench_counts_visits_due_under_their_rule(client, world, delegate):
    client.force_login(delegate)
    before = figures(client.get("/").content.decode())
    assert before["本周期还需巡河"] == ("1", "/patrols/app/")  # the default rule: once a month
    assert before["本周期未巡的河湖"] == ("2", "#my-water-bodies")

    visit(delegate, world.reach_a, timezone.now())
    page = client.get("/").content.decode()
    after = figures(page)

    assert after["本周期还需巡河"][0] == "0" and after["本周期未巡的河湖"][0] == "1"
    assert "人大代表/政协委员 · 每月 1 次" in page  # the rule they visit under


def test_every_number_on_the_delegate_workbench_links_to_the_list_that_holds_it(client, world, delegate):
    visit(delegate, world.reach_a, timezone.now())
    visit(delegate, world.reach_a, timezone.now(), valid=False)
    client.force_login(delegate)

    shown = figures(client.get("/").content.decode())

    links, link_url = shown["我联系的河湖"]
    assert links == "2"
    assert link_url == f"/registry/delegate-links/?delegate={delegate.pk}&current=true"
    assert client.get(link_url).context["page"].paginator.count == 2
    valid, patrols_url = shown["本周期有效巡河"]
    assert valid == "1" and "is_valid=true" in patrols_url
    assert client.get(patrols_url).context["page"].paginator.count == 1


def test_the_patrol_list_of_a_linked_water_body_holds_the_delegates_visits_there(client, world, delegate):
    on_a = visit(delegate, world.reach_a, timezone.now())
    on_b = visit(delegate, world.reach_b, timezone.now())
    client.force_login(delegate)

    of_river = client.get("/patrols/", {"water_body": world.river.pk}).context["page"]
    of_reach = client.get("/patrols/", {"reach": world.reach_b.pk})

    assert {p.pk for p in of_river} == {on_a.pk, on_b.pk}
    assert [p.pk for p in of_reach.context["page"]] == [on_b.pk]
    assert "河段：清水河西河段" in of_reach.content.decode()


def test_delegate_workbench_shows_their_reported_cases_open_and_closed(client, world, delegate):
    still_open = report(delegate)
    closed = report(delegate, lon=114.83, lat=37.18)
    Case.objects.filter(pk=closed.pk).update(state_id="closed")
    someone_elses = report(None)
    client.force_login(delegate)

    page = client.get("/").content.decode()
    shown = figures(page)

    assert shown["我反映的问题（未结）"] == ("1", "/cases/?queue=open&reported=me")
    assert shown["我反映的问题（已结）"] == ("1", "/cases/?queue=closed&reported=me")
    # The lists behind the numbers hold just those cases.
    assert [c.pk for c in client.get("/cases/?queue=open&reported=me").context["page"]] == [still_open.pk]
    assert [c.pk for c in client.get("/cases/?queue=closed&reported=me").context["page"]] == [closed.pk]
    mine = page.split('id="my-cases"')[1].split("</section>")[0]
    assert still_open.number in mine and closed.number in mine and someone_elses.number not in mine
    # Open cases on the water bodies they supervise, whoever reported them.
    on_my_water = page.split('id="open-cases"')[1].split("</section>")[0]
    assert still_open.number in on_my_water and someone_elses.number in on_my_water
    assert closed.number not in on_my_water


def test_a_delegate_without_links_is_told_how_to_get_them(client, world, django_user_model):
    eve = django_user_model.objects.create_user(username="eve", role="delegate", region=world.town_b)
    client.force_login(eve)

    page = client.get("/").content.decode()

    assert figures(page)["我联系的河湖"][0] == "0"
    assert "您还没有联系的河湖" in page


def test_chiefs_keep_the_patroller_workbench(client, world, delegate):
    client.force_login(world.chief_a)

    shown = figures(client.get("/").content.decode())

    assert "我的河段" in shown and "我联系的河湖" not in shown


def test_open_cases_are_those_on_the_linked_reach_not_elsewhere_on_the_river(
    client, world, django_user_model
):
    eve = django_user_model.objects.create_user(username="eve", role="delegate", region=world.county)
    DelegateLink.objects.create(
        delegate=eve, water_body=world.river, reach=world.reach_b, region=world.town_b
    )
    upstream = report(None)  # on 清水河东坝段
    here = report(None, lon=114.83, lat=37.18)  # on 清水河西河段
    assert (upstream.reach, here.reach) == (world.reach_a, world.reach_b)
    client.force_login(eve)

    page = client.get("/").content.decode()

    on_my_water = page.split('id="open-cases"')[1].split("</section>")[0]
    assert here.number in on_my_water and upstream.number not in on_my_water
    row = page.split('id="my-water-bodies"')[1].split("</section>")[0]
    assert '<a href="#open-cases">1</a>' in row


def test_a_patrol_elsewhere_on_the_river_is_no_visit_to_a_link_narrowed_to_one_township(
    client, world, delegate
):
    elsewhere = visit(delegate, world.reach_b, timezone.now())  # 西河乡, not the 东坝镇 of link_a
    client.force_login(delegate)

    page = client.get("/").content.decode()

    river_a, reach_b = page.split('id="my-water-bodies"')[1].split("</section>")[0].split("<tr>")[2:]
    assert "待巡" in river_a and "尚未巡河" in river_a and f"/patrols/{elsewhere.pk}/" not in river_a
    assert "已巡 1 次" in reach_b and f"/patrols/{elsewhere.pk}/" in reach_b
    assert figures(page)["本周期未巡的河湖"][0] == "1"


def test_a_link_narrowed_to_the_county_counts_visits_in_each_of_its_townships(world, django_user_model):
    eve = django_user_model.objects.create_user(username="eve", role="delegate", region=world.county)
    DelegateLink.objects.create(delegate=eve, water_body=world.river, region=world.county)
    visit(eve, world.reach_a, timezone.now() - datetime.timedelta(minutes=90))
    latest = visit(eve, world.reach_b, timezone.now())

    (row,) = workbench.delegate(eve)["links"]

    assert row.visits == 2 and row.last_visit == latest


def test_the_open_cases_of_the_linked_water_bodies_cost_as_many_queries_for_many_links_as_for_one(
    world, django_user_model
):
    eve = django_user_model.objects.create_user(username="eve", role="delegate", region=world.county)
    DelegateLink.objects.create(delegate=eve, water_body=world.river, region=world.town_a)
    visit(eve, world.reach_a, timezone.now())
    report(None)  # on 清水河东坝段
    report(None, lon=114.83, lat=37.18)  # on 清水河西河段
    workbench.delegate(eve)  # anything read once and kept is read before counting

    with CaptureQueriesContext(connection) as one_link:
        workbench.delegate(eve)
    for reach, region in ((world.reach_b, world.town_b), (None, world.town_b), (None, world.county)):
        DelegateLink.objects.create(delegate=eve, water_body=world.river, reach=reach, region=region)
    DelegateLink.objects.create(delegate=eve, water_body=world.pond_b, region=world.town_b)
    with CaptureQueriesContext(connection) as five_links:
        rows = workbench.delegate(eve)["links"]

    assert len(five_links) == len(one_link)
    counted = {(row.link.water_body, row.link.reach, row.link.region): row.open_cases for row in rows}
    assert counted == {
        (world.river, None, world.town_a): 1,
        (world.river, world.reach_b, world.town_b): 1,
        (world.river, None, world.town_b): 1,
        (world.river, None, world.county): 2,
        (world.pond_b, None, world.town_b): 0,
    }
