"""The workbench of each role: what to act on first, every number a link to the list behind it."""

import datetime
import re

import pytest
from django.utils import timezone

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory

pytestmark = pytest.mark.django_db


def figures(html: str) -> dict[str, tuple[str, str]]:
    """label -> (value, link) of every number on the page."""
    found = re.findall(r'<a class="kpi[^"]*" href="([^"]+)"><b>([^<]*)</b><span>([^<]*)</span>', html)
    return {label: (value, href) for href, value, label in found}


def report(lon=114.6, lat=37.12):
    category = CaseCategory.objects.get(region=None, code="water_pollution")
    return create_case(category=category, channel="public", lon=lon, lat=lat)[0]


def test_a_township_office_sees_its_queues_and_this_months_figures(client, world):
    report()
    report(lon=114.83, lat=37.18)  # the other township's
    client.force_login(world.alice)
    shown = figures(client.get("/").content.decode())
    assert shown["待受理"] == ("1", "/cases/?queue=new")
    assert shown["本月上报问题"][0] == "1" and shown["已超期"][0] == "0"
    assert shown["巡河空白点"] == ("1", "/patrols/blank-spots/?period=month")
    assert shown["本月巡河率"][1] == "/patrols/rates/?period=month"


def test_a_chief_sees_their_reaches_patrols_due_and_cases(client, world):
    case = report()
    case.handler = world.chief_a
    case.deadline = timezone.now() - datetime.timedelta(hours=1)
    case.save()
    client.force_login(world.chief_a)
    html = client.get("/").content.decode()
    shown = figures(html)
    assert shown["我的河段"][0] == "1"
    assert shown["本周期还需巡河"] == ("1", "/patrols/app/")
    assert shown["待我处理的问题"] == ("1", "/cases/mine/")
    assert "每旬" in html  # the rule they patrol under


def test_a_department_sees_its_cases_by_deadline(client, world, django_user_model):
    from hezhang.cases.workflow import perform

    case = report(lon=114.83, lat=37.18)
    staff = django_user_model.objects.create_user(
        username="dana",
        password="x-pass-12345",
        role="department",
        region=world.town_b,
        department=world.dept_b,
    )
    perform(case, world.bob, "accept")
    perform(
        case,
        world.bob,
        "assign",
        department=world.dept_b,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )
    client.force_login(staff)
    html = client.get("/").content.decode()
    shown = figures(html)
    assert shown["本部门待办问题"][0] == "1" and shown["三天内到期"][0] == "1"
    assert case.number in html
