import io

import pytest
from openpyxl import Workbook

from hezhang.monitoring.models import Evaluation, Reading, Sample
from hezhang.monitoring.sampling import record_sample
from hezhang.monitoring.tests.conftest import CLEAN, DIRTY, at


def test_the_overview_lists_sections_worst_first_with_their_class(wq, login):
    record_sample(wq.section_b, at(2), DIRTY)
    record_sample(wq.boundary, at(2), CLEAN)
    page = login(wq.county_office).get("/monitoring/").content.decode()
    assert page.index("西河断面") < page.index("东坝—西河交界断面")
    assert "劣V" in page
    assert "未达标" in page


def test_a_township_office_cannot_see_another_townships_section(wq, login):
    record_sample(wq.section_b, at(2), CLEAN)
    client = login(wq.alice)
    assert client.get(f"/monitoring/sections/{wq.section_b.pk}/").status_code == 404
    assert "西河断面" not in client.get("/monitoring/").content.decode()


def test_the_section_page_shows_the_latest_class_charts_and_history(wq, login):
    record_sample(wq.section_b, at(40), CLEAN)
    record_sample(wq.section_b, at(2), DIRTY)
    page = login(wq.bob).get(f"/monitoring/sections/{wq.section_b.pk}/").content.decode()
    assert 'id="chart-NH3N"' in page
    assert "劣V" in page
    assert "氨氮" in page
    assert page.count("<tr><td>20") >= 2  # two samples in the history table


def test_office_staff_enter_a_lab_sample_and_see_its_class(wq, login):
    client = login(wq.bob)
    response = client.post(
        "/monitoring/samples/new/",
        {
            "section": wq.section_b.pk,
            "taken_at": at(1).strftime("%Y-%m-%dT%H:%M"),
            "p_NH3N": "1.2",
            "p_TP": "<0.02",
        },
    )
    assert response.status_code == 302
    sample = Sample.objects.get()
    assert sample.water_class == 4
    assert sample.values["TP"] == 0.01
    assert sample.flags == {"TP": "<"}


def test_a_sample_with_a_bad_value_is_refused_on_the_form(wq, login):
    response = login(wq.bob).post(
        "/monitoring/samples/new/",
        {"section": wq.section_b.pk, "taken_at": at(1).strftime("%Y-%m-%dT%H:%M"), "p_NH3N": "lots"},
    )
    assert response.status_code == 400
    assert "不是数值" in response.content.decode()
    assert not Sample.objects.exists()


def test_a_chief_cannot_enter_monitoring_data(wq, login):
    response = login(wq.chief_b).get("/monitoring/samples/new/")
    assert response.status_code == 403


def xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "samples.xlsx"
    return data


