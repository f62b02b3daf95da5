"""Monitoring in a real browser: a lab sample entered by hand turning a section worse than V (alert, case), an
HJ 212 station streaming over HTTP, the overview worst first, an import with a bad row, a gauge above its
warning level, and the alert rules. Every page is photographed for a person to look at."""

import datetime
import json
import urllib.request

import pytest
from django.utils import timezone
from openpyxl import Workbook

from hezhang.cases.models import Case
from hezhang.monitoring.hj212.simulate import simulate
from hezhang.monitoring.models import Alert, AlertRule, Reading, Sample
from hezhang.monitoring.sampling import record_sample
from hezhang.monitoring.stations import record_reading
from hezhang.monitoring.tests import conftest as monitoring_fixtures
from hezhang.monitoring.tests.conftest import CLEAN, DIRTY, at
from hezhang.registry import models as m
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser

# The monitoring tests' world: 西河断面 on its reach with an automatic station, the gauge 西河水文站 (warning
# level 12.5 m, guarantee level 13.8 m) and the boundary section 东坝—西河交界断面.
wq = monitoring_fixtures.wq

STATION_PASSWORD = "123456"


def row_texts(page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(f"{selector} tbody tr").all_inner_texts()]


def charts_drawn(page) -> None:
    """Wait until ECharts has finished drawing (and animating) every chart of the page."""
    page.wait_for_selector("body[data-charts-ready='1']")


def value_axis(page, node_id: str, index: int = 0) -> list[float]:
    """The [min, max] ECharts chose for a chart's value axis."""
    return page.evaluate(
        """([id, index]) => echarts.getInstanceByDom(document.getElementById(id)).getModel()
            .getComponent("yAxis", index).axis.scale.getExtent()""",
        [node_id, index],
    )


def test_office_staff_enter_a_lab_sample_and_see_the_section_turn_worse_than_v_with_an_alert_and_a_case(
    page, wq
):
    log_in(page, "bob")
    page.goto(page.base + "/monitoring/samples/new/")
    page.select_option("select[name=section]", str(wq.section_b.pk))
    page.fill("input[name=taken_at]", at(1).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=note]", "乡环保所送检")

    # A mistyped value first: the form comes back with the error beside the field and nothing is stored.
    page.fill("input[name=p_NH3N]", "2,6mg")
    page.fill("input[name=p_DO]", "3.5")
    page.click("#sample-form button.primary")
    page.wait_for_selector("#sample-form .error")
    assert "不是数值" in page.inner_text("#sample-form")
    assert page.input_value("input[name=p_DO]") == "3.5"
    shot(page, "monitoring-sample-form-errors")
    assert not Sample.objects.exists()

    for key, value in {
        "NH3N": "2.6",
        "pH": "7.6",
        "CODMn": "3.5",
        "COD": "14",
        "BOD5": "2.5",
        "TP": "0.08",
    }.items():
        page.fill(f"input[name=p_{key}]", value)
    page.click("#sample-form button.primary")
    page.wait_for_url(f"{page.base}/monitoring/sections/{wq.section_b.pk}/")

    sample = Sample.objects.get()
    assert sample.values["NH3N"] == 2.6 and sample.water_class == 6
    assert "劣V" in page.inner_text("#latest-class")
    assert "水质类别 劣V" in page.inner_text(".messages")
    page.wait_for_selector("#chart-NH3N canvas")
    page.wait_for_selector("#chart-DO canvas")
    charts_drawn(page)
    low, high = value_axis(page, "chart-TP")  # one value, 0.08, far under the class III limit
    assert low <= 0.08 and high >= 0.2
    assert "dimensionless" not in page.inner_text("#charts")
    alert = Alert.objects.get(kind="limit", parameter="NH3N")
    assert alert.case is not None
    alerts_card = page.locator("section.card", has_text="预警").first.inner_text()
    assert "西河断面氨氮为 2.6" in alerts_card
    assert "未解除" in alerts_card
    shot(page, "monitoring-section")

    page.click(f"a[href='/monitoring/alerts/{alert.pk}/']")
    page.wait_for_selector("#alert-case")
    assert "西河断面氨氮为 2.6" in page.inner_text("#alert-message")
    assert "生成案件" in page.inner_text("#alert-events") or alert.case.number in page.inner_text("main")
    shot(page, "monitoring-alert")

    page.click("#alert-case")
    page.wait_for_url(f"{page.base}/cases/{alert.case.number}/")
    facts = page.inner_text("dl.facts")
    assert "监测预警" in facts
    assert Case.objects.get(number=alert.case.number).channel == "sensor"


