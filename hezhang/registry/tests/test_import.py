"""Importing registry records from xlsx, CSV, GeoJSON and zipped Shapefiles: all or nothing, row by row reasons."""

import csv
import datetime
import io
import json
import zipfile

import openpyxl
import pytest
import shapefile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.urls import reverse
from pyproj import CRS, Transformer

from hezhang.accounts.models import User
from hezhang.geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from hezhang.history.models import Change
from hezhang.registry import models as m
from hezhang.registry.importing import run_import
from hezhang.registry.kinds import KINDS

REACH_HEADERS = ["所属水体", "名称", "河段编码", "所在行政区", "几何(GeoJSON)"]
LINE_A = '{"type": "LineString", "coordinates": [[114.56, 37.05], [114.6, 37.08]]}'


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def do_import(slug, name, content, user=None, dry_run=False):
    return run_import(KINDS[slug], name, content, user, dry_run=dry_run)


def lines(result) -> list[str]:
    return [str(p) for p in result.problems]


def shapefile_zip(shape_type, fields, features, prj=None, cpg=None, encoding="utf-8", stem="data") -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shape_type, encoding=encoding)
    for name, kind, size in fields:
        writer.field(name, kind, size)
    for geometry, record in features:
        if shape_type == shapefile.POLYLINE:
            writer.line([geometry])
        else:
            writer.point(*geometry)
        writer.record(*record)
    writer.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{stem}/{stem}.shp", shp.getvalue())
        archive.writestr(f"{stem}/{stem}.shx", shx.getvalue())
        archive.writestr(f"{stem}/{stem}.dbf", dbf.getvalue())
        if prj:
            archive.writestr(f"{stem}/{stem}.prj", prj)
        if cpg:
            archive.writestr(f"{stem}/{stem}.cpg", cpg)
    return buffer.getvalue()


