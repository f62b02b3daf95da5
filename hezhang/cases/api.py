"""REST API (v1) for cases: staff list, read, record and act on cases; the public reports and follows them.

The workflow's rules stay in workflow.py: this module only turns requests into `workflow.perform()` calls and
its refusals into status codes (403 not your step, 409 not now, 400 bad input). Public endpoints share their
validation and rate limits with the 随手拍 page through reporting.py and never show names or phone numbers.

Labels follow the request's language (``Accept-Language: en``): a state's ``label``, a category's ``name`` and an
event's ``label`` are English when English is asked for (a category without an English name keeps its Chinese
one); codes never change and are what clients should compare.
"""

from collections.abc import Mapping

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from hezhang.accounts.models import Role
from hezhang.cases import reporting, workflow
from hezhang.cases.filters import CaseFilterSet
from hezhang.cases.forms import ActionForm, IntakeForm
from hezhang.cases.intake import IntakeError, attach_photo, create_case
from hezhang.cases.models import Case, CaseCategory, Urgency
from hezhang.cases.photos import PhotoError, inspect
from hezhang.cases.public import public_events
from hezhang.cases.upload_errors import describe
from hezhang.cases.views import LIST_RELATED, cases_for
from hezhang.geo.coords import to_wgs84

PARSERS = [JSONParser, MultiPartParser, FormParser]
DETAIL_RELATED = (
    *LIST_RELATED,
    "duplicate_of",
    "reporter",
    "handler",
    "handling_office",
    "water_body",
    "grid",
    "proposed_department",
)
CRS_CHOICES = ["wgs84", "gcj02", "bd09"]
RATINGS = [("satisfied", "满意"), ("fair", "基本满意"), ("unsatisfied", "不满意")]
# Steps staff may ask for through the API; the scheduled job's own steps and the reporter's are not theirs.
STAFF_ACTIONS = [a for a, spec in workflow.ACTIONS.items() if spec.who not in ("system", "reporter")]
# The result notes the public case page shows; every other note stays with the staff.
PUBLIC_NOTES = ("complete", "close", "reject")


def _hours(start, end) -> float | None:
    return round((end - start).total_seconds() / 3600, 2) if start and end else None


def _absolute(request, file) -> str | None:
    if not file:
        return None
    return request.build_absolute_uri(file.url) if request is not None else file.url


def _late(case: Case, now) -> bool:
    """Handled after its deadline: still being worked on past it, or completed (or closed) after it."""
    if case.deadline is None:
        return False
    if case.state.is_open and case.state_id not in ("completed", "verified"):
        finished = None  # still being handled; a completed_at left by a returned verification does not count
    else:
        finished = case.completed_at or case.closed_at
        if finished is None:
            return False  # rejected or merged without ever being handled
    return (finished or now) > case.deadline


# --- what staff see -----------------------------------------------------------------------------------------


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CaseCodedRefSerializer(CaseRefSerializer):
    code = serializers.CharField(read_only=True)


class CaseUserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class CaseCategoryRefSerializer(CaseCodedRefSerializer):
    name = serializers.CharField(
        source="display_name", read_only=True, help_text="按请求语言（Accept-Language）显示的名称"
    )


class CaseStateRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(
        source="display_label", read_only=True, help_text="按请求语言（Accept-Language）显示的名称"
    )
    is_open = serializers.BooleanField(read_only=True)
    is_fixed = serializers.BooleanField(read_only=True)


