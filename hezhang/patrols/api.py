"""Patrols in the REST API (/api/v1/patrols/…): the field app's start, point batches and end, GPX in and out.

A batch of points is answered only after it is committed, with one reason per refused point; the good points
of a batch are kept whatever the bad ones are. Resending a batch, or starting with a known client id, adds
nothing.
"""

import datetime
import time

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hezhang.accounts.jurisdiction import visible
from hezhang.geo.coords import to_wgs84
from hezhang.patrols import recording
from hezhang.patrols.access import visible_patrols
from hezhang.patrols.batch import CHINA_TIME, epoch_from_value, read_points
from hezhang.patrols.filters import PatrolFilterSet
from hezhang.patrols.gpx import GpxError, read_gpx
from hezhang.patrols.models import ChecklistItem, Patrol, Source
from hezhang.patrols.nearby import reaches_near
from hezhang.patrols.points import PointError
from hezhang.patrols.presenting import patrol_detail
from hezhang.patrols.verdict import describe
from hezhang.registry.models import Reach

MAX_BATCH = 5000
MAX_OFFLINE_S = 7 * 86400
MAX_GPX_BYTES = 20 * 1024 * 1024


class PatrolRowSerializer(serializers.ModelSerializer):
    patroller = serializers.CharField(source="patroller.__str__", read_only=True)
    reaches = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = Patrol
        fields = [
            "id",
            "client_id",
            "patroller",
            "role",
            "source",
            "started_at",
            "ended_at",
            "is_valid",
            "duration_s",
            "distance_m",
            "coverage",
            "mode",
            "point_count",
            "reaches",
            "reasons",
        ]

    def get_reaches(self, patrol) -> list[dict]:
        return [{"id": r.pk, "code": r.code, "name": r.name} for r in patrol.reaches.all()]

    def get_reasons(self, patrol) -> list[str]:
        return [describe(r) for r in patrol.reasons]


def _patrols(request):
    return visible_patrols(Patrol.objects.select_related("patroller"), request.user).prefetch_related(
        "reaches"
    )


