"""The registry's kinds of record, each with its URL slug, form, filters and list columns.

Pages, import, export and the API all look a kind up here, so a new kind is added in one place.
"""

from dataclasses import dataclass, field

from django.db import models as djm
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.models import User
from hezhang.registry import filters as f
from hezhang.registry import forms as fm
from hezhang.registry import models as m


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type[djm.Model]
    form: type
    filterset: type
    columns: tuple[str, ...]
    select_related: tuple[str, ...] = ()
    icon: str = "▪"
    group: str = "water"
    detail_related: tuple[tuple[str, str], ...] = field(default=())

    @property
    def label(self):
        return self.model._meta.verbose_name_plural

    @property
    def singular(self):
        return self.model._meta.verbose_name

    @property
    def has_geometry(self) -> bool:
        return bool(getattr(self.model, "geometry_types", ()))


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in [
        Kind(
            "regions",
            m.Region,
            fm.RegionForm,
            f.RegionFilterSet,
            ("code", "name", "level", "parent"),
            ("parent",),
            group="organisation",
            detail_related=(("children", "regions"), ("reaches", "reaches")),
        ),
        Kind(
            "grids",
            m.Grid,
            fm.GridForm,
            f.GridFilterSet,
            ("code", "name", "region", "member"),
            ("region", "member"),
        ),
        Kind(
            "water-bodies",
            m.WaterBody,
            fm.WaterBodyForm,
            f.WaterBodyFilterSet,
            ("code", "name", "kind", "region", "parent", "length_km", "area_km2"),
            ("region", "parent"),
            detail_related=(
                ("reaches", "reaches"),
                ("tributaries", "water-bodies"),
                ("assignments", "assignments"),
                ("delegate_links", "delegate-links"),
                ("plans", "plans"),
                ("sections", "sections"),
                ("outfalls", "outfalls"),
            ),
        ),
        Kind(
            "reaches",
            m.Reach,
            fm.ReachForm,
            f.ReachFilterSet,
            ("code", "name", "water_body", "region", "length_m"),
            ("water_body", "region"),
            detail_related=(
                ("assignments", "assignments"),
                ("delegate_links", "delegate-links"),
                ("signboards", "signboards"),
                ("sections", "sections"),
            ),
        ),
        Kind(
            "dossiers",
            m.Dossier,
            fm.DossierForm,
            f.DossierFilterSet,
            ("water_body", "source", "mouth", "functions"),
            ("water_body",),
        ),
        Kind(
            "plans",
            m.RiverPlan,
            fm.RiverPlanForm,
            f.RiverPlanFilterSet,
            ("title", "water_body", "start_year", "end_year"),
            ("water_body",),
            detail_related=(("tasks", "plan-tasks"),),
        ),
        Kind(
            "plan-tasks",
            m.PlanTask,
            fm.PlanTaskForm,
            f.PlanTaskFilterSet,
            ("title", "plan", "department", "deadline", "status"),
            ("plan", "department"),
        ),
        Kind(
            "signboards",
            m.Signboard,
            fm.SignboardForm,
            f.SignboardFilterSet,
            ("code", "name", "reach", "region"),
            ("reach", "region"),
        ),
        Kind(
            "assets",
            m.Asset,
            fm.AssetForm,
            f.AssetFilterSet,
            ("code", "name", "kind", "department", "region"),
            ("department", "region"),
        ),
        Kind(
            "sections",
            m.Section,
            fm.SectionForm,
            f.SectionFilterSet,
            ("code", "name", "kind", "water_body", "region", "target_class"),
            ("water_body", "region"),
        ),
        Kind(
            "outfalls",
            m.Outfall,
            fm.OutfallForm,
            f.OutfallFilterSet,
            ("code", "name", "kind", "water_body", "region", "approved"),
            ("water_body", "region"),
        ),
        Kind(
            "offices",
            m.Office,
            fm.OfficeForm,
            f.OfficeFilterSet,
            ("name", "region", "phone"),
            ("region",),
            group="organisation",
        ),
        Kind(
            "departments",
            m.Department,
            fm.DepartmentForm,
            f.DepartmentFilterSet,
            ("name", "kind", "region", "phone"),
            ("region",),
            group="organisation",
        ),
        Kind(
            "users",
            User,
            fm.UserForm,
            f.UserFilterSet,
            ("username", "name", "role", "chief_level", "position", "region"),
            ("region",),
            group="organisation",
            detail_related=(("assignments", "assignments"),),
        ),
        Kind(
            "assignments",
            m.ChiefAssignment,
            fm.ChiefAssignmentForm,
            f.ChiefAssignmentFilterSet,
            ("chief", "level", "water_body", "reach", "region", "start_date", "end_date"),
            ("chief", "water_body", "reach", "region"),
            group="organisation",
        ),
        Kind(
            "delegate-links",
            m.DelegateLink,
            fm.DelegateLinkForm,
            f.DelegateLinkFilterSet,
            ("delegate", "water_body", "reach", "region", "start_date", "end_date"),
            ("delegate", "water_body", "reach", "region"),
            group="organisation",
        ),
    ]
}

GROUPS = [("water", _("河湖")), ("organisation", _("组织与人员"))]


def kind_of_model(model) -> Kind | None:
    for kind in KINDS.values():
        if kind.model is model:
            return kind
    return None


class KindConverter:
    regex = "|".join(KINDS)

    def to_python(self, value: str) -> Kind:
        return KINDS[value]

    def to_url(self, value) -> str:
        return value.slug if isinstance(value, Kind) else value


register_converter(KindConverter, "kind")