class CaseListItemSerializer(serializers.Serializer):
    """One case in a list, with the figures statistics are made of."""

    number = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    category = CaseCategoryRefSerializer(read_only=True)
    channel = serializers.CharField(read_only=True, help_text="来源渠道代码（patrol、public、hotline…）")
    state = CaseStateRefSerializer(read_only=True)
    urgency = serializers.CharField(read_only=True, help_text="normal 或 urgent")
    lon = serializers.FloatField(read_only=True)
    lat = serializers.FloatField(read_only=True)
    region = CaseCodedRefSerializer(read_only=True)
    reach = CaseCodedRefSerializer(read_only=True, allow_null=True)
    office = CaseRefSerializer(read_only=True)
    department = CaseRefSerializer(read_only=True, allow_null=True)
    deadline = serializers.DateTimeField(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="未结且已过办理期限")
    is_supervised = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    time_to_accept_hours = serializers.SerializerMethodField(help_text="上报到受理的小时数；未受理为 null")
    time_to_close_hours = serializers.SerializerMethodField(help_text="上报到结案的小时数；未结案为 null")
    overdue = serializers.SerializerMethodField(
        help_text="是否超期办理：仍在办理且已过期限，或办结（结案）晚于期限；没有期限为 false"
    )

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_time_to_accept_hours(self, case):
        return _hours(case.created_at, case.accepted_at)

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_time_to_close_hours(self, case):
        return _hours(case.created_at, case.closed_at)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, case):
        return _late(case, self.context.get("now") or timezone.now())


class CaseEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(source="action_label", read_only=True)
    from_state = serializers.CharField(source="from_state_id", read_only=True, allow_null=True)
    to_state = serializers.CharField(source="to_state_id", read_only=True, allow_null=True)
    actor = CaseUserRefSerializer(read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)
    data = serializers.JSONField(read_only=True)
    public = serializers.BooleanField(read_only=True)
    at = serializers.DateTimeField(read_only=True)


class CasePhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    stage = serializers.CharField(read_only=True, help_text="before 处置前 / after 处置后")
    url = serializers.SerializerMethodField(help_text="去除元数据的公开图；生成之前为 null")
    thumbnail = serializers.SerializerMethodField(help_text="缩略图；生成之前为 null")
    processing = serializers.SerializerMethodField(help_text="公开图和缩略图正在后台生成")
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)
    taken_at = serializers.DateTimeField(read_only=True, allow_null=True)
    lon = serializers.FloatField(read_only=True, allow_null=True)
    lat = serializers.FloatField(read_only=True, allow_null=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, photo):
        return _absolute(self.context.get("request"), photo.public)

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail(self, photo):
        return _absolute(self.context.get("request"), photo.thumbnail)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_processing(self, photo) -> bool:
        return photo.processing


class CaseAllowedActionSerializer(serializers.Serializer):
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    needs_note = serializers.BooleanField(read_only=True)
    fields = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="该操作接受的字段"
    )


class CaseDetailSerializer(CaseListItemSerializer):
    """A case as its staff see it: contacts included (they call back), its timeline, photos and next steps."""

    description = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    reporter = CaseUserRefSerializer(read_only=True, allow_null=True)
    reporter_name = serializers.CharField(read_only=True)
    reporter_phone = serializers.CharField(read_only=True)
    water_body = CaseRefSerializer(read_only=True, allow_null=True)
    grid = CaseRefSerializer(read_only=True, allow_null=True)
    chiefs = CaseUserRefSerializer(many=True, read_only=True)
    proposed_department = CaseRefSerializer(read_only=True, allow_null=True)
    outside_jurisdiction = serializers.BooleanField(read_only=True)
    routing_note = serializers.CharField(read_only=True)
    handler = CaseUserRefSerializer(read_only=True, allow_null=True)
    handling_office = CaseRefSerializer(read_only=True, allow_null=True)
    urge_count = serializers.IntegerField(read_only=True)
    escalation_level = serializers.IntegerField(read_only=True)
    target_date = serializers.DateField(read_only=True, allow_null=True)
    duplicate_of = serializers.CharField(source="duplicate_of.number", read_only=True, allow_null=True)
    rating = serializers.CharField(read_only=True)
    reopen_count = serializers.IntegerField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)
    events = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(help_text="当前用户现在可以执行的操作")

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, case):
        rows = case.events.select_related("actor").order_by("at", "id")
        return CaseEventSerializer(rows, many=True, context=self.context).data

    @extend_schema_field(CasePhotoSerializer(many=True))
    def get_photos(self, case):
        return CasePhotoSerializer(case.photos.all(), many=True, context=self.context).data

    @extend_schema_field(CaseAllowedActionSerializer(many=True))
    def get_allowed_actions(self, case):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [
            {
                "action": action,
                "label": str(workflow.ACTIONS[action].label),
                "needs_note": workflow.ACTIONS[action].needs_note,
                "fields": ActionForm.FIELDS.get(action, ["note"]),
            }
            for action in workflow.allowed(case, user)
        ]


