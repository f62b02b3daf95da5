"""The columns of each registry kind in import templates, imported files and exports.

A column is a field of the kind's form, shown under the field's Chinese verbose name (the English field name is
accepted too). Related records are written as natural keys, never ids: a region by its 12-digit code, a water
body, reach or grid by its code, a person by username, a department as "区划代码/名称", a plan as "水体编码/标题".
Point kinds carry 经度/纬度 (+ 坐标系) columns; line and polygon kinds a 几何(GeoJSON) column.
"""

import functools
import re
from dataclasses import dataclass, field

from django import forms
from django.db import models
from django.utils import translation
from django.utils.translation import gettext

from hezhang.accounts.models import User
from hezhang.registry import models as m
from hezhang.registry.forms import UserForm
from hezhang.registry.kinds import KINDS, Kind

GEOMETRY_LABEL = "几何(GeoJSON)"
CRS_VALUES = "wgs84（GPS、天地图、CGCS2000）、gcj02（高德、腾讯、微信）、bd09（百度）；留空为 wgs84"


@dataclass(frozen=True)
class Column:
    """One column of a file. `type` says how a cell becomes form data and how a record becomes a cell."""

    name: str
    label: str
    type: str  # text number date bool choice fk m2m list password lon lat crs geometry
    model_field: object = None
    aliases: tuple[str, ...] = ()
    exported: bool = True
    help: str = ""

    @property
    def related(self):
        return getattr(self.model_field, "related_model", None)

    @property
    def choices(self) -> list[tuple[object, str]]:
        with translation.override("zh-hans"):
            return [(value, str(label)) for value, label in (self.model_field.choices or [])]

    @property
    def is_geo(self) -> bool:
        return self.type in ("lon", "lat", "crs", "geometry")


@dataclass(frozen=True)
class Spec:
    """How one kind is read and written: its columns, its natural key and the column naming its parent."""

    kind: Kind
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    parent: str | None = None
    examples: dict = field(default_factory=dict)

    @property
    def form_class(self):
        return ImportUserForm if self.kind.model is User else self.kind.form

    @property
    def exported_columns(self) -> list[Column]:
        return [c for c in self.columns if c.exported]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def is_point_kind(self) -> bool:
        return getattr(self.kind.model, "geometry_types", ()) == ("Point",)

    def required_names(self, form) -> list[str]:
        """Columns a file must have: the natural key and every required field without a default."""
        names = []
        for column in self.columns:
            if column.is_geo or column.type == "password":
                continue
            model_field = column.model_field
            if column.name in self.key:
                if not getattr(model_field, "null", False):
                    names.append(column.name)
                continue
            form_field = form.fields.get(column.name)
            has_default = isinstance(model_field, models.Field) and (
                model_field.has_default() or isinstance(model_field, models.BooleanField)
            )
            if form_field is not None and form_field.required and not has_default:
                names.append(column.name)
        return names


class ImportUserForm(UserForm):
    """The user form, except that a new user imported without a password gets an unusable one."""

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("password1") and "password1" in self._errors:
            required = gettext(NEW_USER_NEEDS_PASSWORD)
            kept = [e for e in self._errors["password1"].as_data() if required not in e.messages]
            if kept:
                self._errors["password1"] = self.error_class(kept)
            else:
                del self._errors["password1"]
        return data


# The error UserForm gives a new user without a password, which ImportUserForm drops.
NEW_USER_NEEDS_PASSWORD = "新建用户需要设置密码"

# What identifies each kind's records in a file, and which column (if any) points at a record of the same kind.
KEYS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "regions": (("code",), "parent"),
    "grids": (("code",), None),
    "water-bodies": (("code",), "parent"),
    "reaches": (("code",), None),
    "dossiers": (("water_body",), None),
    "plans": (("water_body", "title"), None),
    "plan-tasks": (("plan", "title"), None),
    "signboards": (("code",), None),
    "assets": (("code",), None),
    "sections": (("code",), None),
    "outfalls": (("code",), None),
    "offices": (("region",), None),
    "departments": (("region", "name"), None),
    "users": (("username",), None),
    "assignments": (("chief", "water_body", "reach", "start_date"), None),
    "delegate-links": (("delegate", "water_body", "reach", "start_date"), None),
}

# Natural key of a related model: (attribute, what it is called in messages).
NATURAL_KEY = {
    m.Region: ("code", "区划代码"),
    m.WaterBody: ("code", "编码"),
    m.Reach: ("code", "河段编码"),
    m.Grid: ("code", "网格编码"),
    User: ("username", "用户名"),
    m.Department: ("name", "“区划代码/名称”"),
    m.RiverPlan: ("title", "“水体编码/标题”"),
}

