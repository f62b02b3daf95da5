"""Public pages: what a signboard's QR code opens, for anyone, without login, and without private data."""

import io

from django.urls import reverse
from PIL import Image


def test_public_reach_page_shows_chiefs_positions_and_the_office_phone(client, world):
    html = client.get(reverse("public:reach", kwargs={"code": world.reach_b.code})).content.decode()
    assert "钱乡长" in html and "乡长" in html and "孙书记" in html
    assert "0319-5550122" in html  # the township office's supervision phone


def test_public_pages_never_show_chiefs_personal_mobile_numbers(client, world):
    for url in (
        reverse("public:reach", kwargs={"code": world.reach_b.code}),
        reverse("public:water-body", kwargs={"code": world.river.code}),
        reverse("public:search") + "?q=清水",
    ):
        html = client.get(url).content.decode()
        for phone in ("13900000001", "13900000002", "13900000003"):
            assert phone not in html, url


def test_past_chiefs_are_not_shown_on_the_public_page(client, world):
    html = client.get(reverse("public:reach", kwargs={"code": world.reach_b.code})).content.decode()
    assert "赵镇长" not in html


def test_public_search_finds_rivers_by_name_and_by_township(client, world):
    by_name = client.get(reverse("public:search"), {"q": "清水"}).content.decode()
    assert "清水河" in by_name and "西河塘" not in by_name
    by_region = client.get(reverse("public:search"), {"region": world.town_b.pk}).content.decode()
    assert "西河塘" in by_region and "清水河" in by_region


def test_signboard_qr_code_is_a_png_pointing_at_the_public_reach_page(client, world, settings):
    settings.HEZHANG_PUBLIC_BASE_URL = "https://hz.example.cn"
    response = client.get(reverse("public:signboard-qr", kwargs={"code": world.signboard_b.code}))
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size[0] > 100
    from hezhang.registry.public import public_reach_url

    assert public_reach_url(world.reach_b) == f"https://hz.example.cn/public/reaches/{world.reach_b.code}/"


def test_unknown_reach_code_is_404(client, world):
    assert client.get(reverse("public:reach", kwargs={"code": "NOPE"})).status_code == 404


def test_public_search_offers_townships_once_their_county_is_chosen(client, world):
    first = client.get(reverse("public:search")).content.decode()
    assert "临水县" in first and "西河乡" not in first
    chosen = client.get(reverse("public:search"), {"region": world.county.pk}).content.decode()
    assert "西河乡" in chosen and "东坝镇" in chosen
