"""统计分析: figures for a region and period, drill-down to sub-regions, xlsx export, the page itself."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from hezhang.cases.intake import create_case
from hezhang.cases.models import CaseCategory
from hezhang.cases.workflow import perform
from hezhang.patrols.models import PatrolRule
from hezhang.patrols.recording import import_points
from hezhang.patrols.tests.conftest import walk
from hezhang.statistics.figures import case_figures, patrol_figures, trend

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(world):
    PatrolRule.objects.create(region=world.county, role="chief", period="month", require_checklist=False)
    import_points(world.chief_a, walk(world.reach_a.geometry["coordinates"], 0, 0.4, step_s=10))
    import_points(world.chief_a, walk(world.reach_a.geometry["coordinates"], 0, 0.01, step_s=10))  # a stroll
    category = CaseCategory.objects.get(region=None, code="water_pollution")
    a, _ = create_case(category=category, channel="public", lon=114.6, lat=37.12)
    b, _ = create_case(category=category, channel="hotline", lon=114.83, lat=37.18)
    perform(b, world.bob, "accept")
    return a, b


def test_patrol_figures_count_valid_patrols_and_rank_townships_by_patrol_rate(world, activity):
    today = timezone.localdate()
    figures = patrol_figures(world.county, today - datetime.timedelta(days=1), today)
    assert (figures["count"], figures["valid"]) == (2, 1)
    rows = {row.label: row.values for row in figures["by_region"]}
    assert rows["东坝镇"]["valid"] == 1 and rows["西河乡"]["count"] == 0
    assert rows["东坝镇"]["rank"] == 1 and figures["blank_spots"] == 1


def test_case_figures_break_down_by_channel_category_region_and_time_to_accept(world, activity):
    today = timezone.localdate()
    figures = case_figures(world.county, today, today)
    assert figures["count"] == 2 and figures["open"] == 2
    assert {row.key: row.values["count"] for row in figures["by_channel"]} == {"public": 1, "hotline": 1}
    assert {row.label: row.values["count"] for row in figures["by_region"]} == {"东坝镇": 1, "西河乡": 1}
    assert figures["hours_to_accept"] is not None and figures["hours_to_accept"] < 1
    township = case_figures(world.town_a, today, today)
    assert township["count"] == 1  # drill-down: the township's own


def test_the_trend_is_by_day_for_a_month_and_by_month_for_years(world, activity):
    today = timezone.localdate()
    days = trend(world.county, today - datetime.timedelta(days=20), today)
    assert days["unit"] == "day" and sum(days["reported"]) == 2 and sum(days["patrols"]) == 1
    assert trend(world.county, today - datetime.timedelta(days=800), today)["unit"] == "month"


def test_the_page_drills_down_and_exports_every_table_to_xlsx(client, world, activity):
    client.force_login(world.county_office)
    page = client.get("/statistics/").content.decode()
    assert "统计分析" in page and f"?region={world.town_a.pk}" in page and 'id="chart-trend"' in page
    response = client.get("/statistics/", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert {"概况", "巡河·下级行政区", "问题·来源", "趋势"} <= set(book.sheetnames)
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert overview["上报问题"] == 2 and overview["行政区"] == "临水县"


def test_a_township_office_cannot_look_at_the_other_township(client, world, activity):
    client.force_login(world.alice)
    page = client.get("/statistics/", {"region": world.town_b.pk}).content.decode()
    assert "东坝镇" in page and "临水县" not in page.split("<h1>")[1].split("</h1>")[0]