# --- what staff send ----------------------------------------------------------------------------------------


class CaseIntakeSerializer(serializers.Serializer):
    """A case recorded by staff from a hotline call, a delegate, an inspection…"""

    channel = serializers.ChoiceField(choices=IntakeForm.base_fields["channel"].choices, default="hotline")
    category = serializers.PrimaryKeyRelatedField(queryset=CaseCategory.objects.all())
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = serializers.CharField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    crs = serializers.ChoiceField(
        choices=CRS_CHOICES, required=False, help_text="lon/lat 的坐标系，默认 wgs84；存储时一律转换为 WGS84"
    )
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    client_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="客户端生成的编号：带同一编号重发只会得到同一个案件（200）",
    )


class CaseIntakeUploadSerializer(CaseIntakeSerializer):
    photos = serializers.ListField(child=serializers.FileField(), required=False, help_text="处置前照片")


class CaseActionSerializer(serializers.Serializer):
    """The fields a step may take (see allowed_actions[].fields); the workflow decides whether it may be taken."""

    note = serializers.CharField(
        required=False, allow_blank=True, help_text="说明；不予受理、转办、办结等必填"
    )
    department = serializers.IntegerField(required=False, allow_null=True, help_text="交办/转办：职能部门 id")
    handling_office = serializers.IntegerField(
        required=False, allow_null=True, help_text="交办/转办：下级河长办 id"
    )
    handler = serializers.IntegerField(required=False, allow_null=True, help_text="交办/转办：河长（用户）id")
    deadline = serializers.DateTimeField(
        required=False, allow_null=True, help_text="交办/转办的办理期限，或申请延期后的期限（ISO 8601）"
    )
    target_date = serializers.DateField(required=False, allow_null=True, help_text="挂账目标日期")
    duplicate_of = serializers.CharField(required=False, allow_blank=True, help_text="合并：目标案件编号")
    rating = serializers.ChoiceField(choices=RATINGS, required=False)


class CaseActionUploadSerializer(CaseActionSerializer):
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="办结、处置进展：处置后照片（办结必传）"
    )


