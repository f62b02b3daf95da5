"""Forms for the 资料管理 pages. Every choice of a related record is narrowed to the user's jurisdiction."""

import json

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.jurisdiction import visible
from hezhang.accounts.models import PROFILE_FIELDS, User
from hezhang.geo.coords import transform_geojson
from hezhang.geo.validation import GeometryError, validate_geometry
from hezhang.registry import models as m

CRS_CHOICES = [
    ("wgs84", _("WGS84 / CGCS2000（GPS、天地图）")),
    ("gcj02", _("GCJ-02（高德、腾讯、微信）")),
    ("bd09", _("BD-09（百度）")),
]


def configured_extent() -> tuple[float, float, float, float] | None:
    raw = settings.HEZHANG_EXTENT.strip()
    if not raw:
        return None
    a, b, c, d = (float(x) for x in raw.split(","))
    return (a, b, c, d)


def clean_geometry_value(raw, allowed: tuple[str, ...], crs: str = "wgs84") -> dict | None:
    """Parse, convert to WGS84 and validate a geometry typed, drawn or imported; GeometryError says why not."""
    if raw in (None, "", {}):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise GeometryError(_("几何不是有效的 GeoJSON：%(e)s") % {"e": exc.msg}) from None
    if isinstance(raw, dict) and raw.get("type") == "Feature":
        raw = raw.get("geometry")
    if crs and crs != "wgs84":
        raw = transform_geojson(raw, crs)
    return validate_geometry(raw, allowed, configured_extent())


class GeometryField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3, "class": "geometry-input", "spellcheck": "false"})

    def __init__(self, *args, geometry_types=(), **kwargs):
        self.geometry_types = geometry_types
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("几何 (GeoJSON)"))
        kwargs.setdefault("help_text", _("在地图上绘制，或粘贴 GeoJSON"))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value


