"""The English interface: states and categories (data with their own English), plural model names, 督办 as a step
and as a flag, and the texts of the public report page's script."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from hezhang.cases.filters import QUEUES
from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory, CaseState
from hezhang.cases.workflow import ACTIONS, perform, refusal

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def case_b(world, pollution):
    """A hotline case in 西河乡, without photos: these tests are about words."""
    case, _ = create_case(
        category=pollution, channel="hotline", lon=114.83, lat=37.18, description="河面有油污"
    )
    return case


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_every_seeded_state_and_category_has_an_english_name(db):
    assert not CaseState.objects.filter(label_en="").exists()
    assert not CaseCategory.objects.filter(region=None, name_en="").exists()


def test_case_states_show_english_labels_when_english_is_chosen(world, english, case_b):
    english.force_login(world.bob)
    detail = english.get(reverse("cases:detail", kwargs={"number": case_b.number})).content.decode()
    assert "Awaiting acceptance" in detail and "待受理" not in detail
    assert "<dd>Water pollution</dd>" in detail  # the title stays as reported: 水体污染
    dispatch = english.get(reverse("cases:dispatch"), {"queue": "open"}).content.decode()
    # The filters' choices as well as the rows.
    assert '<option value="in_progress">In progress</option>' in dispatch
    assert ">Water pollution</option>" in dispatch
    public = english.get(reverse("public-cases:case", args=[case_b.number])).content.decode()
    assert "<h1>Water pollution</h1>" in public and "Awaiting acceptance" in public


def test_case_states_stay_chinese_in_the_chinese_interface(world, login, case_b):
    html = login(world.bob).get(reverse("cases:detail", kwargs={"number": case_b.number})).content.decode()
    assert "待受理" in html and "水体污染" in html and "Awaiting acceptance" not in html


def test_a_category_without_an_english_name_falls_back_to_chinese(world):
    own = CaseCategory.objects.create(region=world.town_b, code="ice_fishing", name="冰钓")
    named = CaseCategory.objects.create(
        region=world.town_b, code="ice_hole", name="冰窟窿", name_en="Ice hole"
    )
    with translation.override("en"):
        assert own.display_name == str(own) == "冰钓"
        assert named.display_name == str(named) == "Ice hole"
    with translation.override("zh-hans"):
        assert named.display_name == "冰窟窿"


def test_office_staff_give_their_category_an_english_name(world, login):
    data = {
        "region": world.town_b.pk,
        "code": "ice_fishing",
        "name": "冰钓",
        "name_en": "Ice fishing",
        "deadline_days": 3,
        "urgent_deadline_days": 1,
        "public": "on",
    }
    assert login(world.bob).post(reverse("cases:categories"), data).status_code == 302
    assert CaseCategory.objects.get(code="ice_fishing").name_en == "Ice fishing"


def test_the_api_gives_labels_in_the_language_asked_for(world, case_b):
    api = APIClient()
    api.force_authenticate(world.bob)
    row = api.get("/api/v1/cases/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert row["state"]["label"] == "Awaiting acceptance" and row["state"]["code"] == "reported"
    assert row["category"]["name"] == "Water pollution" and row["category"]["code"] == "water_pollution"
    chinese = api.get("/api/v1/cases/").json()["results"][0]
    assert chinese["state"]["label"] == "待受理" and chinese["category"]["name"] == "水体污染"


def test_a_refused_step_names_the_state_in_english(world, case_b):
    with translation.override("en"):
        assert "Awaiting acceptance" in refusal(case_b, world.bob, "close")


def test_supervise_is_a_step_and_supervised_a_flag(world, english, case_b):
    with translation.override("en"):
        assert str(ACTIONS["supervise"].label) == "Supervise"
        assert str(QUEUES["supervised"]) == "Supervised"
    perform(case_b, world.bob, "accept")
    perform(case_b, world.county_office, "supervise", note="县河长办督办")
    english.force_login(world.county_office)
    html = english.get(reverse("cases:detail", kwargs={"number": case_b.number})).content.decode()
    assert '<span class="tag red big">Supervised</span>' in html
    assert "<b>Supervise</b>" in html  # the step in the timeline


def test_admin_menu_uses_plural_english_names(world, english):
    english.force_login(world.admin)
    html = english.get(reverse("admin:index")).content.decode()
    for plural in ("Reaches", "Water bodies", "Regions", "Users", "Background jobs", "In-app notifications"):
        assert f">{plural}</a>" in html, plural
    assert ">Reach</a>" not in html


def test_registry_lists_are_titled_in_the_plural(world, english):
    english.force_login(world.admin)
    html = english.get(reverse("registry:list", args=["reaches"])).content.decode()
    assert "<h1>Reaches <small" in html


def test_report_page_script_texts_are_translated(db, english):
    html = english.get(reverse("public-cases:report")).content.decode()
    assert 'data-text-submitting="Submitting…"' in html
    assert 'data-text-located="Located"' in html
    assert 'data-text-point="{how} ({lat}, {lon})"' in html
    assert 'data-text-nearby-case="{number} · {category} · {state} · about {distance} m"' in html
    assert "Water pollution" in html  # the categories to choose from
    script = (Path(settings.BASE_DIR) / "static" / "hezhang" / "report.js").read_text(encoding="utf-8")
    body = script.split("*/", 1)[1]  # the opening comment may name the page in Chinese
    assert not re.search(r"[\u4e00-\u9fff]", body), "report.js should take its words from the template"


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]  # after the header
    live = [e for e in entries if e.strip() and not e.lstrip().startswith("#~")]
    assert not [e for e in live if "#, fuzzy" in e]
    assert not [e for e in live if any(text == "" for text in _msgstrs(e))]


def _msgstrs(entry: str) -> list[str]:
    """The translations of one entry (several for a plural one), each joined from its quoted lines."""
    texts: list[str] = []
    for line in entry.splitlines():
        if line.startswith("msgstr"):
            texts.append(line.split(" ", 1)[1].strip('"'))
        elif line.startswith('"') and texts:
            texts[-1] += line.strip('"')
    return texts