def test_an_hj212_station_streaming_over_http_shows_on_the_station_and_section_pages(page, wq, live_server):
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=13)
    frames = simulate(wq.station.mn, STATION_PASSWORD, start=start, count=12, exceed="NH3N")
    request = urllib.request.Request(
        live_server.url + "/api/v1/monitoring/hj212/",
        data=b"".join(frames),
        headers={"Content-Type": "text/plain"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        answer = json.loads(response.read())
    assert len(answer["frames"]) == 12
    assert all(f["ok"] and f["stored"] and f["reply"].startswith("##") for f in answer["frames"])
    assert Sample.objects.filter(station=wq.station, interval="hour").count() == 12
    assert Alert.objects.filter(parameter="NH3N", station=wq.station).exists()

    log_in(page, "bob")
    page.goto(f"{page.base}/monitoring/stations/{wq.station.pk}/")
    rows = row_texts(page, "#station-samples")
    assert len(rows) == 12
    assert all("小时" in row for row in rows)
    assert "88888880000001" in page.inner_text(".kpis")
    assert "劣V" in page.inner_text("#station-samples")
    assert "氨氮" in page.inner_text("main")
    shot(page, "monitoring-station-water-quality")

    page.click(".kpis a.kpi")  # the station's section
    page.wait_for_url(f"{page.base}/monitoring/sections/{wq.section_b.pk}/")
    for key in ("NH3N", "DO", "pH", "TP", "CODMn"):
        page.wait_for_selector(f"#chart-{key} canvas")
    charts_drawn(page)
    # The limit lines of class III are on the charts even where every value is well within them.
    low, high = value_axis(page, "chart-TP")
    assert high >= 0.2
    low, high = value_axis(page, "chart-DO")
    assert low <= 5
    assert "西河水质自动站" in page.inner_text("main")
    assert len(row_texts(page, "#history")) == 12
    shot(page, "monitoring-section-automatic")


def test_the_overview_shows_sections_by_class_worst_first(page, wq):
    canal = m.Section.objects.create(
        code="SEC-B-2",
        name="北渠断面",
        water_body=wq.river,
        region=wq.town_b,
        target_class=4,
        geometry={"type": "Point", "coordinates": [114.88, 37.19]},
    )
    record_sample(wq.boundary, at(3), CLEAN)
    record_sample(wq.section_b, at(3), DIRTY)
    record_sample(canal, at(3), {**CLEAN, "NH3N": 1.2})

    log_in(page, "bob")
    page.goto(page.base + "/monitoring/")
    names = [row.split("\n")[0].strip() for row in row_texts(page, "#sections")]
    assert names == ["西河断面", "北渠断面", "东坝—西河交界断面"]
    table = page.inner_text("#sections")
    assert "劣V" in table and "IV" in table and "II" in table
    assert "未达标" in table and "达标" in table
    bars = page.inner_text("#class-bars")
    for name in ("I", "II", "III", "IV", "V", "劣V"):
        assert name in bars
    assert "3/3" in page.inner_text(".kpis")
    shot(page, "monitoring-overview")

    page.click("nav.kindnav >> text=水质数据")
    page.wait_for_url(page.base + "/monitoring/samples/")
    assert len(row_texts(page, "#samples")) == 3
    shot(page, "monitoring-samples")


def test_the_import_page_reports_row_errors_in_the_browser(page, wq, tmp_path):
    book = Workbook()
    sheet = book.active
    for row in [
        ["断面编码", "采样时间", "氨氮(mg/L)", "TP", "溶解氧"],
        ["SEC-B-1", at(3).strftime("%Y-%m-%d %H:%M"), 0.5, 0.1, 6.8],
        ["SEC-B-1", at(2).strftime("%Y-%m-%d %H:%M"), "abc", 0.1, 6.5],
        ["NOPE", at(1).strftime("%Y-%m-%d %H:%M"), 0.5, 0.1, 6.1],
    ]:
        sheet.append(row)
    path = tmp_path / "水质.xlsx"
    book.save(path)

    log_in(page, "bob")
    page.goto(page.base + "/monitoring/import/")
    page.select_option("select[name=what]", "samples")
    page.set_input_files("input[name=file]", str(path))
    assert page.is_checked("input[name=dry_run]")  # a dry run unless asked otherwise
    page.uncheck("input[name=dry_run]")
    page.click("#import-form button.primary")
    page.wait_for_selector("#import-problems")
    problems = page.inner_text("#import-problems")
    assert "第 3 行: 氨氮(mg/L): “abc”不是数值" in problems
    assert "第 4 行: 断面编码: 找不到断面“NOPE”" in problems
    assert "第 2 行" not in problems
    assert "没有写入任何数据" in page.inner_text("#import-summary")
    assert not Sample.objects.exists()  # not even the good row 2
    assert not page.is_checked("input[name=dry_run]")
    shot(page, "monitoring-import-errors")


def test_a_gauge_above_its_warning_level_shows_on_its_chart_the_readings_and_the_alerts(page, wq):
    base = at(1.5)
    for hours, level, flow, rain in [
        (30, 11.2, 85.0, 0.0),
        (24, 11.4, 92.0, 4.5),
        (18, 11.9, 120.0, 12.0),
        (12, 12.3, 160.0, 8.0),
        (6, 12.1, 150.0, 1.5),
    ]:
        record_reading(
            wq.gauge, base - datetime.timedelta(hours=hours), water_level=level, flow=flow, rainfall=rain
        )

    log_in(page, "bob")
    page.goto(page.base + "/monitoring/stations/")
    stations = page.inner_text("#stations")
    assert "西河水文站" in stations and "西河水质自动站" in stations
    shot(page, "monitoring-stations")

    # The newest reading, above the warning level, entered in the browser.
    page.goto(f"{page.base}/monitoring/stations/{wq.gauge.pk}/")
    page.click("text=录入水雨情")
    page.wait_for_selector("#reading-form")
    assert page.input_value("select[name=station]") == str(wq.gauge.pk)
    # A time tomorrow first (the browser itself refuses a negative rainfall: the field has min="0").
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page.fill("input[name=observed_at]", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=water_level]", "12.9")
    page.fill("input[name=flow]", "210")
    page.fill("input[name=rainfall]", "22")
    assert page.get_attribute("input[name=rainfall]", "min") == "0"
    page.click("#reading-form button.primary")
    page.wait_for_selector("#reading-form .error")
    assert "观测时间不能晚于当前时间" in page.inner_text("#reading-form")
    shot(page, "monitoring-reading-form-errors")
    page.fill("input[name=observed_at]", base.strftime("%Y-%m-%dT%H:%M"))
    page.click("#reading-form button.primary")
    page.wait_for_url(f"{page.base}/monitoring/stations/{wq.gauge.pk}/")

    assert Reading.objects.filter(station=wq.gauge).count() == 6
    page.wait_for_selector("#hydro-chart canvas")
    charts_drawn(page)
    low, high = value_axis(page, "hydro-chart")
    assert low <= 11.2 and high >= 13.8  # the guarantee level is on the chart too
    assert "12.5" in page.inner_text(".kpis") and "13.8" in page.inner_text(".kpis")
    assert len(row_texts(page, "#readings")) == 6
    alert = Alert.objects.get(kind="water_level", station=wq.gauge)
    assert "超过警戒水位 12.5 米" in page.inner_text("main")
    assert alert.case is not None
    shot(page, "monitoring-station-hydrology")

    page.click("nav.kindnav >> text=水雨情")
    page.wait_for_url(page.base + "/monitoring/readings/")
    assert len(row_texts(page, "#readings")) == 6
    shot(page, "monitoring-readings")

    page.click("nav.kindnav >> text=预警")
    page.wait_for_url(page.base + "/monitoring/alerts/")
    alerts = page.inner_text("#alerts")
    assert "西河水文站水位 12.9 米，超过警戒水位 12.5 米" in alerts
    assert alert.case.number in alerts
    shot(page, "monitoring-alerts")


def test_office_staff_read_the_platform_rules_and_add_one_for_their_township(page, wq):
    log_in(page, "bob")
    page.goto(page.base + "/monitoring/rules/")
    rules = page.inner_text("#rules")
    assert "氨氮超过V类标准" in rules and "全平台" in rules
    # Platform-wide rules are the admins' to change: no link for a township office to a page that refuses it.
    assert page.locator("#rules a").count() == 0
    shot(page, "monitoring-rules")

    page.click("text=新增规则")
    page.wait_for_selector("#rule-form")
    page.fill("input[name=name]", "西河总磷超0.3")
    page.select_option("select[name=kind]", "limit")
    page.select_option("select[name=region]", str(wq.town_b.pk))
    page.fill("input[name=threshold]", "0.3")
    page.click("#rule-form button.primary")
    page.wait_for_selector("#rule-form .error")
    assert "超限、突变规则需要选择监测项目" in page.inner_text("#rule-form")
    shot(page, "monitoring-rule-form-errors")

    page.select_option("select[name=parameter]", "TP")
    page.click("#rule-form button.primary")
    page.wait_for_url(page.base + "/monitoring/rules/")
    assert "西河总磷超0.3" in page.inner_text("#rules")
    assert page.locator("#rules a", has_text="西河总磷超0.3").count() == 1
    assert AlertRule.objects.get(name="西河总磷超0.3").region == wq.town_b