FK_HELP = {
    m.Region: "填写 12 位区划代码，例如 130523100000",
    m.WaterBody: "填写水体编码",
    m.Reach: "填写河段编码",
    m.Grid: "填写网格编码",
    User: "填写用户名",
    m.Department: "填写“区划代码/部门名称”，例如 130523100000/农业办；只写名称时在本行行政区及其上级行政区中查找",
    m.RiverPlan: "填写“水体编码/一河一策标题”",
}

EXAMPLES: dict[str, dict] = {
    "regions": {"code": "130523100000", "name": "东坝镇", "level": "乡镇", "parent": "130523000000"},
    "grids": {"code": "130523100001-01", "name": "柳庄一网格", "region": "130523100001", "member": "wangwu"},
    "water-bodies": {
        "kind": "河流",
        "name": "清水河",
        "code": "ABA10000000L",
        "region": "130523000000",
        "regions": "130523100000,130523200000",
        "basin_area_km2": 120.5,
        "description": "发源于柳庄村北，向东流出县境",
        "geometry": '{"type": "LineString", "coordinates": [[114.55, 37.1], [114.7, 37.15]]}',
    },
    "reaches": {
        "water_body": "ABA10000000L",
        "name": "清水河东坝段",
        "code": "ABA10000000L-001",
        "region": "130523100000",
        "start_description": "柳庄桥",
        "end_description": "东坝闸",
        "geometry": '{"type": "LineString", "coordinates": [[114.55, 37.1], [114.7, 37.15]]}',
    },
    "dossiers": {
        "water_body": "ABA10000000L",
        "source": "柳庄村北",
        "mouth": "出县境",
        "functions": "防洪、灌溉",
    },
    "plans": {"water_body": "ABA10000000L", "title": "清水河一河一策", "start_year": 2024, "end_year": 2026},
    "plan-tasks": {"plan": "ABA10000000L/清水河一河一策", "title": "清理河道垃圾", "status": "未开始"},
    "signboards": {
        "code": "SB-0001",
        "name": "清水河东坝段公示牌",
        "reach": "ABA10000000L-001",
        "region": "130523100000",
    },
    "assets": {"code": "BJ-0001", "name": "1号雨水篦子", "kind": "雨水篦子", "region": "130523100000"},
    "sections": {
        "code": "DM-0001",
        "name": "清水河出境断面",
        "kind": "交接断面",
        "water_body": "ABA10000000L",
        "region": "130523200000",
        "target_class": "III",
    },
    "outfalls": {
        "code": "PWK-0001",
        "name": "东坝镇污水处理厂排口",
        "kind": "城镇污水处理厂排污口",
        "water_body": "ABA10000000L",
        "region": "130523100000",
        "approved": "是",
    },
    "offices": {
        "region": "130523100000",
        "name": "东坝镇河长办",
        "phone": "0319-5550111",
        "address": "东坝镇政府院内",
    },
    "departments": {
        "region": "130523100000",
        "name": "东坝镇农业办",
        "kind": "农业农村",
        "category_codes": "garbage",
    },
    "users": {
        "username": "zhangsan",
        "name": "张三",
        "role": "河湖长",
        "region": "130523100000",
        "chief_level": "乡级",
        "is_general": "否",
        "position": "镇长",
        "phone": "13900000000",
        "is_active": "是",
    },
    "assignments": {
        "chief": "zhangsan",
        "level": "乡级",
        "water_body": "ABA10000000L",
        "reach": "ABA10000000L-001",
        "region": "130523100000",
        "start_date": "2024-01-01",
    },
    "delegate-links": {
        "delegate": "lisi",
        "water_body": "ABA10000000L",
        "reach": "ABA10000000L-001",
        "region": "130523100000",
        "start_date": "2024-01-01",
        "note": "县人大代表联系河湖",
    },
}
POINT_EXAMPLE = {"lon": 114.6, "lat": 37.12, "crs": "wgs84"}


def _type_of(model_field, form_field) -> str:
    if isinstance(model_field, models.ManyToManyField):
        return "m2m"
    if isinstance(model_field, models.ForeignKey):
        return "fk"
    if getattr(model_field, "choices", None):
        return "choice"
    if isinstance(model_field, models.BooleanField):
        return "bool"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.JSONField):
        return "list"
    if isinstance(model_field, models.FloatField | models.IntegerField | models.DecimalField):
        return "number"
    if isinstance(form_field, forms.IntegerField | forms.FloatField):
        return "number"
    return "text"


