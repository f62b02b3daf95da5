"""Exporting what a user sees to xlsx and GeoJSON, in a form that imports back unchanged."""

import io
import json
import math

import openpyxl
import pytest
from django.urls import reverse

from hezhang.history.models import Change
from hezhang.registry import models as m
from hezhang.registry.importing import run_import
from hezhang.registry.kinds import KINDS


def sheet_rows(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def export(client, slug, fmt="xlsx", query=""):
    return client.get(reverse("registry:export", args=[slug, fmt]) + query)


def test_export_only_contains_the_users_jurisdiction(world, login):
    client = login(world.alice)

    reaches = sheet_rows(export(client, "reaches"))
    assets = json.loads(export(client, "assets", "geojson").content)

    assert [row[2] for row in reaches[1:]] == ["ABA10000000L-001"]
    assert assets["features"] == []  # the only asset lies in the other township
    bob_assets = json.loads(export(login(world.bob), "assets", "geojson").content)
    assert [f["properties"]["code"] for f in bob_assets["features"]] == ["AS-B-1"]


def test_export_applies_the_list_pages_filters(world, login):
    rows = sheet_rows(export(login(world.admin), "reaches", query="?q=西河"))

    assert [row[1] for row in rows[1:]] == ["清水河西河段"]


def test_any_logged_in_user_may_export_what_they_can_see(world, login):
    response = export(login(world.chief_a), "reaches")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert {row[2] for row in sheet_rows(response)[1:]} == {"ABA10000000L-001"}


def test_export_needs_a_login_and_a_known_format(world, client, login):
    assert export(client, "reaches").status_code == 302
    assert export(login(world.alice), "reaches", "pdf").status_code == 404


def test_xlsx_export_has_the_template_columns_and_natural_keys(world, login):
    client = login(world.admin)

    rows = sheet_rows(export(client, "sections"))
    template = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("registry:template", args=["sections", "xlsx"])).content)
    )

    assert rows[0] == tuple(c.value for c in template.worksheets[0][1])
    assert rows[1] == (
        "SEC-B-1",
        "西河断面",
        "监测断面",
        "ABA10000000L",
        None,
        "130523200000",
        None,
        "III",
        114.85,
        37.18,
        "wgs84",
    )


def test_geojson_export_is_a_feature_collection_with_properties(world, login):
    response = export(login(world.admin), "reaches", "geojson")

    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    feature = next(f for f in body["features"] if f["properties"]["code"] == "ABA10000000L-001")
    assert feature["geometry"] == world.reach_a.geometry
    assert feature["properties"] == {
        "water_body": "ABA10000000L",
        "name": "清水河东坝段",
        "code": "ABA10000000L-001",
        "region": "130523100000",
        "start_description": "",
        "end_description": "",
    }


def test_text_that_looks_like_a_formula_is_exported_as_text(world, login):
    m.Asset.objects.filter(pk=world.asset_b.pk).update(name='=HYPERLINK("http://x")')

    book = openpyxl.load_workbook(io.BytesIO(export(login(world.admin), "assets").content))

    cell = book.worksheets[0]["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


def with_a_delegate_link(world) -> None:
    """The shared world has records of every kind but delegates' links, which only some tests want."""
    delegate = type(world.bob).objects.create_user(username="dele", role="delegate", region=world.county)
    m.DelegateLink.objects.create(delegate=delegate, water_body=world.river, region=world.town_a)


@pytest.mark.parametrize("slug", list(KINDS))
def test_an_exported_xlsx_file_imports_back_unchanged(world, login, slug):
    if slug == "delegate-links":
        with_a_delegate_link(world)
    content = export(login(world.admin), slug).content
    count, changes = KINDS[slug].model.objects.count(), Change.objects.count()

    result = run_import(KINDS[slug], "export.xlsx", content, world.admin)

    assert result.ok, [str(p) for p in result.problems]
    assert (result.created, result.updated) == (0, count)
    assert Change.objects.count() == changes  # every record saved, none of them changed


@pytest.mark.parametrize("slug", [slug for slug, kind in KINDS.items() if kind.has_geometry])
def test_an_exported_geojson_file_imports_back_unchanged(world, login, slug):
    content = export(login(world.admin), slug, "geojson").content
    count, changes = KINDS[slug].model.objects.count(), Change.objects.count()

    result = run_import(KINDS[slug], "export.geojson", content, world.admin)

    assert result.ok, [str(p) for p in result.problems]
    assert (result.created, result.updated) == (0, count)
    assert Change.objects.count() == changes


def test_a_geometry_too_long_for_an_excel_cell_is_left_empty_and_kept_on_reimport(world, login):
    angles = [i / 2000 * math.tau for i in range(2000)]
    ring = [[round(114.5 + 0.2 * math.cos(a), 7), round(37.2 + 0.15 * math.sin(a), 7)] for a in angles]
    outline = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    m.Region.objects.filter(pk=world.county.pk).update(geometry=outline)
    content = export(login(world.admin), "regions").content

    book = openpyxl.load_workbook(io.BytesIO(content))
    county_row = next(r for r in book.worksheets[0].iter_rows(values_only=True) if r[0] == "130523000000")
    assert county_row[4] is None
    assert "130523000000" in book.worksheets[1]["A2"].value

    result = run_import(KINDS["regions"], "export.xlsx", content, world.admin)
    assert result.ok
    world.county.refresh_from_db()
    assert world.county.geometry == outline


def test_a_township_office_can_reimport_its_own_export(world, login):
    content = export(login(world.bob), "outfalls").content

    result = run_import(KINDS["outfalls"], "export.xlsx", content, world.bob)

    assert result.ok and result.updated == 1
