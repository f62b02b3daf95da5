"""Videos of a problem: accepted by their container structure, kept privately, shown to staff only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hezhang.cases.models import Case
from hezhang.cases.tests.conftest import jpeg
from hezhang.cases.videos import VideoError, inspect_video


def box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def mp4(seconds: float = 12.5, brand: bytes = b"isom", media: bytes = b"\x00" * 4000) -> bytes:
    mvhd = (
        bytes(4) + bytes(8) + (1000).to_bytes(4, "big") + int(seconds * 1000).to_bytes(4, "big") + bytes(80)
    )
    return (
        box(b"ftyp", brand + bytes(4) + b"isomavc1") + box(b"moov", box(b"mvhd", mvhd)) + box(b"mdat", media)
    )


def webm() -> bytes:
    header = b"\x42\x86\x81\x01" + b"\x42\xf7\x81\x01" + b"\x42\x82\x84webm"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x18\x53\x80\x67\x01" + bytes(200)


def check(data: bytes, name: str = "v.mp4", **kw):
    return inspect_video(io.BytesIO(data), len(data), name, **kw)


def test_an_mp4_is_accepted_with_its_duration():
    info = check(mp4(12.5))
    assert (info.container, info.duration_s, info.size_bytes) == ("MP4", 12.5, len(mp4(12.5)))


def test_an_iphone_quicktime_movie_is_called_mov():
    assert check(mp4(brand=b"qt  "), "IMG_0001.MOV").container == "MOV"


def test_a_browser_recorded_webm_is_accepted():
    assert check(webm(), "clip.webm").container == "WebM"


def test_a_video_cut_off_in_transfer_is_refused_as_damaged():
    data = mp4()
    with pytest.raises(VideoError) as refused:
        check(data[: len(data) - 100], "cut.mp4")
    assert refused.value.code == "damaged" and "cut.mp4" in str(refused.value)


def test_a_heic_photo_renamed_mp4_is_not_a_video():
    with pytest.raises(VideoError) as refused:
        check(mp4(brand=b"heic"), "photo.mp4")
    assert refused.value.code == "not_video"


def test_a_pdf_renamed_mp4_is_not_a_video():
    with pytest.raises(VideoError, match="不是视频"):
        check(b"%PDF-1.7\n" + bytes(500), "doc.mp4")


def test_an_oversize_video_is_refused_naming_the_limit():
    with pytest.raises(VideoError, match="超过 1 MB"):
        check(mp4() * 300, max_bytes=1024 * 1024)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(data: bytes, name: str = "clip.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="video/mp4")


def test_a_public_report_keeps_its_video_privately_for_staff(client, world, pollution, staff_b):
    response = client.post(
        reverse("public-cases:report"),
        {
            "category": pollution.pk,
            "lon": "114.83",
            "lat": "37.181",
            "photos": SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg"),
            "videos": upload(mp4(8)),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    video = case.videos.get()
    assert (video.stage, video.container, video.duration_s) == ("before", "MP4", 8.0)
    assert video.original.name.startswith("private/")
    public_page = client.get(reverse("public-cases:case", args=[case.number])).content.decode()
    assert "<video" not in public_page and video.original.url not in public_page
    assert client.get(video.original.url).status_code == 302  # the public is sent to log in
    client.force_login(world.bob)
    staff_page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "<video" in staff_page and video.original.url in staff_page
    assert client.get(video.original.url).status_code == 200


def test_a_report_with_a_broken_video_is_refused_naming_the_field_and_nothing_is_kept(
    client, world, pollution
):
    response = client.post(
        reverse("public-cases:report"),
        {
            "category": pollution.pk,
            "lon": "114.83",
            "lat": "37.181",
            "photos": SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg"),
            "videos": upload(mp4()[:-50], "broken.mp4"),
        },
    )
    assert response.status_code == 400 and "broken.mp4" in response.content.decode()
    assert not Case.objects.exists()


def test_the_public_api_takes_a_video_too(client, world, pollution):
    response = client.post(
        "/api/v1/public/reports/",
        {"category": pollution.pk, "lon": "114.83", "lat": "37.181", "videos": upload(webm(), "c.webm")},
    )
    assert response.status_code == 201, response.content
    assert Case.objects.get().videos.get().container == "WebM"


def test_photo_and_video_refusals_are_in_english_when_english_is_chosen(client, world, pollution):
    response = client.post(
        reverse("public-cases:report"),
        {
            "category": pollution.pk,
            "lon": "114.83",
            "lat": "37.181",
            "photos": SimpleUploadedFile("scan.jpg", b"%PDF-1.7\n" + bytes(300), content_type="image/jpeg"),
            "videos": upload(mp4()[:-50], "broken.mp4"),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "scan.jpg is not an image" in html and "broken.mp4 is damaged or incomplete" in html
