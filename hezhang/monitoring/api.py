"""Monitoring in the REST API (/api/v1/monitoring/…): samples and readings (read and write), a section's series,
alerts, and the HTTP way in for HJ 212 frames.

Writes are idempotent like every upload here: the same section, time and interval again with the same values
answers 200 with the stored sample instead of 201, and different values for a stored time are refused (409).
"""

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from hezhang.accounts.jurisdiction import visible
from hezhang.monitoring import overview
from hezhang.monitoring.entry import EntryError
from hezhang.monitoring.filters import AlertFilterSet, ReadingFilterSet, SampleFilterSet
from hezhang.monitoring.models import Alert, Interval, Reading, Sample, Source, Station
from hezhang.monitoring.parameters import PARAMETERS
from hezhang.monitoring.sampling import record_sample
from hezhang.monitoring.stations import record_reading
from hezhang.monitoring.views import can_enter
from hezhang.registry.models import Section


class SampleSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="code", queryset=Section.objects.all())
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    values = serializers.DictField(child=serializers.FloatField(allow_null=True))
    water_class_label = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = [
            "id",
            "section",
            "station",
            "taken_at",
            "source",
            "interval",
            "values",
            "flags",
            "item_classes",
            "water_class",
            "water_class_label",
            "main_pollutants",
            "note",
        ]
        read_only_fields = ["source", "item_classes", "water_class", "main_pollutants"]
        # Uniqueness is decided by record_sample (same values: the stored sample; different: 409).
        validators = []

    def get_water_class_label(self, sample) -> str:
        return overview.class_name(sample.water_class)


class ReadingSerializer(serializers.ModelSerializer):
    station = serializers.SlugRelatedField(slug_field="code", queryset=Station.objects.all())

    class Meta:
        model = Reading
        fields = ["id", "station", "observed_at", "water_level", "flow", "rainfall", "source"]
        read_only_fields = ["source"]
        validators = []


class AlertSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="code", read_only=True)
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    case = serializers.SlugRelatedField(slug_field="number", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "message",
            "section",
            "station",
            "parameter",
            "value",
            "opened_at",
            "last_seen_at",
            "cleared_at",
            "occurrences",
            "is_open",
            "case",
        ]


def _require_entry(request) -> None:
    if not can_enter(request.user):
        raise PermissionDenied("只有河长办和职能部门工作人员可以写入监测数据")


class SampleListView(generics.ListCreateAPIView):
    """Water quality samples the user may see, newest first; POST adds one (classified on arrival)."""

    serializer_class = SampleSerializer
    filterset_class = SampleFilterSet

    def get_queryset(self):
        return visible(Sample.objects.select_related("section", "station"), self.request.user)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "data" in kwargs:
            serializer.fields["section"].queryset = visible(
                Section.objects.select_related("water_body", "region"), self.request.user
            )
        return serializer

    def create(self, request, *args, **kwargs):
        _require_entry(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            done = record_sample(
                data["section"],
                data["taken_at"],
                data["values"],
                source=Source.MANUAL,
                interval=data.get("interval", Interval.SAMPLE),
                flags=data.get("flags") or {},
                note=data.get("note", ""),
                user=request.user,
            )
        except EntryError as exc:
            code = status.HTTP_409_CONFLICT if "已有数据" in exc.message else status.HTTP_400_BAD_REQUEST
            return Response({exc.field: [exc.message]}, status=code)
        body = SampleSerializer(done.sample).data
        return Response(body, status=status.HTTP_201_CREATED if done.created else status.HTTP_200_OK)


class SampleDetailView(generics.RetrieveAPIView):
    serializer_class = SampleSerializer

    def get_queryset(self):
        return visible(Sample.objects.select_related("section", "station"), self.request.user)


class SectionSeriesView(APIView):
    """One section's values over time, per parameter, for charts: [[time, value], …] oldest first."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "parameter", str, many=True, description="parameter keys (default: all present)"
            ),
            OpenApiParameter("days", int, description="how far back (default 365)"),
        ],
        responses={200: dict},
    )
    def get(self, request, pk):
        section = get_object_or_404(visible(Section.objects.all(), request.user), pk=pk)
        keys = [k for k in request.query_params.getlist("parameter") if k in PARAMETERS] or list(PARAMETERS)
        try:
            days = max(1, min(int(request.query_params.get("days", 365)), 3660))
        except ValueError:
            return Response({"days": ["应为整数"]}, status=400)
        since = timezone.now() - datetime.timedelta(days=days)
        data = overview.series(section, keys, since)
        return Response(
            {
                "section": section.code,
                "target_class": section.target_class,
                "series": {k: v for k, v in data.items() if v},
            }
        )


class ReadingListView(generics.ListCreateAPIView):
    """Hydrological readings (water level, flow, rainfall); POST adds one."""

    serializer_class = ReadingSerializer
    filterset_class = ReadingFilterSet

    def get_queryset(self):
        return visible(Reading.objects.select_related("station"), self.request.user)

    def create(self, request, *args, **kwargs):
        _require_entry(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        station = data["station"]
        if not visible(Station.objects.filter(pk=station.pk), request.user).exists():
            return Response({"station": ["不在您的管辖范围内"]}, status=400)
        try:
            reading, created = record_reading(
                station,
                data["observed_at"],
                water_level=data.get("water_level"),
                flow=data.get("flow"),
                rainfall=data.get("rainfall"),
            )
        except EntryError as exc:
            code = status.HTTP_409_CONFLICT if "已有不同" in exc.message else status.HTTP_400_BAD_REQUEST
            return Response({exc.field: [exc.message]}, status=code)
        return Response(
            ReadingSerializer(reading).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class AlertListView(generics.ListAPIView):
    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet

    def get_queryset(self):
        return visible(Alert.objects.select_related("section", "station", "case"), self.request.user)


class Hj212View(APIView):
    """HJ 212 frames over HTTP (for stations and gateways that cannot keep a TCP connection): the body holds one
    or more frames, one per line; the answer lists, per frame, whether it was stored and the reply frame."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(request=str, responses={200: dict})
    def post(self, request):
        from hezhang.monitoring.receiving import receive_lines

        raw = request.body
        if len(raw) > 256 * 1024:
            return Response({"error": "too_large", "message": "请求过大"}, status=413)
        peer = request.META.get("REMOTE_ADDR", "")
        results = receive_lines(peer, raw)
        bad = [r for r in results if not r["ok"]]
        code = status.HTTP_200_OK if not bad else status.HTTP_400_BAD_REQUEST
        if results and len(bad) < len(results):
            code = status.HTTP_200_OK
        return Response({"frames": results}, status=code)