class RegistryForm(forms.ModelForm):
    """Base form: jurisdiction-narrowed choices and geometry input in any of the three coordinate systems."""

    crs = forms.ChoiceField(label=_("输入坐标系"), choices=CRS_CHOICES, initial="wgs84", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and user is not None:
                field.queryset = visible(queryset.model.objects.all(), user)
        types = getattr(self._meta.model, "geometry_types", ())
        if types and "geometry" in self._meta.fields:
            self.fields["geometry"] = GeometryField(
                geometry_types=types, initial=self.initial.get("geometry")
            )
            self.fields["geometry"].widget.attrs["data-types"] = ",".join(types)
        else:
            self.fields.pop("crs")

    def clean_geometry(self):
        types = self._meta.model.geometry_types
        crs = self.data.get(self.add_prefix("crs")) or "wgs84"
        try:
            return clean_geometry_value(self.cleaned_data.get("geometry"), types, crs)
        except (GeometryError, ValueError) as exc:
            raise forms.ValidationError(str(exc)) from None


class RegionForm(RegistryForm):
    class Meta:
        model = m.Region
        fields = ["code", "name", "level", "parent", "geometry"]


class GridForm(RegistryForm):
    class Meta:
        model = m.Grid
        fields = ["code", "name", "region", "member", "geometry"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level=5)


class WaterBodyForm(RegistryForm):
    class Meta:
        model = m.WaterBody
        fields = [
            "kind",
            "name",
            "code",
            "parent",
            "region",
            "regions",
            "basin_area_km2",
            "length_km",
            "area_km2",
            "description",
            "geometry",
        ]
        widgets = {"regions": forms.SelectMultiple(attrs={"size": 6})}
        help_texts = {"regions": _("留空时按几何自动计算")}

    def clean(self):
        data = super().clean()
        geometry, kind = data.get("geometry"), data.get("kind")
        if geometry and kind:
            linear = kind in m.water.LINEAR_KINDS
            if linear and "Polygon" in geometry["type"]:
                self.add_error("geometry", _("河流、渠道的几何应为中心线 (LineString)"))
            if not linear and "LineString" in geometry["type"]:
                self.add_error("geometry", _("湖泊、水库等的几何应为面 (Polygon)"))
        if geometry and not data.get("regions") and not self.errors and self.instance.pk is None:
            from hezhang.registry.crossing import regions_crossed

            # Left empty on a new water body, the regions crossed are worked out from its geometry.
            data["regions"] = regions_crossed(geometry, self.fields["regions"].queryset)
        return data


class ReachForm(RegistryForm):
    class Meta:
        model = m.Reach
        fields = ["water_body", "name", "code", "region", "start_description", "end_description", "geometry"]


class DossierForm(RegistryForm):
    class Meta:
        model = m.Dossier
        fields = [
            "water_body",
            "source",
            "mouth",
            "functions",
            "flood_standard",
            "water_function_zone",
            "population",
            "facts",
        ]


class RiverPlanForm(RegistryForm):
    class Meta:
        model = m.RiverPlan
        fields = ["water_body", "title", "start_year", "end_year", "problems", "goals"]


class PlanTaskForm(RegistryForm):
    class Meta:
        model = m.PlanTask
        fields = ["plan", "title", "department", "responsible_unit", "deadline", "status"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}


class SignboardForm(RegistryForm):
    class Meta:
        model = m.Signboard
        fields = ["code", "name", "reach", "region", "installed_on", "content", "geometry"]
        widgets = {"installed_on": forms.DateInput(attrs={"type": "date"})}


class AssetForm(RegistryForm):
    class Meta:
        model = m.Asset
        fields = ["code", "name", "kind", "region", "department", "water_body", "geometry"]


class SectionForm(RegistryForm):
    class Meta:
        model = m.Section
        fields = [
            "code",
            "name",
            "kind",
            "water_body",
            "reach",
            "region",
            "upstream_region",
            "target_class",
            "geometry",
        ]


class OutfallForm(RegistryForm):
    class Meta:
        model = m.Outfall
        fields = [
            "code",
            "name",
            "kind",
            "water_body",
            "region",
            "owner",
            "department",
            "approved",
            "geometry",
        ]


class OfficeForm(RegistryForm):
    class Meta:
        model = m.Office
        fields = ["region", "name", "phone", "address"]


class DepartmentForm(RegistryForm):
    category_codes = forms.CharField(
        label=_("负责的问题类别"),
        required=False,
        help_text=_("用逗号分隔的类别代码"),
    )

    class Meta:
        model = m.Department
        fields = ["region", "name", "kind", "phone", "category_codes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["category_codes"] = ", ".join(self.instance.category_codes or [])

    def clean_category_codes(self):
        raw = self.cleaned_data.get("category_codes") or ""
        return [c.strip() for c in raw.replace("，", ",").split(",") if c.strip()]


class ChiefAssignmentForm(RegistryForm):
    class Meta:
        model = m.ChiefAssignment
        fields = ["chief", "level", "water_body", "reach", "region", "start_date", "end_date", "note"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chief"].queryset = self.fields["chief"].queryset.filter(role="chief")


class DelegateLinkForm(RegistryForm):
    class Meta:
        model = m.DelegateLink
        fields = ["delegate", "water_body", "reach", "region", "start_date", "end_date", "note"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = self.fields["delegate"].queryset.filter(role="delegate")


class UserForm(RegistryForm):
    password1 = forms.CharField(
        label=_("密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", *PROFILE_FIELDS, "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = _("新建用户必填；修改时留空表示不改密码")
        if self.user is not None and not self.user.is_platform_admin:
            self.fields["role"].choices = [c for c in self.fields["role"].choices if c[0] != "admin"]
            self.fields["region"].required = True

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("password1"):
            self.add_error("password1", _("新建用户需要设置密码"))
        if data.get("password1"):
            if data.get("password1") != data.get("password2"):
                self.add_error("password2", _("两次输入的密码不一致"))
            else:
                try:
                    password_validation.validate_password(data["password1"], self.instance)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        if data.get("role") == "chief" and not data.get("chief_level"):
            self.add_error("chief_level", _("河长需要填写级别"))
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class DossierAttachmentForm(forms.ModelForm):
    class Meta:
        model = m.DossierAttachment
        fields = ["title", "file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("附件不能超过 50 MB"))
        return upload
