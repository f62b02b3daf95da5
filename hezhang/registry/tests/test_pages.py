"""资料管理 pages as office staff use them: list, search, create with a drawn geometry, edit, delete, history."""

import json

from django.urls import reverse

from hezhang.geo.coords import wgs84_to_gcj02
from hezhang.history.models import Change
from hezhang.registry import models as m


def test_list_searches_by_pinyin_initials(world, login):
    response = login(world.county_office).get(
        reverse("registry:list", kwargs={"kind": "water-bodies"}), {"q": "qsh"}
    )
    html = response.content.decode()
    detail = reverse("registry:detail", kwargs={"kind": "water-bodies", "pk": world.pond_b.pk})
    river = reverse("registry:detail", kwargs={"kind": "water-bodies", "pk": world.river.pk})
    assert f'"{river}"' in html and f'"{detail}"' not in html


def test_list_filters_by_region_subtree(world, login):
    url = reverse("registry:list", kwargs={"kind": "reaches"})
    html = login(world.county_office).get(url, {"region": world.town_b.pk}).content.decode()
    assert ">清水河西河段<" in html and ">清水河东坝段<" not in html


def test_office_creates_a_reach_drawn_on_the_map_and_its_length_is_geodesic(world, login):
    geometry = {"type": "LineString", "coordinates": [[114.6, 37.05], [114.6, 37.06]]}
    response = login(world.alice).post(
        reverse("registry:create", kwargs={"kind": "reaches"}),
        {
            "water_body": world.river.pk,
            "name": "清水河柳庄段",
            "code": "ABA10000000L-009",
            "region": world.village_a.pk,
            "geometry": json.dumps(geometry),
            "crs": "wgs84",
        },
    )
    assert response.status_code == 302
    reach = m.Reach.objects.get(code="ABA10000000L-009")
    assert 1105 < reach.length_m < 1115  # 0.01° of latitude at 37°N
    assert (reach.min_lat, reach.max_lat) == (37.05, 37.06)


def test_geometry_typed_in_gcj02_is_stored_in_wgs84(world, login):
    gcj = wgs84_to_gcj02(114.85, 37.25)
    login(world.bob).post(
        reverse("registry:create", kwargs={"kind": "signboards"}),
        {
            "code": "SB-B-9",
            "name": "新公示牌",
            "reach": world.reach_b.pk,
            "region": world.town_b.pk,
            "geometry": json.dumps({"type": "Point", "coordinates": list(gcj)}),
            "crs": "gcj02",
        },
    )
    lon, lat = m.Signboard.objects.get(code="SB-B-9").geometry["coordinates"]
    assert abs(lon - 114.85) < 1e-6 and abs(lat - 37.25) < 1e-6


def test_self_intersecting_polygon_is_refused_with_the_reason(world, login):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[114.8, 37.3], [114.9, 37.4], [114.9, 37.3], [114.8, 37.4], [114.8, 37.3]]],
    }
    response = login(world.bob).post(
        reverse("registry:create", kwargs={"kind": "grids"}),
        {"code": "G-X", "name": "坏网格", "region": world.town_b.pk, "geometry": json.dumps(bowtie)},
    )
    assert response.status_code == 400
    assert "自相交" in response.content.decode()
    assert not m.Grid.objects.filter(code="G-X").exists()


def test_geometry_outside_china_is_refused(world, login):
    response = login(world.bob).post(
        reverse("registry:create", kwargs={"kind": "assets"}),
        {
            "code": "AS-PARIS",
            "name": "巴黎井盖",
            "kind": "manhole",
            "region": world.town_b.pk,
            "geometry": json.dumps({"type": "Point", "coordinates": [2.35, 48.85]}),
        },
    )
    assert response.status_code == 400
    assert "中国范围" in response.content.decode()


def test_region_code_must_extend_its_parents_code(world, login):
    response = login(world.county_office).post(
        reverse("registry:create", kwargs={"kind": "regions"}),
        {"code": "130999100000", "name": "错码镇", "level": 4, "parent": world.county.pk},
    )
    assert response.status_code == 400
    assert "130523" in response.content.decode()


def test_edit_is_recorded_with_who_and_what_changed(world, login):
    client = login(world.bob)
    url = reverse("registry:edit", kwargs={"kind": "outfalls", "pk": world.outfall_b.pk})
    data = {
        "code": "OUT-B-1",
        "name": "西河排口（已封堵）",
        "kind": "rain",
        "water_body": world.river.pk,
        "region": world.town_b.pk,
        "geometry": json.dumps(world.outfall_b.geometry),
    }
    assert client.post(url, data).status_code == 302
    change = Change.objects.filter(object_id=str(world.outfall_b.pk), action="update").latest("at")
    assert change.actor == world.bob and change.source == "web"
    assert change.changes["name"] == ["西河排口", "西河排口（已封堵）"]
    history = client.get(reverse("registry:history", kwargs={"kind": "outfalls", "pk": world.outfall_b.pk}))
    assert "西河排口（已封堵）" in history.content.decode() and "西河王" in history.content.decode()


