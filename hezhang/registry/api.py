"""REST API (v1) for every registry kind: the same filters as the list pages, scoped to the user."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import APIException, PermissionDenied

from hezhang.accounts.jurisdiction import can_edit, visible
from hezhang.accounts.models import PROFILE_FIELDS, User
from hezhang.geo.validation import GeometryError
from hezhang.history.context import acting_as
from hezhang.registry.forms import clean_geometry_value
from hezhang.registry.kinds import KINDS

READ_ONLY = ("pinyin", "path", "min_lon", "min_lat", "max_lon", "max_lat", "length_m", "area_m2")


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record may only be chosen from inside the requesting user's jurisdiction."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return visible(queryset, request.user) if request is not None else queryset.none()


class RegistrySerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedRelatedField
    crs = serializers.ChoiceField(
        choices=["wgs84", "gcj02", "bd09"],
        write_only=True,
        required=False,
        help_text="输入几何的坐标系；存储时一律转换为 WGS84",
    )

    def validate_geometry(self, value):
        crs = self.initial_data.get("crs") or "wgs84"
        try:
            return clean_geometry_value(value, self.Meta.model.geometry_types, crs)
        except (GeometryError, ValueError) as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate(self, attrs):
        attrs.pop("crs", None)
        # The model's own rules (code hierarchy, date order…) apply to the API as to the pages.
        instance = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        m2m = {f.name for f in self.Meta.model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in m2m:
                setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


def serializer_for(kind):
    model = kind.model
    if model is User:
        return UserSerializer
    geometry_types = getattr(model, "geometry_types", ())
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": "__all__",
            "read_only_fields": [f for f in READ_ONLY if any(x.name == f for x in model._meta.fields)],
        },
    )
    attrs = {"Meta": meta}
    if not geometry_types:
        attrs["crs"] = None
    return type(f"{model.__name__}Serializer", (RegistrySerializer,), attrs)


class UserSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedRelatedField
    password = serializers.CharField(write_only=True, required=False, min_length=8)

    class Meta:
        model = User
        fields = ["id", "username", *PROFILE_FIELDS, "is_active", "password"]

    def validate_role(self, value):
        request = self.context.get("request")
        if value == "admin" and not request.user.is_platform_admin:
            raise serializers.ValidationError("只有系统管理员可以创建系统管理员")
        return value

    def create(self, validated):
        password = validated.pop("password", None)
        user = User(**validated)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        return user

    def update(self, instance, validated):
        password = validated.pop("password", None)
        for key, value in validated.items():
            setattr(instance, key, value)
        if password:
            instance.set_password(password)
        instance.save()
        return instance


class Conflict(APIException):
    status_code = 409
    default_code = "protected"


class RegistryPermission(permissions.IsAuthenticated):
    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or can_edit(request.user)


class RegistryViewSet(viewsets.ModelViewSet):
    kind = None
    permission_classes = [RegistryPermission]

    def get_queryset(self):
        qs = self.kind.model.objects.all()
        if self.kind.select_related:
            qs = qs.select_related(*self.kind.select_related)
        return visible(qs, self.request.user).order_by("pk")

    def perform_create(self, serializer):
        self._save_inside_jurisdiction(serializer)

    def perform_update(self, serializer):
        self._save_inside_jurisdiction(serializer)

    def perform_destroy(self, instance):
        # Token users are only known once DRF has authenticated them, after the middleware ran.
        try:
            with acting_as(self.request.user, "api"), transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            blockers = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
            raise Conflict(f"仍有关联的{'、'.join(blockers)}，不能删除") from None

    def _save_inside_jurisdiction(self, serializer):
        with acting_as(self.request.user, "api"), transaction.atomic():
            obj = serializer.save()
            if not can_edit(self.request.user, obj):
                transaction.set_rollback(True)
                raise PermissionDenied("保存后该记录将不在您的管辖范围内")


def viewset_for(kind):
    return type(
        f"{kind.model.__name__}ViewSet",
        (RegistryViewSet,),
        {
            "kind": kind,
            "serializer_class": serializer_for(kind),
            "filterset_class": kind.filterset,
            "queryset": kind.model.objects.none(),
        },
    )


VIEWSETS = {slug: viewset_for(kind) for slug, kind in KINDS.items()}