def _help(column_type: str, model_field) -> str:
    parts = []
    if column_type in ("fk", "m2m"):
        parts.append(FK_HELP.get(model_field.related_model, ""))
        if column_type == "m2m":
            parts.append("多个用逗号、顿号或空格分隔")
    elif column_type == "choice":
        with translation.override("zh-hans"):
            shown = "、".join(f"{label}({value})" for value, label in model_field.choices)
        parts.append(f"可选：{shown}；填中文名称或括号中的代码均可")
    elif column_type == "bool":
        parts.append("填 是 或 否")
    elif column_type == "date":
        parts.append("日期，例如 2024-01-31")
    elif column_type == "number":
        parts.append("数字")
    elif column_type == "list":
        parts.append("多个用逗号分隔")
    help_text = str(getattr(model_field, "help_text", "") or "")
    if help_text:
        parts.append(help_text)
    return "；".join(p for p in parts if p)


def _aliases(name: str, *labels) -> tuple[str, ...]:
    out = {name, name.replace("_", " ")}
    for label in labels:
        out.add(str(label))
    with translation.override("en"):
        out.update(str(label) for label in labels)
    return tuple(sorted(out))


@functools.cache
def spec_for(kind: Kind) -> Spec | None:
    if kind.slug not in KEYS:
        return None
    key, parent = KEYS[kind.slug]
    model = kind.model
    form_class = ImportUserForm if model is User else kind.form
    form_fields = form_class.base_fields
    columns: list[Column] = []
    with translation.override("zh-hans"):
        for name in form_class._meta.fields:
            if name == "geometry":
                continue
            model_field = model._meta.get_field(name)
            column_type = _type_of(model_field, form_fields.get(name))
            label = str(model_field.verbose_name)
            extra = ("区划代码",) if model is m.Region and name == "code" else ()
            columns.append(
                Column(
                    name,
                    label,
                    column_type,
                    model_field,
                    _aliases(name, model_field.verbose_name, *extra),
                    help=_help(column_type, model_field),
                )
            )
        if model is User:
            columns.append(
                Column(
                    "password",
                    "密码",
                    "password",
                    aliases=_aliases("password", "密码"),
                    help="可选。新建用户不填密码时账号暂不能用密码登录；更新时留空表示不修改",
                )
            )
        types = getattr(model, "geometry_types", ())
        if types == ("Point",):
            columns += [
                Column(
                    "lon", "经度", "lon", aliases=("lon", "lng", "longitude", "x", "经度"), help="十进制度数"
                ),
                Column("lat", "纬度", "lat", aliases=("lat", "latitude", "y", "纬度"), help="十进制度数"),
            ]
        if types:
            shown = "、".join(types)
            columns.append(
                Column(
                    "geometry",
                    GEOMETRY_LABEL,
                    "geometry",
                    exported=types != ("Point",),
                    aliases=("geometry", "geojson", "wkt", "几何", "几何(wkt)", "geometry(geojson)"),
                    help=f"GeoJSON 或 WKT，几何类型 {shown}；更新已有记录时留空表示不修改几何",
                )
            )
            columns.append(
                Column("crs", "坐标系", "crs", aliases=("crs", "坐标系", "坐标系统"), help=CRS_VALUES)
            )
    examples = dict(EXAMPLES.get(kind.slug, {}))
    if types == ("Point",):
        examples.update(POINT_EXAMPLE)
    return Spec(kind, tuple(columns), key, parent, examples)


def importable_kinds() -> list[Kind]:
    return [kind for kind in KINDS.values() if spec_for(kind) is not None]


# Header matching -----------------------------------------------------------------------------------------------

_PAREN_TAIL = re.compile(r"\([^()]*\)$")


def normalise_header(text) -> str:
    s = str(text or "").strip().lower().replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", s)


def match_headers(spec: Spec, headers: list[str], truncated: bool = False):
    """Map each header of a file to a column: (header → column, unknown headers, columns given twice)."""
    lookup: dict[str, Column] = {}
    for column in spec.columns:
        for alias in (column.label, *column.aliases):
            lookup.setdefault(normalise_header(alias), column)
    mapping: dict[str, Column] = {}
    unknown, doubled = [], []
    seen: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        if not key:
            continue
        column = lookup.get(key) or lookup.get(_PAREN_TAIL.sub("", key))
        if column is None and truncated and len(key) >= 2:
            # DBF field names are cut to ten bytes: accept a prefix that fits exactly one column.
            hits = {c.name: c for alias, c in lookup.items() if alias.startswith(key)}
            column = next(iter(hits.values())) if len(hits) == 1 else None
        if column is None:
            unknown.append(str(header))
        elif column.name in seen:
            doubled.append((seen[column.name], str(header), column))
        else:
            seen[column.name] = str(header)
            mapping[header] = column
    return mapping, unknown, doubled