class PatrolListView(generics.ListAPIView):
    """Patrols the user may see, newest first; POST starts one (the field app's "开始巡河")."""

    serializer_class = PatrolRowSerializer
    filterset_class = PatrolFilterSet

    def get_queryset(self):
        return _patrols(self.request)

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={201: PatrolRowSerializer, 200: PatrolRowSerializer},
        description="开始巡河：{client_id, started_at, reaches: [河段id…]} 或 {client_id, started_at, lon, lat, crs}"
        " 按位置选附近河段；started_at 为手机上的开始时间（离线巡河时早于请求）",
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        client_id = str(data.get("client_id") or "").strip()[:64] or None
        reach_ids = data.get("reaches") or []
        if not isinstance(reach_ids, list) or not all(isinstance(i, int) for i in reach_ids):
            return Response({"reaches": [_("河段应为编号列表")]}, status=status.HTTP_400_BAD_REQUEST)
        reaches = list(visible(Reach.objects.filter(pk__in=reach_ids), request.user))
        if len(reaches) != len(set(reach_ids)):
            return Response(
                {"reaches": [_("有河段不存在或不在您的职责范围内")]}, status=status.HTTP_400_BAD_REQUEST
            )
        if not reaches and data.get("lon") is not None and data.get("lat") is not None:
            try:
                lon, lat = to_wgs84(float(data["lon"]), float(data["lat"]), str(data.get("crs") or "wgs84"))
            except (TypeError, ValueError):
                return Response({"location": [_("位置坐标无效")]}, status=status.HTTP_400_BAD_REQUEST)
            reaches = [r for r, _d in reaches_near(request.user, lon, lat)[:1]]
        started_at = None
        if data.get("started_at") not in (None, ""):
            # An offline patrol is started on the phone long before the start reaches the server.
            try:
                started = epoch_from_value(data["started_at"], naive_zone=CHINA_TIME)
            except (TypeError, ValueError):
                return Response({"started_at": [_("开始时间格式不正确")]}, status=status.HTTP_400_BAD_REQUEST)
            if not time.time() - MAX_OFFLINE_S <= started <= time.time() + 300:
                return Response(
                    {"started_at": [_("开始时间不能在未来，也不能早于 7 天前")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            started_at = datetime.datetime.fromtimestamp(started, tz=datetime.UTC)
        patrol, created = recording.start_patrol(
            request.user, reaches=reaches, client_id=client_id, started_at=started_at
        )
        return Response(
            PatrolRowSerializer(patrol).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PatrolDetailView(APIView):
    """One patrol with its track, the walked and not-walked parts of its reaches, checklist and verdict."""

    def get(self, request, pk):
        patrol = get_object_or_404(_patrols(request), pk=pk)
        return Response(patrol_detail(patrol))


class PatrolPointsView(APIView):
    """A batch of track points: {crs, points: [{seq, t, lat, lon, accuracy, speed, heading, altitude}…]}."""

    def post(self, request, pk):
        data = request.data if isinstance(request.data, dict) else {}
        items = data.get("points")
        if not isinstance(items, list):
            return Response({"points": [_("points 应为轨迹点列表")]}, status=status.HTTP_400_BAD_REQUEST)
        if len(items) > MAX_BATCH:
            return Response(
                {"points": [_("每批最多 %(n)d 个点") % {"n": MAX_BATCH}]}, status=status.HTTP_400_BAD_REQUEST
            )
        # The patrol is read under its row lock, which ending it also takes: the batch lands before the seal.
        with transaction.atomic():
            patrol = get_object_or_404(
                Patrol.objects.select_for_update(no_key=True).filter(patroller=request.user), pk=pk
            )
            if not patrol.is_open:
                return Response({"detail": _("巡河已结束，不能再上传轨迹")}, status=status.HTTP_409_CONFLICT)
            try:
                points, errors = read_points(
                    items,
                    crs=str(data.get("crs") or "wgs84"),
                    now=time.time(),
                    not_before=recording.not_before(patrol),
                )
            except PointError as exc:
                return Response({exc.field or "points": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
            result = recording.add_points(patrol, points, errors, locked=True)
        return Response(
            {
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "rejected": [
                    {"index": e.index, "field": e.field, "reason": e.message} for e in result.rejected
                ],
            }
        )


class PatrolEndView(APIView):
    """End the patrol: {note, checklist: {item code: true (problem found) / false}}; answers with the verdict."""

    def post(self, request, pk):
        patrol = get_object_or_404(Patrol.objects.filter(patroller=request.user), pk=pk)
        data = request.data if isinstance(request.data, dict) else {}
        checklist = data.get("checklist") or {}
        if not isinstance(checklist, dict):
            return Response({"checklist": [_("巡查清单格式不正确")]}, status=status.HTTP_400_BAD_REQUEST)
        if patrol.is_open:
            recording.answer_checklist(patrol, {str(k): bool(v) for k, v in checklist.items()})
        patrol = recording.end_patrol(patrol, actor=request.user, note=str(data.get("note") or "")[:2000])
        return Response(patrol_detail(patrol))


class PatrolGpxImportView(APIView):
    """A patrol recorded elsewhere, as a GPX file (multipart `file`, optional `reaches` ids)."""

    parser_classes = [MultiPartParser, FormParser]

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": [_("请选择 GPX 文件")]}, status=status.HTTP_400_BAD_REQUEST)
        if upload.size > MAX_GPX_BYTES:
            return Response({"file": [_("GPX 文件超过 20 MB")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            points = read_gpx(upload.read())
        except GpxError as exc:
            return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        reach_ids = [int(i) for i in request.data.getlist("reaches") if str(i).isdigit()]
        reaches = list(visible(Reach.objects.filter(pk__in=reach_ids), request.user))
        try:
            patrol = recording.import_points(request.user, points, reaches=reaches, source=Source.GPX)
        except PointError as exc:
            return Response({"file": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(patrol_detail(patrol), status=status.HTTP_201_CREATED)


class NearbyReachesView(APIView):
    """The user's reaches within a few hundred metres of the phone (lon, lat, crs), nearest first."""

    def get(self, request):
        try:
            lon, lat = to_wgs84(
                float(request.query_params["lon"]),
                float(request.query_params["lat"]),
                request.query_params.get("crs", "wgs84"),
            )
        except (KeyError, TypeError, ValueError):
            return Response({"location": [_("需要 lon 和 lat")]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "reaches": [
                    {
                        "id": r.pk,
                        "code": r.code,
                        "name": r.name,
                        "water_body": r.water_body.name,
                        "distance_m": round(d),
                    }
                    for r, d in reaches_near(request.user, lon, lat)
                ]
            }
        )


class ChecklistView(APIView):
    """The checklist items, in order (the field app shows those for the water body's kind)."""

    def get(self, request):
        return Response(
            [
                {
                    "code": i.code,
                    "label": i.display_label,
                    "kinds": i.water_body_kinds,
                    "category": i.category_id,
                }
                for i in ChecklistItem.objects.filter(active=True)
            ]
        )