WGS84_PRJ = CRS.from_epsg(4326).to_wkt("WKT1_ESRI")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Files waiting for a confirmed import go to the data directory: a temporary one here."""
    settings.DATA_DIR = tmp_path


# Formats --------------------------------------------------------------------------------------------------------


def test_xlsx_import_creates_reaches_with_geometry_for_a_township_office(world):
    content = xlsx(
        [REACH_HEADERS, ["ABA10000000L", "清水河柳庄段", "ABA10000000L-003", "130523100000", LINE_A]]
    )

    result = do_import("reaches", "河段.xlsx", content, world.alice)

    assert result.ok, lines(result)
    assert (result.created, result.updated) == (1, 0)
    reach = m.Reach.objects.get(code="ABA10000000L-003")
    assert reach.name == "清水河柳庄段" and reach.region == world.town_a and reach.water_body == world.river
    assert reach.geometry["type"] == "LineString" and reach.length_m > 4000


def test_gbk_csv_imports_chinese_names(world):
    content = csv_bytes(
        [["行政区", "名称", "类别", "联系电话"], ["130523100000", "东坝镇水利站", "水利(水务)", "0319-1"]],
        "gbk",
    )

    result = do_import("departments", "部门.csv", content, world.alice)

    assert result.ok, lines(result)
    assert "文本编码：GBK" in result.notes
    department = m.Department.objects.get(name="东坝镇水利站")
    assert department.region == world.town_a and department.kind == "water"


def test_utf8_csv_with_a_bom_and_english_headers_imports(world):
    rows = [["region", "name", "kind", "phone"], ["130523100000", "东坝镇环保站", "ecology", ""]]
    content = b"\xef\xbb\xbf" + csv_bytes(rows)

    result = do_import("departments", "departments.csv", content, world.alice)

    assert result.ok, lines(result)
    assert m.Department.objects.get(name="东坝镇环保站").kind == "ecology"


def test_shapefile_zip_imports_reaches_with_geometry(world):
    fields = [
        ("water_body", "C", 30),
        ("name", "C", 100),
        ("code", "C", 40),
        ("region", "C", 12),
        ("start_desc", "C", 100),
    ]
    features = [
        (
            [[114.56, 37.05], [114.6, 37.08]],
            ["ABA10000000L", "清水河一段", "ABA10000000L-010", "130523100000", "柳庄桥"],
        ),
        (
            [[114.6, 37.08], [114.65, 37.1]],
            ["ABA10000000L", "清水河二段", "ABA10000000L-011", "130523100000", ""],
        ),
    ]
    content = shapefile_zip(shapefile.POLYLINE, fields, features, prj=WGS84_PRJ, cpg="UTF-8")

    result = do_import("reaches", "reaches.zip", content, world.alice)

    assert result.ok, lines(result)
    assert result.created == 2
    first = m.Reach.objects.get(code="ABA10000000L-010")
    assert first.name == "清水河一段" and first.start_description == "柳庄桥"
    assert first.geometry == {"type": "LineString", "coordinates": [[114.56, 37.05], [114.6, 37.08]]}


def test_projected_shapefile_without_cpg_is_read_as_gbk_and_transformed_to_wgs84(world):
    gauss_kruger = CRS.from_epsg(4547)  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
    forward = Transformer.from_crs(CRS.from_epsg(4490), gauss_kruger, always_xy=True)
    line = [list(forward.transform(lon, lat)) for lon, lat in [(114.56, 37.05), (114.6, 37.08)]]
    fields = [("所属水体", "C", 30), ("名称", "C", 100), ("河段编码", "C", 40), ("所在行政区", "C", 12)]
    content = shapefile_zip(
        shapefile.POLYLINE,
        fields,
        [(line, ["ABA10000000L", "清水河投影段", "ABA10000000L-020", "130523100000"])],
        prj=gauss_kruger.to_wkt("WKT1_ESRI"),
        encoding="gbk",
    )

    result = do_import("reaches", "投影.zip", content, world.alice)

    assert result.ok, lines(result)
    assert "DBF 文本编码：GBK" in result.notes
    reach = m.Reach.objects.get(code="ABA10000000L-020")
    assert reach.name == "清水河投影段"
    (lon0, lat0), (lon1, lat1) = reach.geometry["coordinates"]
    assert abs(lon0 - 114.56) < 1e-6 and abs(lat0 - 37.05) < 1e-6 and abs(lon1 - 114.6) < 1e-6


def test_geojson_imports_points_from_the_feature_geometry(world):
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [114.6, 37.1]},
                "properties": {
                    "code": "OUT-A-1",
                    "name": "东坝排口",
                    "kind": "rain",
                    "water_body": "ABA10000000L",
                    "region": "130523100000",
                },
            }
        ],
    }

    result = do_import("outfalls", "outfalls.geojson", json.dumps(body).encode(), world.alice)

    assert result.ok, lines(result)
    outfall = m.Outfall.objects.get(code="OUT-A-1")
    assert outfall.geometry == {"type": "Point", "coordinates": [114.6, 37.1]} and outfall.kind == "rain"


def test_geojson_with_a_projected_crs_is_transformed_to_wgs84(world):
    forward = Transformer.from_crs(CRS.from_epsg(4490), CRS.from_epsg(4547), always_xy=True)
    x, y = forward.transform(114.6, 37.1)
    body = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [x, y]},
                "properties": {
                    "编码": "SB-A-1",
                    "名称": "东坝公示牌",
                    "河段": "ABA10000000L-001",
                    "所在行政区": "130523100000",
                },
            }
        ],
    }

    result = do_import(
        "signboards", "公示牌.geojson", json.dumps(body, ensure_ascii=False).encode(), world.alice
    )

    assert result.ok, lines(result)
    lon, lat = m.Signboard.objects.get(code="SB-A-1").geometry["coordinates"]
    assert abs(lon - 114.6) < 1e-6 and abs(lat - 37.1) < 1e-6


def test_point_coordinates_in_gcj02_are_converted_to_wgs84(world):
    lon, lat = wgs84_to_gcj02(114.6, 37.1)
    content = xlsx(
        [
            ["编码", "名称", "类型", "所在行政区", "经度", "纬度", "坐标系"],
            ["AS-A-9", "东坝闸", "闸站", "130523100000", lon, lat, "gcj02"],
        ]
    )

    result = do_import("assets", "assets.xlsx", content, world.alice)

    assert result.ok, lines(result)
    stored = m.Asset.objects.get(code="AS-A-9").geometry["coordinates"]
    expected = gcj02_to_wgs84(lon, lat)
    assert abs(stored[0] - expected[0]) < 1e-7 and abs(stored[1] - expected[1]) < 1e-7
    assert abs(stored[0] - 114.6) < 1e-6


def test_wkt_geometry_is_accepted_in_the_geometry_column(world):
    content = xlsx(
        [
            REACH_HEADERS,
            [
                "ABA10000000L",
                "WKT 段",
                "ABA10000000L-030",
                "130523100000",
                "LINESTRING (114.56 37.05, 114.6 37.08)",
            ],
        ]
    )

    result = do_import("reaches", "wkt.xlsx", content, world.alice)

    assert result.ok, lines(result)
    assert m.Reach.objects.get(code="ABA10000000L-030").geometry["coordinates"][1] == [114.6, 37.08]


def test_codes_typed_as_numbers_in_excel_are_read_as_text(world):
    content = xlsx([["区划代码", "名称", "级别", "上级行政区"], [130523100002, "杨庄村", "村", 130523100000]])

    result = do_import("regions", "村.xlsx", content, world.admin)

    assert result.ok, lines(result)
    assert m.Region.objects.get(code="130523100002").parent == world.town_a


def test_unknown_file_types_are_refused_with_a_clear_reason(world):
    assert lines(do_import("reaches", "河段.pdf", b"%PDF-1.4", world.alice)) == [
        "不支持的文件类型“.pdf”：请使用 Excel (.xlsx)、CSV、GeoJSON 或 zip 压缩的 Shapefile"
    ]
    assert "另存为" in lines(do_import("reaches", "河段.xls", b"\xd0\xcf\x11\xe0", world.alice))[0]


# All or nothing -------------------------------------------------------------------------------------------------


def test_a_file_with_one_bad_row_writes_nothing_and_reports_the_row(world):
    content = xlsx(
        [
            REACH_HEADERS,
            ["ABA10000000L", "一段", "ABA10000000L-101", "130523100000", LINE_A],
            ["NOPE", "二段", "ABA10000000L-102", "130523100000", ""],
            ["ABA10000000L", "三段", "ABA10000000L-103", "130523100000", ""],
        ]
    )
    before = m.Reach.objects.count(), Change.objects.count()

    result = do_import("reaches", "河段.xlsx", content, world.alice)

    assert not result.ok
    assert lines(result) == ["第 3 行: 所属水体: 找不到编码为“NOPE”的所属水体（或不在您的管辖范围内）"]
    assert (m.Reach.objects.count(), Change.objects.count()) == before


def test_every_bad_row_is_reported_with_its_number_and_reason(world):
    content = xlsx(
        [
            REACH_HEADERS,
            ["ABA10000000L", "", "ABA10000000L-201", "130523100000", ""],
            ["ABA10000000L", "好的一段", "ABA10000000L-202", "130523100000", LINE_A],
            [
                "ABA10000000L",
                "坏几何",
                "ABA10000000L-203",
                "130523100000",
                '{"type": "Point", "coordinates": [114.6, 37.1]}',
            ],
            ["ABA10000000L", "重复", "ABA10000000L-202", "130523100000", ""],
        ]
    )

    result = do_import("reaches", "河段.xlsx", content, world.alice)

    assert lines(result) == [
        "第 2 行: 名称: 该字段是必填项。",
        "第 4 行: 几何(GeoJSON): 几何类型应为 LineString 或 MultiLineString 或 Polygon 或 MultiPolygon，收到 Point",
        "第 5 行: 河段编码: 与第 3 行重复（同一条记录只能出现一次）",
    ]
    assert result.bad_rows == 3
    assert not m.Reach.objects.filter(code__startswith="ABA10000000L-2").exists()


def test_a_row_failing_when_written_rolls_back_the_rows_before_it(world, monkeypatch):
    original = m.Asset.save

    def save(self, *args, **kwargs):
        if self.name == "写入失败":
            raise DatabaseError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(m.Asset, "save", save)
    content = xlsx(
        [
            ["编码", "名称", "所在行政区"],
            ["AS-A-31", "好闸", "130523100000"],
            ["AS-A-32", "写入失败", "130523100000"],
        ]
    )

    result = do_import("assets", "assets.xlsx", content, world.alice)

    assert lines(result) == ["第 3 行: 保存失败：disk full"]
    assert not m.Asset.objects.filter(code__in=["AS-A-31", "AS-A-32"]).exists()


def test_dry_run_writes_nothing(world, login):
    client = login(world.alice)
    content = xlsx([REACH_HEADERS, ["ABA10000000L", "试运行段", "ABA10000000L-301", "130523100000", LINE_A]])
    before = m.Reach.objects.count(), Change.objects.count()

    response = client.post(
        reverse("registry:import", args=["reaches"]),
        {"file": SimpleUploadedFile("河段.xlsx", content), "dry_run": "on"},
    )

    assert response.status_code == 200
    assert (m.Reach.objects.count(), Change.objects.count()) == before
    result = response.context["result"]
    assert result.ok and result.dry_run and not result.committed
    assert (result.created, result.updated) == (1, 0)
    page = response.content.decode()
    assert "将新建 1 条，更新 0 条" in page and "试运行段" in page


def test_confirming_a_dry_run_imports_the_file_without_choosing_it_again(world, login):
    client = login(world.alice)
    url = reverse("registry:import", args=["reaches"])
    content = xlsx([REACH_HEADERS, ["ABA10000000L", "确认段", "ABA10000000L-302", "130523100000", LINE_A]])
    token = client.post(url, {"file": SimpleUploadedFile("河段.xlsx", content), "dry_run": "on"}).context[
        "stash"
    ]

    assert client.post(url, {"stash": token}).context["result"].committed
    assert m.Reach.objects.filter(code="ABA10000000L-302").exists()
    assert login(world.bob).post(url, {"stash": token}).status_code == 400  # only the uploader can use it


def test_a_real_run_writes_every_row_and_reports_counts(world, login):
    content = xlsx(
        [
            REACH_HEADERS,
            ["ABA10000000L", "清水河东坝段（改）", "ABA10000000L-001", "130523100000", ""],
            ["ABA10000000L", "新段", "ABA10000000L-303", "130523100000", LINE_A],
        ]
    )

    response = login(world.alice).post(
        reverse("registry:import", args=["reaches"]), {"file": SimpleUploadedFile("r.xlsx", content)}
    )

    assert response.status_code == 200
    assert "已导入：新建 1 条，更新 1 条" in response.content.decode()
    world.reach_a.refresh_from_db()
    assert world.reach_a.name == "清水河东坝段（改）"
    assert world.reach_a.geometry["coordinates"][0] == [
        114.55,
        37.1,
    ]  # an empty geometry cell keeps the geometry


def test_the_report_page_lists_bad_rows(world, login):
    content = xlsx([REACH_HEADERS, ["ABA10000000L", "", "ABA10000000L-304", "130523100000", ""]])

    response = login(world.alice).post(
        reverse("registry:import", args=["reaches"]), {"file": SimpleUploadedFile("r.xlsx", content)}
    )

    assert response.status_code == 400
    assert "第 2 行: 名称: 该字段是必填项。" in response.content.decode()


# Rows and keys --------------------------------------------------------------------------------------------------


def test_reimporting_the_same_file_updates_instead_of_duplicating(world):
    content = xlsx(
        [
            ["编码", "名称", "类型", "所在行政区", "经度", "纬度"],
            ["AS-A-1", "一号闸", "闸站", "130523100000", 114.6, 37.1],
            ["AS-A-2", "二号泵站", "泵站", "130523100000", 114.61, 37.11],
        ]
    )

    first = do_import("assets", "assets.xlsx", content, world.alice)
    changes = Change.objects.count()
    second = do_import("assets", "assets.xlsx", content, world.alice)

    assert (first.created, first.updated) == (2, 0)
    assert (second.created, second.updated) == (0, 2)
    assert m.Asset.objects.filter(code__in=["AS-A-1", "AS-A-2"]).count() == 2
    assert Change.objects.count() == changes  # nothing changed the second time


def test_duplicate_keys_in_one_file_are_errors(world):
    content = xlsx(
        [["编码", "名称", "所在行政区"], ["AS-A-5", "甲", "130523100000"], ["AS-A-5", "乙", "130523100000"]]
    )

    result = do_import("assets", "assets.xlsx", content, world.alice)

    assert lines(result) == ["第 3 行: 编码: 与第 2 行重复（同一条记录只能出现一次）"]
    assert not m.Asset.objects.filter(code="AS-A-5").exists()


def test_empty_rows_are_skipped(world):
    content = xlsx(
        [
            ["编码", "名称", "所在行政区"],
            ["AS-A-6", "甲", "130523100000"],
            [None, "", None],
            [],
            ["AS-A-7", "乙", "130523100000"],
        ]
    )

    result = do_import("assets", "assets.xlsx", content, world.alice)

    assert result.ok, lines(result)
    assert (result.created, result.skipped) == (2, 2)


def test_an_empty_choice_cell_means_the_default_and_an_unknown_choice_is_an_error(world):
    content = xlsx(
        [
            ["编码", "名称", "类型", "所在行政区"],
            ["AS-A-41", "甲", "", "130523100000"],
            ["AS-A-42", "乙", "火箭", "130523100000"],
        ]
    )

    result = do_import("assets", "assets.xlsx", content, world.alice)

    assert lines(result) == [
        "第 3 行: 类型: “火箭”不是可选的值（可选：井盖、雨水篦子、闸站、泵站、堤防、桥梁、涵洞、视频监控、其他）"
    ]
    result = do_import(
        "assets",
        "assets.xlsx",
        xlsx([["编码", "名称", "类型", "所在行政区"], ["AS-A-41", "甲", "", "130523100000"]]),
        world.alice,
    )
    assert result.ok and m.Asset.objects.get(code="AS-A-41").kind == "other"


def test_a_missing_required_column_is_one_clear_error_naming_the_column(world):
    content = xlsx(
        [
            ["所属水体", "名称", "所在行政区"],
            ["ABA10000000L", "一段", "130523100000"],
            ["ABA10000000L", "二段", "130523100000"],
        ]
    )

    result = do_import("reaches", "河段.xlsx", content, world.alice)

    assert lines(result) == ["河段编码: 缺少必填列“河段编码”（也可写作 code）"]


def test_row_in_another_township_is_refused_for_a_township_office(world):
    content = xlsx(
        [["编码", "名称", "所在行政区", "经度", "纬度"], ["AS-X-1", "越界闸", "130523200000", 114.85, 37.18]]
    )

    result = do_import("assets", "assets.xlsx", content, world.alice)

    assert lines(result) == [
        "第 2 行: 所在行政区: 找不到区划代码为“130523200000”的所在行政区（或不在您的管辖范围内）"
    ]
    assert not m.Asset.objects.filter(code="AS-X-1").exists()


def test_a_township_office_cannot_overwrite_a_record_of_another_township(world):
    content = xlsx([["编码", "名称", "所在行政区"], ["AS-B-1", "改名", "130523100000"]])

    result = do_import("assets", "assets.xlsx", content, world.alice)

    assert not result.ok
    assert lines(result)[0].startswith("第 2 行: 编码: ")
    world.asset_b.refresh_from_db()
    assert world.asset_b.name == "西河闸" and world.asset_b.region == world.town_b


def test_regions_may_refer_to_parents_later_in_the_same_file(world):
    content = xlsx(
        [
            ["区划代码", "名称", "级别", "上级行政区"],
            ["130523300001", "南湾村", "村", "130523300000"],
            ["130523300000", "南湾镇", "乡镇", "130523000000"],
        ]
    )

    result = do_import("regions", "regions.xlsx", content, world.county_office)

    assert result.ok, lines(result)
    assert m.Region.objects.get(code="130523300001").parent.name == "南湾镇"


def test_users_imported_without_a_password_cannot_log_in_until_one_is_set(world):
    content = xlsx(
        [
            ["用户名", "姓名", "角色", "所属行政区", "河长级别", "有效", "密码"],
            ["zhaoliu", "赵六", "河湖长", "130523100000", "村级", "", ""],
            ["sunqi", "孙七", "网格员/巡河员", "130523100001", "", "否", "a-long-pass-9876"],
        ]
    )

    result = do_import("users", "users.xlsx", content, world.alice)

    assert result.ok, lines(result)
    zhaoliu, sunqi = User.objects.get(username="zhaoliu"), User.objects.get(username="sunqi")
    assert zhaoliu.role == "chief" and zhaoliu.chief_level == 5 and not zhaoliu.has_usable_password()
    assert zhaoliu.is_active  # an empty yes/no cell means the default, not "no"
    assert (
        sunqi.check_password("a-long-pass-9876") and sunqi.region == world.village_a and not sunqi.is_active
    )


def test_assignments_are_matched_by_chief_water_body_reach_and_start_date(world):
    header = ["河湖长", "河长级别", "水体", "河段", "行政区", "任职日期", "离任日期"]
    row = [
        "chief_a",
        "乡级",
        "ABA10000000L",
        "ABA10000000L-001",
        "130523100000",
        world.assignment_a.start_date,
    ]
    content = xlsx([header, [*row, datetime.date(2030, 1, 1)]])

    result = do_import("assignments", "任命.xlsx", content, world.alice)

    assert result.ok, lines(result)
    assert (result.created, result.updated) == (0, 1)
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.end_date == datetime.date(2030, 1, 1)


def test_departments_are_found_by_region_code_and_name_or_by_name_in_the_rows_region(world):
    content = xlsx(
        [
            ["编码", "名称", "所在行政区", "权属部门"],
            ["AS-A-11", "柳庄篦子", "130523100001", "东坝镇农业办"],
            ["AS-A-12", "东坝篦子", "130523100000", "130523100000/东坝镇农业办"],
        ]
    )

    result = do_import("assets", "assets.xlsx", content, world.alice)

    assert result.ok, lines(result)
    assert set(
        m.Asset.objects.filter(code__in=["AS-A-11", "AS-A-12"]).values_list("department", flat=True)
    ) == {world.dept_a.pk}


def test_imports_are_recorded_in_history_as_imports_by_the_user(world):
    content = xlsx([["编码", "名称", "所在行政区"], ["AS-A-21", "甲", "130523100000"]])

    do_import("assets", "assets.xlsx", content, world.alice)

    change = Change.objects.get(object_repr="甲")
    assert (change.action, change.source, change.actor) == ("create", "import", world.alice)


# Pages, templates, command --------------------------------------------------------------------------------------


def test_only_registry_editors_may_import(world, login, client):
    url = reverse("registry:import", args=["reaches"])
    assert client.get(url).status_code == 302
    assert login(world.chief_a).get(url).status_code == 403
    assert login(world.chief_a).post(url, {"file": SimpleUploadedFile("r.csv", b"a,b")}).status_code == 403


def test_import_page_shows_the_upload_form_and_template_links(world, login):
    response = login(world.alice).get(reverse("registry:import", args=["reaches"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in page and 'name="dry_run"' in page
    assert reverse("registry:template", args=["reaches", "xlsx"]) in page
    assert reverse("registry:template", args=["reaches", "csv"]) in page


@pytest.mark.parametrize("slug", list(KINDS))
def test_the_import_page_explains_the_columns_of_every_kind(world, login, slug):
    response = login(world.alice).get(reverse("registry:import", args=[slug]))

    assert response.status_code == 200
    assert all(str(c.label) in response.content.decode() for c in response.context["columns"])


def test_a_file_over_20_mb_is_refused(world, login):
    big = SimpleUploadedFile("big.csv", b"x" * (20 * 1024 * 1024 + 1))

    response = login(world.alice).post(reverse("registry:import", args=["reaches"]), {"file": big})

    assert response.status_code == 400
    assert "文件超过 20 MB" in response.content.decode()


def test_xlsx_template_has_chinese_headers_an_example_and_an_explanation_sheet(world, login):
    response = login(world.alice).get(reverse("registry:template", args=["assets", "xlsx"]))

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, notes = book.worksheets
    header = [c.value for c in data[1]]
    assert header == ["编码", "名称", "类型", "所在行政区", "权属部门", "水体", "经度", "纬度", "坐标系"]
    assert data[2][0].value == "BJ-0001"
    explained = {row[0]: row for row in notes.iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert "雨水篦子(gully)" in explained["类型"][3]
    assert explained["编码"][2] == "是"
    assert "gcj02" in explained["坐标系"][3]


def test_csv_template_is_utf8_with_a_bom(world, login):
    response = login(world.alice).get(reverse("registry:template", args=["reaches", "csv"]))

    assert response.content.startswith(b"\xef\xbb\xbf")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header == "所属水体,名称,河段编码,所在行政区,起点,终点,几何(GeoJSON),坐标系"


def test_a_template_format_other_than_xlsx_or_csv_is_not_found(world, login):
    assert login(world.alice).get(reverse("registry:template", args=["reaches", "pdf"])).status_code == 404


def test_every_templates_example_row_imports(world, login):
    client = login(world.admin)
    User.objects.create_user(username="wangwu", role="grid", region=world.village_a)
    for slug in KINDS:  # in catalogue order, so plans exist before their tasks and users before assignments
        if slug == "assignments":
            User.objects.filter(username="zhangsan").update(role="chief", chief_level=4)
        if slug == "delegate-links":
            User.objects.create_user(username="lisi", role="delegate", region=world.county)
        template = client.get(reverse("registry:template", args=[slug, "xlsx"])).content

        result = do_import(slug, "template.xlsx", template, world.admin)

        assert result.ok, (slug, lines(result))


def test_command_prints_the_report_and_exits_1_on_bad_rows(world, tmp_path, capsys):
    path = tmp_path / "assets.csv"
    path.write_bytes(csv_bytes([["编码", "名称", "所在行政区"], ["AS-C-1", "", "130523100000"]]))

    with pytest.raises(CommandError) as raised:
        call_command("import_registry", "assets", str(path), "--user", "alice")

    assert raised.value.returncode == 1
    assert "第 2 行: 名称: 该字段是必填项。" in capsys.readouterr().err


def test_command_imports_as_the_given_user_and_dry_run_writes_nothing(world, tmp_path, capsys):
    path = tmp_path / "assets.csv"
    path.write_bytes(csv_bytes([["编码", "名称", "所在行政区"], ["AS-C-2", "命令行闸", "130523100000"]]))

    call_command("import_registry", "assets", str(path), "--user", "alice", "--dry-run")
    assert not m.Asset.objects.filter(code="AS-C-2").exists()
    assert "将新建 1 条" in capsys.readouterr().out

    call_command("import_registry", "assets", str(path), "--user", "alice")
    assert m.Asset.objects.filter(code="AS-C-2").exists()
    assert Change.objects.get(object_repr="命令行闸").actor == world.alice