def test_delete_asks_for_confirmation_and_is_recorded(world, login):
    client = login(world.bob)
    url = reverse("registry:delete", kwargs={"kind": "assets", "pk": world.asset_b.pk})
    assert "确认删除" in client.get(url).content.decode()
    assert m.Asset.objects.filter(pk=world.asset_b.pk).exists()
    client.post(url)
    assert not m.Asset.objects.filter(pk=world.asset_b.pk).exists()
    assert Change.objects.filter(object_id=str(world.asset_b.pk), action="delete", actor=world.bob).exists()


def test_deleting_a_reach_with_chiefs_explains_what_blocks_it(world, login):
    client = login(world.bob)
    response = client.post(
        reverse("registry:delete", kwargs={"kind": "reaches", "pk": world.reach_b.pk}), follow=True
    )
    assert m.Reach.objects.filter(pk=world.reach_b.pk).exists()
    assert "无法删除" in response.content.decode()


def test_water_body_page_shows_current_and_past_chiefs(world, login):
    html = (
        login(world.county_office)
        .get(reverse("registry:detail", kwargs={"kind": "water-bodies", "pk": world.river.pk}))
        .content.decode()
    )
    assert "孙书记" in html and "赵镇长" in html
    assert "2021-12-31" in html or "2021年12月31日" in html


def test_workbench_shows_the_jurisdictions_water_bodies_and_chiefs(world, login):
    html = login(world.alice).get("/").content.decode()
    assert "清水河" in html and "赵镇长" in html
    assert "孙书记" in html  # the county chief of the river crossing the township
    assert "西河塘" not in html and "钱乡长" not in html


def test_chief_workbench_lists_their_own_reaches(world, login):
    html = login(world.chief_a).get("/").content.decode()
    assert "我负责的河湖" in html and "清水河东坝段" in html


def test_user_created_by_an_office_can_log_in(world, login, client):
    response = login(world.alice).post(
        reverse("registry:create", kwargs={"kind": "users"}),
        {
            "username": "newchief",
            "name": "周村长",
            "role": "chief",
            "region": world.village_a.pk,
            "chief_level": 5,
            "position": "村党支部书记",
            "is_active": "on",
            "password1": "river-keeper-2026",
            "password2": "river-keeper-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert client.login(username="newchief", password="river-keeper-2026")


def test_township_office_cannot_make_a_system_admin(world, login):
    response = login(world.alice).post(
        reverse("registry:create", kwargs={"kind": "users"}),
        {
            "username": "sneaky",
            "role": "admin",
            "region": world.town_a.pk,
            "password1": "x-long-pass-99",
            "password2": "x-long-pass-99",
        },
    )
    assert response.status_code == 400
    from hezhang.accounts.models import User

    assert not User.objects.filter(username="sneaky").exists()


def test_dossier_attachment_is_uploaded_and_listed(world, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = login(world.county_office)
    upload = SimpleUploadedFile("survey.pdf", b"%PDF-1.4 survey", content_type="application/pdf")
    response = client.post(
        reverse("registry:dossier-attachment", kwargs={"pk": world.dossier.pk}),
        {"title": "2025 年河道测量报告", "file": upload},
        follow=True,
    )
    assert "2025 年河道测量报告" in response.content.decode()
    assert world.dossier.attachments.get().file.read() == b"%PDF-1.4 survey"


def test_chief_cannot_upload_to_a_dossier(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.txt", b"x")
    response = login(world.chief_a).post(
        reverse("registry:dossier-attachment", kwargs={"pk": world.dossier.pk}),
        {"title": "x", "file": upload},
    )
    assert response.status_code == 403


def test_dossier_attachments_are_not_served_to_anonymous_visitors(client, world):
    response = client.get("/media/dossiers/2025/01/survey.pdf")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_regions_a_new_river_crosses_are_worked_out_from_its_line(world, login):
    response = login(world.county_office).post(
        reverse("registry:create", kwargs={"kind": "water-bodies"}),
        {
            "kind": "river",
            "name": "横河",
            "code": "ABA20000000L",
            "region": world.county.pk,
            "geometry": json.dumps({"type": "LineString", "coordinates": [[114.6, 37.3], [114.9, 37.3]]}),
        },
    )
    assert response.status_code == 302
    crossed = set(m.WaterBody.objects.get(code="ABA20000000L").regions.values_list("name", flat=True))
    assert crossed == {"临水县", "东坝镇", "西河乡"}