class CaseActionResultSerializer(serializers.Serializer):
    event = CaseEventSerializer(read_only=True)
    case = CaseDetailSerializer(read_only=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


def _field_errors(pairs) -> dict:
    errors: dict[str, list[str]] = {}
    for name, message in pairs:
        errors.setdefault(name, []).append(str(message))
    return errors


def _detail(case: Case, request, status_code=status.HTTP_200_OK) -> Response:
    # Not narrowed again: the user has just made or moved this case, even if it now lies with someone else.
    case = Case.objects.select_related(*DETAIL_RELATED).get(pk=case.pk)
    return Response(CaseDetailSerializer(case, context={"request": request}).data, status=status_code)


def may_record_cases(user) -> bool:
    """Who records cases by hand: office staff and administrators, as on the intake page."""
    return user.role in (Role.OFFICE, Role.ADMIN) or user.is_superuser


class CaseListView(generics.ListCreateAPIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = PARSERS
    filterset_class = CaseFilterSet
    queryset = Case.objects.none()

    def get_queryset(self):
        return cases_for(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return CaseListItemSerializer if self.request.method == "GET" else CaseIntakeUploadSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        summary="案件列表",
        description=(
            "当前用户可见的案件，最新的在前；筛选与调度中心相同（q、queue、region、category、channel、state、"
            "department）。不带 queue 时返回全部案件（调度中心页面默认只看未结）。"
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="登记案件（热线、代表委员、督查…）",
        description="河长办工作人员和管理员可用。JSON，或 multipart/form-data 附处置前照片（photos，可多张）。",
        request={
            "application/json": CaseIntakeSerializer,
            "multipart/form-data": CaseIntakeUploadSerializer,
            "application/x-www-form-urlencoded": CaseIntakeSerializer,
        },
        responses={
            201: CaseDetailSerializer,
            200: OpenApiResponse(CaseDetailSerializer, description="带相同 client_id 的重发：原来的案件"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="字段 → 错误信息列表"),
            403: DetailSerializer,
            409: OpenApiResponse(DetailSerializer, description="client_id 已被其他案件使用"),
        },
    )
    def post(self, request, *args, **kwargs):
        if not may_record_cases(request.user):
            raise PermissionDenied(_("只有河长办工作人员可以登记案件"))
        serializer = CaseIntakeUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        client_id = (data.get("client_id") or "").strip() or None
        if client_id:
            existing = Case.objects.filter(client_id=client_id).first()
            if existing is not None:
                if not cases_for(request.user).filter(pk=existing.pk).exists():
                    return Response({"detail": _("client_id 已被使用")}, status=status.HTTP_409_CONFLICT)
                return _detail(existing, request)
        try:
            lon, lat = to_wgs84(data["lon"], data["lat"], data.get("crs") or "wgs84")
        except ValueError as exc:
            return Response({"location": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        photos = [(upload.read(), upload.name) for upload in data.get("photos") or []]
        try:
            for content, name in photos:
                inspect(content, name)
        except PhotoError as exc:
            return Response({"photos": [describe(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            case, created = create_case(
                category=data["category"],
                channel=data["channel"],
                lon=lon,
                lat=lat,
                title=data["title"],
                description=data["description"],
                urgency=data["urgency"],
                address=data["address"],
                reporter=request.user,
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                client_id=client_id,
                photos=photos,
            )
        except IntakeError as exc:
            return Response({exc.field: [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return _detail(case, request, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class CaseDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CaseDetailSerializer
    lookup_field = "number"
    queryset = Case.objects.none()

    def get_queryset(self):
        return cases_for(self.request.user).select_related(*DETAIL_RELATED)

    @extend_schema(summary="案件详情", description="含处理记录、照片，以及当前用户现在可以执行的操作。")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def refused(case: Case, user, action: str) -> tuple[int, str] | None:
    """Why the workflow refuses this step, with its status: 409 when the case is not in a state for it (or
    has a request pending, is already rated…), 403 when this user has no right to take it."""
    why = workflow.refusal(case, user, action)
    if why is None:
        return None
    spec = workflow.ACTIONS[action]
    if case.state_id in spec.from_states and not workflow._may(spec, user, case, False):
        return status.HTTP_403_FORBIDDEN, why
    return status.HTTP_409_CONFLICT, why


class CaseActionView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = PARSERS

    @extend_schema(
        summary="执行一步操作（受理、交办、办结、核查…）",
        description=(
            "与案件页面的操作相同，由工作流判断能否执行。交办对象（department、handling_office、handler）只能"
            "从当前用户辖区内选择。办结、处置进展用 multipart/form-data 上传处置后照片（photos）。"
        ),
        parameters=[
            OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=STAFF_ACTIONS),
        ],
        request={
            "application/json": CaseActionSerializer,
            "multipart/form-data": CaseActionUploadSerializer,
            "application/x-www-form-urlencoded": CaseActionSerializer,
        },
        responses={
            200: CaseActionResultSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="字段 → 错误信息列表"),
            403: OpenApiResponse(DetailSerializer, description="当前用户无权执行这一步"),
            404: OpenApiResponse(
                DetailSerializer, description="没有这个案件（或不在辖区内），或没有这个操作"
            ),
            409: OpenApiResponse(DetailSerializer, description="案件当前的状态不允许这一步"),
        },
    )
    def post(self, request, number, action):
        case = get_object_or_404(cases_for(request.user), number=number)
        if action not in workflow.ACTIONS:
            return Response(
                {"detail": _("未知的操作：%(a)s") % {"a": action}}, status=status.HTTP_404_NOT_FOUND
            )
        refusal = refused(case, request.user, action)
        if refusal is not None:
            return Response({"detail": refusal[1]}, status=refusal[0])
        form = ActionForm(request.data, request.FILES, action=action, case=case, user=request.user)
        if not form.is_valid():
            return Response(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()},
                status=status.HTTP_400_BAD_REQUEST,
            )
        params = form.workflow_params()
        other = params.get("duplicate_of")
        if other is not None and not cases_for(request.user).filter(pk=other.pk).exists():
            # Only a case the user can see may be named, so nobody learns of cases outside their jurisdiction.
            message = _("找不到编号为 %(n)s 的案件") % {"n": other.number}
            return Response({"duplicate_of": [message]}, status=status.HTTP_400_BAD_REQUEST)
        note = form.cleaned_data.get("note", "")
        spec = workflow.ACTIONS[action]
        try:
            with transaction.atomic():
                stage = "after" if action in ("complete", "progress") else "before"
                for upload in form.cleaned_data.get("photos") or []:
                    attach_photo(case, upload.read(), upload.name, stage)
                event = workflow.perform(case, request.user, action, note=note, **params)
        except PhotoError as exc:
            return Response({"photos": [describe(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        except workflow.WorkflowError as exc:
            case.refresh_from_db()
            refusal = refused(case, request.user, action)
            if refusal is not None:  # someone else moved the case on in the meantime
                return Response({"detail": refusal[1]}, status=refusal[0])
            photos = form.fields.get("photos")
            if spec.needs_note and not note.strip():
                name = "note"
            elif photos is not None and photos.required and not form.cleaned_data.get("photos"):
                name = "photos"
            elif len(spec.extra) == 1:
                name = spec.extra[0]
            else:
                name = "non_field_errors"
            return Response({name: [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        event = type(event).objects.select_related("actor").get(pk=event.pk)
        detail = _detail(case, request).data
        return Response({"event": CaseEventSerializer(event).data, "case": detail})


# --- the public ---------------------------------------------------------------------------------------------


class PublicReportSerializer(serializers.Serializer):
    category = serializers.IntegerField(help_text="公众可选的问题类别 id")
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    phone = serializers.CharField(
        required=False, allow_blank=True, help_text="11 位手机号，选填，仅用于回复与跟踪，不公开"
    )
    lon = serializers.FloatField(required=False, help_text="不带照片时必填")
    lat = serializers.FloatField(required=False, help_text="不带照片时必填")
    crs = serializers.ChoiceField(
        choices=CRS_CHOICES, required=False, help_text="lon/lat 的坐标系，默认 wgs84"
    )
    client_id = serializers.CharField(
        max_length=64, required=False, help_text="客户端生成的编号：重发只会得到同一个案件（200）"
    )


class PublicReportUploadSerializer(PublicReportSerializer):
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=reporting.MAX_PHOTOS,
        help_text="照片；没有 lon/lat 时用第一张带 GPS 的照片定位",
    )


class PublicReportResultSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True, help_text="案件编号，凭它和手机号跟踪")
    office = serializers.CharField(read_only=True, help_text="受理的河长办")
    tracking_url = serializers.URLField(read_only=True)


class PublicEventSerializer(serializers.Serializer):
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(source="action_label", read_only=True)
    at = serializers.DateTimeField(read_only=True)
    note = serializers.SerializerMethodField(help_text="只有办结、结案、不予受理的说明公开")

    @extend_schema_field(OpenApiTypes.STR)
    def get_note(self, event):
        return event.note if event.action in PUBLIC_NOTES else ""


class PublicPhotoSerializer(serializers.Serializer):
    stage = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField(help_text="生成之前为 null")
    thumbnail = serializers.SerializerMethodField(help_text="生成之前为 null")
    processing = serializers.SerializerMethodField(help_text="公开图和缩略图正在后台生成")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, photo):
        return _absolute(self.context.get("request"), photo.public)

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail(self, photo):
        return _absolute(self.context.get("request"), photo.thumbnail)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_processing(self, photo) -> bool:
        return photo.processing


class PublicCaseSerializer(serializers.Serializer):
    """What anyone may see of a case, as on its public page: no names, no phones, no description."""

    number = serializers.CharField(read_only=True)
    category = serializers.CharField(
        source="category.display_name", read_only=True, help_text="按请求语言（Accept-Language）显示的名称"
    )
    state = CaseStateRefSerializer(read_only=True)
    place = serializers.SerializerMethodField(help_text="河段名，或所在行政区名")
    reported_at = serializers.DateTimeField(source="created_at", read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    rating = serializers.CharField(source="get_rating_display", read_only=True)
    events = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_place(self, case):
        return case.reach.name if case.reach_id else case.region.name

    @extend_schema_field(PublicEventSerializer(many=True))
    def get_events(self, case):
        return PublicEventSerializer(public_events(case), many=True).data

    @extend_schema_field(PublicPhotoSerializer(many=True))
    def get_photos(self, case):
        return PublicPhotoSerializer(case.photos.all(), many=True, context=self.context).data


class PublicReportView(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = PARSERS

    @extend_schema(
        summary="公众随手拍上报",
        description=(
            "无需登录。JSON（此时 lon、lat 必填），或 multipart/form-data 附照片（photos，最多 9 张）。校验和频率"
            "限制与随手拍页面相同。带 client_id 重发（例如网络中断后）返回 200 和同一个编号，而不是 201。"
        ),
        request={
            "application/json": PublicReportSerializer,
            "multipart/form-data": PublicReportUploadSerializer,
            "application/x-www-form-urlencoded": PublicReportSerializer,
        },
        responses={
            201: PublicReportResultSerializer,
            200: OpenApiResponse(PublicReportResultSerializer, description="带相同 client_id 的重发"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="字段 → 错误信息列表"),
            429: OpenApiResponse(DetailSerializer, description="提交过于频繁"),
        },
        auth=[],
    )
    def post(self, request):
        if not isinstance(request.data, Mapping):
            return Response(
                {"non_field_errors": [_("请求内容应为一个对象")]}, status=status.HTTP_400_BAD_REQUEST
            )
        # A phone retrying after a lost answer gets the case it already made, before any other check.
        client_id = request.data.get("client_id")
        if isinstance(client_id, str) and 0 < len(client_id.strip()) <= 64:
            existing = Case.objects.select_related("office").filter(client_id=client_id.strip()).first()
            if existing is not None:
                return Response(self.answer(request, existing), status=status.HTTP_200_OK)
        report, errors = reporting.check(
            request.data,
            request.FILES.getlist("photos"),
            videos=request.FILES.getlist("videos"),
            photo_required=False,
        )
        if not errors and reporting.rate_limited(request, report.phone):
            return Response(
                {"detail": _("提交过于频繁，请稍后再试")}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        if errors:
            return Response(_field_errors(errors), status=status.HTTP_400_BAD_REQUEST)
        try:
            case, created = reporting.submit(report)
        except IntakeError as exc:
            return Response({exc.field: [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            self.answer(request, case), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @staticmethod
    def answer(request, case: Case) -> dict:
        return {
            "number": case.number,
            "office": case.office.name,
            "tracking_url": request.build_absolute_uri(reverse("public-cases:case", args=[case.number])),
        }


class PublicCaseView(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="公众查看案件进展",
        description="与公开案件页相同：类别、状态、地点、日期、公开的处理记录和照片；不含姓名、电话和描述。",
        responses={200: PublicCaseSerializer, 404: DetailSerializer},
        auth=[],
    )
    def get(self, request, number):
        case = get_object_or_404(
            Case.objects.select_related("category", "state", "reach", "region"), number=number
        )
        return Response(PublicCaseSerializer(case, context={"request": request}).data)
