"""What the field app needs beside the patrol itself: my reaches and duties, photos and problems found on the way.

Everything a phone may send twice carries a client-made id, so a resend after a lost answer changes nothing:
the app keeps its outbox until each item is acknowledged, and acknowledges only what was committed.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hezhang.cases.access import visible_cases
from hezhang.cases.intake import IntakeError, create_case, prepare_photo
from hezhang.cases.models import Case, CaseCategory
from hezhang.cases.photos import PhotoError, inspect
from hezhang.cases.upload_errors import describe
from hezhang.geo.coords import to_wgs84
from hezhang.patrols.coverage_map import as_lines
from hezhang.patrols.models import Patrol, PatrolPhoto
from hezhang.patrols.recording import responsible_reaches
from hezhang.patrols.rules import role_of, rule_for

MAX_PHOTO_BYTES = 10 * 1024 * 1024


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class MyReachesView(APIView):
    """The reaches I answer for, with their lines: the app keeps them for offline patrols."""

    def get(self, request):
        reaches = responsible_reaches(request.user).select_related("water_body", "region")
        return Response(
            {
                "reaches": [
                    {
                        "id": r.pk,
                        "code": r.code,
                        "name": r.name,
                        "water_body": r.water_body.name,
                        "kind": r.water_body.kind,
                        "region": r.region.name,
                        "geometry": as_lines(r.geometry),  # a lake zone as its shore
                    }
                    for r in reaches
                ]
            }
        )


class DutiesView(APIView):
    """My duties: the rule I patrol under, valid patrols so far this month, my open cases with their places."""

    def get(self, request):
        user = request.user
        now = timezone.localtime()
        rule = rule_for(role_of(user), user.chief_level, user.region, now)
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        valid = Patrol.objects.filter(patroller=user, is_valid=True, started_at__gte=month_start).count()
        cases = (
            visible_cases(Case.objects.all(), user)
            .filter(state__is_open=True)
            .filter(handler=user)
            .select_related("state", "category")
            .order_by("deadline")[:50]
        )
        return Response(
            {
                "rule": str(rule) if rule else None,
                "valid_this_month": valid,
                "last_patrol": Patrol.objects.filter(patroller=user)
                .values_list("started_at", flat=True)
                .first(),
                "cases": [
                    {
                        "number": c.number,
                        "title": c.title,
                        "state": c.state.display_label,
                        "deadline": c.deadline,
                        "lon": c.lon,
                        "lat": c.lat,
                    }
                    for c in cases
                ],
            }
        )


def _own_patrol(request, pk) -> Patrol:
    return get_object_or_404(Patrol.objects.filter(patroller=request.user), pk=pk)


class PatrolPhotoView(APIView):
    """A photo taken on the patrol: multipart `image`, `client_id`, optional `lon`, `lat`, `taken_at` (epoch s)."""

    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk):
        patrol = _own_patrol(request, pk)
        client_id = (request.data.get("client_id") or "").strip()[:64] or None
        if client_id:
            known = PatrolPhoto.objects.filter(client_id=client_id, patrol=patrol).first()
            if known is not None:
                return Response({"id": known.pk}, status=status.HTTP_200_OK)
        upload = request.FILES.get("image")
        if upload is None:
            return Response({"image": [_("请拍摄或选择照片")]}, status=status.HTTP_400_BAD_REQUEST)
        data = upload.read()
        try:
            info = inspect(data, upload.name, max_bytes=MAX_PHOTO_BYTES, decode=False)
        except PhotoError as exc:
            return Response({"image": [describe(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        taken = _float(request.data.get("taken_at"))
        photo = PatrolPhoto(
            patrol=patrol,
            client_id=client_id,
            lon=_float(request.data.get("lon")) or info.lon,
            lat=_float(request.data.get("lat")) or info.lat,
            taken_at=datetime.datetime.fromtimestamp(taken, tz=datetime.UTC) if taken else None,
        )
        photo.image.save(upload.name or "photo.jpg", ContentFile(data), save=False)
        photo.save()
        return Response({"id": photo.pk}, status=status.HTTP_201_CREATED)


class PatrolCaseView(APIView):
    """A problem found on the patrol becomes a case (channel 巡河发现), routed like any other and linked here."""

    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk):
        patrol = _own_patrol(request, pk)
        data = request.data
        errors: dict[str, list[str]] = {}
        category = CaseCategory.objects.filter(pk=data.get("category"), region=None).first()
        if category is None:
            errors["category"] = [_("请选择问题类型")]
        lon, lat = _float(data.get("lon")), _float(data.get("lat"))
        if lon is None or lat is None:
            errors["location"] = [_("没有获取到位置")]
        else:
            try:
                lon, lat = to_wgs84(lon, lat, str(data.get("crs") or "wgs84"))
            except ValueError as exc:
                errors["location"] = [str(exc)]
        photos = []
        for upload in request.FILES.getlist("photos")[:9]:
            content = upload.read()
            try:
                info = inspect(content, upload.name, decode=False)
            except PhotoError as exc:
                errors.setdefault("photos", []).append(describe(exc))
                continue
            photos.append(prepare_photo(content, upload.name, info))
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        client_id = (data.get("client_id") or "").strip()[:64] or None
        try:
            with transaction.atomic():
                case, created = create_case(
                    category=category,
                    channel="patrol",
                    lon=lon,
                    lat=lat,
                    description=str(data.get("description") or "")[:2000],
                    reporter=request.user,
                    client_id=client_id,
                    photos=photos,
                )
                patrol.cases.add(case)
        except IntakeError as exc:
            return Response({exc.field: [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {"number": case.number, "office": case.office.name},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CategoriesView(APIView):
    """The case categories a patroller can pick when reporting a problem."""

    def get(self, request):
        return Response(
            [
                {"id": c.pk, "code": c.code, "name": c.display_name, "group": c.group}
                for c in CaseCategory.objects.filter(region=None)
            ]
        )