def test_an_import_with_a_bad_row_imports_nothing_and_names_the_row_and_column(wq, login):
    upload = xlsx(
        [
            ["断面编码", "采样时间", "氨氮(mg/L)", "TP"],
            ["SEC-B-1", at(3).strftime("%Y-%m-%d %H:%M"), 0.5, 0.1],
            ["SEC-B-1", at(2).strftime("%Y-%m-%d %H:%M"), "abc", 0.1],
            ["NOPE", at(1).strftime("%Y-%m-%d %H:%M"), 0.5, 0.1],
        ]
    )
    response = login(wq.bob).post("/monitoring/import/", {"what": "samples", "file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "第 3 行: 氨氮(mg/L): “abc”不是数值" in page
    assert "第 4 行: 断面编码: 找不到断面“NOPE”" in page
    assert not Sample.objects.exists()


def test_a_good_import_stores_every_row_and_a_second_import_adds_nothing(wq, login):
    rows = [
        ["断面编码", "采样时间", "NH3N", "DO"],
        ["SEC-B-1", at(3).strftime("%Y-%m-%d %H:%M"), 0.5, 6.2],
        ["SEC-AB", at(3).strftime("%Y-%m-%d %H:%M"), 1.2, 5.5],
    ]
    client = login(wq.bob)
    first = client.post("/monitoring/import/", {"what": "samples", "file": xlsx(rows)})
    assert first.status_code == 200
    assert "新增 2 条" in first.content.decode()
    second = client.post("/monitoring/import/", {"what": "samples", "file": xlsx(rows)})
    assert "2 条与已有数据相同已跳过" in second.content.decode()
    assert Sample.objects.count() == 2
    assert Evaluation.objects.filter(period="month").count() == 2


def test_a_dry_run_import_writes_nothing(wq, login):
    rows = [["断面编码", "采样时间", "NH3N"], ["SEC-B-1", at(3).strftime("%Y-%m-%d %H:%M"), 0.5]]
    response = login(wq.bob).post(
        "/monitoring/import/", {"what": "samples", "file": xlsx(rows), "dry_run": "on"}
    )
    assert "试运行通过" in response.content.decode()
    assert not Sample.objects.exists()


def test_hydrological_readings_import_by_station_code(wq, login):
    rows = [["测站编码", "观测时间", "水位", "雨量"], ["HY-B-1", at(2).strftime("%Y-%m-%d %H:%M"), 11.2, 3.5]]
    response = login(wq.bob).post("/monitoring/import/", {"what": "readings", "file": xlsx(rows)})
    assert response.status_code == 200
    reading = Reading.objects.get()
    assert (reading.water_level, reading.rainfall) == (11.2, 3.5)


def test_the_station_page_charts_water_level_against_the_warning_level(wq, login):
    from hezhang.monitoring.stations import record_reading

    record_reading(wq.gauge, at(3), water_level=11.0, rainfall=1.0)
    record_reading(wq.gauge, at(2), water_level=12.8)
    page = login(wq.bob).get(f"/monitoring/stations/{wq.gauge.pk}/").content.decode()
    assert 'id="hydro-chart"' in page
    assert "12.5" in page
    assert "超过警戒水位" in page


def test_the_alert_page_links_the_case_and_records_an_acknowledgement(wq, login):
    record_sample(wq.section_b, at(2), DIRTY)
    from hezhang.monitoring.models import Alert

    alert = Alert.objects.get(kind="limit", parameter="NH3N")
    client = login(wq.bob)
    page = client.get(f"/monitoring/alerts/{alert.pk}/").content.decode()
    assert alert.case.number in page
    client.post(f"/monitoring/alerts/{alert.pk}/", {"note": "已通知环保所"})
    assert alert.events.filter(action="acknowledged", actor=wq.bob).exists()


def test_open_alerts_are_the_default_alert_list(wq, login):
    record_sample(wq.section_b, at(3), DIRTY)
    record_sample(wq.section_b, at(2), CLEAN)
    page = login(wq.bob).get("/monitoring/alerts/").content.decode()
    assert "没有预警" in page


def test_office_staff_add_an_alert_rule_for_their_region(wq, login):
    from hezhang.monitoring.models import AlertRule

    client = login(wq.bob)
    response = client.post(
        "/monitoring/rules/new/",
        {
            "name": "西河总磷超0.3",
            "kind": "limit",
            "region": wq.town_b.pk,
            "parameter": "TP",
            "threshold": "0.3",
            "months": 3,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert AlertRule.objects.get(name="西河总磷超0.3").region == wq.town_b


@pytest.mark.parametrize("platform_rule", ["氨氮超过V类标准"])
def test_a_township_office_cannot_change_a_platform_wide_rule(wq, login, platform_rule):
    from hezhang.monitoring.models import AlertRule

    rule = AlertRule.objects.get(name=platform_rule)
    assert login(wq.bob).get(f"/monitoring/rules/{rule.pk}/").status_code == 403


def test_a_lake_section_shows_its_trophic_level_index(wq, login):
    wq.section_b.water_body = wq.pond_b
    wq.section_b.save()
    record_sample(wq.section_b, at(2), {"chla": 20.0, "TP": 0.1, "TN": 1.5, "SD": 0.6, "CODMn": 6.0})
    page = login(wq.bob).get(f"/monitoring/sections/{wq.section_b.pk}/").content.decode()
    assert 'id="trophic"' in page
    assert "富营养" in page


def test_a_sample_taken_for_black_odorous_grading_shows_its_grade(wq, login):
    record_sample(wq.section_b, at(2), {"SD": 0.08, "DO": 0.1, "ORP": -250.0, "NH3N": 16.0})
    page = login(wq.bob).get(f"/monitoring/sections/{wq.section_b.pk}/").content.decode()
    assert 'id="black-odorous"' in page
    assert "重度黑臭" in page


def test_office_staff_register_an_automatic_station_whose_frames_are_then_accepted(wq, login):
    from hezhang.monitoring.models import Station
    from hezhang.monitoring.receiving import receive
    from hezhang.monitoring.tests.test_receiving import hourly

    client = login(wq.bob)
    form = {
        "code": "ST-B-2",
        "name": "西河二号站",
        "kind": "water_quality",
        "region": wq.town_b.pk,
        "section": wq.section_b.pk,
        "mn": "88888880000002",
        "lon": "114.84",
        "lat": "37.18",
        "active": "on",
    }
    refused = client.post("/monitoring/stations/new/", form)
    assert refused.status_code == 400 and "请设置访问密码" in refused.content.decode()
    assert client.post("/monitoring/stations/new/", form | {"password": "s3cret"}).status_code == 302
    station = Station.objects.get(code="ST-B-2")
    assert station.password_hash and "s3cret" not in station.password_hash
    assert receive("peer", hourly({"w21003": {"Avg": 0.4}}, mn="88888880000002", pw="s3cret"))["ok"]


def test_a_chief_cannot_register_stations(wq, login):
    assert login(wq.chief_b).get("/monitoring/stations/new/").status_code == 403


def test_the_section_page_names_the_status_and_the_exceedance_multiple_of_each_main_pollutant(wq, login):
    record_sample(wq.section_b, at(2), {**CLEAN, "NH3N": 2.6})
    page = login(wq.bob).get(f"/monitoring/sections/{wq.section_b.pk}/").content.decode()
    assert "重度污染" in page
    assert "氨氮（超标 1.60 倍）" in page  # (2.6 - 1.0) / 1.0
