"""A public report (随手拍) from its raw fields to a case: the rules the web page and the API share.

`check()` validates what the reporter sent (category, phone, photos, where the problem is) and says what is
wrong field by field; `rate_limited()` applies the per-address and per-phone hourly limits; `submit()` makes the
case. The 随手拍 page (public.py) and the public API (api.py) call the same three, so they accept and refuse
the same reports.
"""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hezhang.cases import ratelimit
from hezhang.cases.intake import PreparedPhoto, PreparedVideo, create_case, prepare_photo
from hezhang.cases.models import CaseCategory
from hezhang.cases.photos import PhotoError, inspect
from hezhang.cases.upload_errors import describe
from hezhang.cases.videos import DEFAULT_MAX_BYTES as DEFAULT_VIDEO_MAX_BYTES
from hezhang.cases.videos import VideoError, inspect_video
from hezhang.geo.coords import to_wgs84

MAX_PHOTOS = 9
MAX_VIDEOS = 3


class PublicReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("问题类型"),
        queryset=CaseCategory.objects.filter(public=True, region=None),
        error_messages={
            "required": gettext_lazy("请选择问题类型"),
            "invalid_choice": gettext_lazy("未知的问题类型"),
        },
    )
    description = forms.CharField(label=gettext_lazy("补充说明"), required=False, max_length=500)
    phone = forms.RegexField(
        label=gettext_lazy("手机号（选填，仅用于回复您）"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": gettext_lazy("手机号应为 11 位数字")},
    )
    lon = forms.FloatField(required=False)
    lat = forms.FloatField(required=False)
    crs = forms.ChoiceField(
        choices=[("wgs84", "wgs84"), ("gcj02", "gcj02"), ("bd09", "bd09")], required=False
    )
    client_id = forms.CharField(required=False, max_length=64)


@dataclass
class Report:
    """A checked public report: a location in WGS84 and photos already inspected, ready for `submit()`."""

    category: CaseCategory | None = None
    description: str = ""
    phone: str = ""
    lon: float | None = None
    lat: float | None = None
    client_id: str | None = None
    photos: list[PreparedPhoto] = field(default_factory=list)
    videos: list[PreparedVideo] = field(default_factory=list)


def check(data, files, *, videos=(), photo_required: bool = True) -> tuple[Report, list[tuple[str, str]]]:
    """Validate a report; returns it with the (field, message) errors, which are empty when it may be made.

    `data` is the posted fields (a QueryDict or a plain dict), `files` the uploaded photos, `videos` the
    uploaded videos. Without a position from the phone the first photo's own GPS is used; a position outside
    China is refused.
    """
    form = PublicReportForm(data)
    errors: list[tuple[str, str]] = []
    if not form.is_valid():
        errors += [(f, str(e)) for f, es in form.errors.items() for e in es]
    if photo_required and not files:
        errors.append(("photos", _("请至少拍一张照片")))
    if len(files) > MAX_PHOTOS:
        errors.append(("photos", _("最多上传 %(n)d 张照片") % {"n": MAX_PHOTOS}))
    report = Report()
    evidence = None
    max_bytes = getattr(settings, "HEZHANG_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
    for upload in files[:MAX_PHOTOS]:
        content = upload.read()
        try:
            info = inspect(content, upload.name, max_bytes=max_bytes, decode=False)
        except PhotoError as exc:
            errors.append(("photos", describe(exc)))
            continue
        report.photos.append(prepare_photo(content, upload.name, info))
        if evidence is None and info.lon is not None and info.lat is not None:
            evidence = (info.lon, info.lat)
    errors += check_videos(videos, report.videos)
    if form.is_valid():
        cleaned = form.cleaned_data
        lon, lat = cleaned.get("lon"), cleaned.get("lat")
        if lon is not None and lat is not None:
            try:
                lon, lat = to_wgs84(lon, lat, cleaned.get("crs") or "wgs84")
            except ValueError as exc:
                errors.append(("location", str(exc)))
        elif evidence is not None:
            lon, lat = evidence  # the photo's own GPS, when the phone would not share its position
        if lon is None or lat is None:
            errors.append(("location", _("没有获取到位置：请允许定位，或在地图上点选问题位置")))
        elif not (73 <= lon <= 136 and 3 <= lat <= 54):
            errors.append(("location", _("位置不在中国范围内，请在地图上重新点选")))
        report.category = cleaned["category"]
        report.description = cleaned.get("description", "")
        report.phone = cleaned.get("phone", "")
        report.lon, report.lat = lon, lat
        report.client_id = cleaned.get("client_id") or None
    return report, errors


def check_videos(uploads, into: list) -> list[tuple[str, str]]:
    """Inspect uploaded videos, appending the accepted ones to `into`; returns the errors."""
    errors: list[tuple[str, str]] = []
    if len(uploads) > MAX_VIDEOS:
        errors.append(("videos", _("最多上传 %(n)d 段视频") % {"n": MAX_VIDEOS}))
    max_bytes = getattr(settings, "HEZHANG_VIDEO_MAX_BYTES", DEFAULT_VIDEO_MAX_BYTES)
    for upload in uploads[:MAX_VIDEOS]:
        try:
            info = inspect_video(upload, upload.size, upload.name, max_bytes=max_bytes)
        except VideoError as exc:
            errors.append(("videos", describe(exc)))
            continue
        into.append(PreparedVideo(upload, upload.name, info))
    return errors


def client_ip(request) -> str:
    # X-Forwarded-For is only believed behind our own proxy; otherwise anyone could pick their address.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.HEZHANG_BEHIND_PROXY else ""
    return (forwarded.split(",")[-1] if forwarded else request.META.get("REMOTE_ADDR", "")).strip()


def rate_limited(request, phone: str) -> bool:
    """Counts this report against its address and phone; True when either is over its hourly limit."""
    limits = [(f"ip:{client_ip(request)}", getattr(settings, "HEZHANG_PUBLIC_REPORTS_PER_IP_HOUR", 20))]
    if phone:
        limits.append((f"phone:{phone}", getattr(settings, "HEZHANG_PUBLIC_REPORTS_PER_PHONE_HOUR", 5)))
    return ratelimit.hit_all(limits)


def submit(report: Report):
    """Make the case of a checked report; returns (case, created). Raises IntakeError like create_case."""
    return create_case(
        category=report.category,
        channel="public",
        lon=report.lon,
        lat=report.lat,
        description=report.description,
        reporter_phone=report.phone,
        client_id=report.client_id,
        photos=report.photos,
        videos=report.videos,
    )
