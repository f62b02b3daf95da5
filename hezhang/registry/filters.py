"""Which rows: one FilterSet per registry model, used by both the list page and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hezhang.accounts.models import Role, User
from hezhang.registry import models as m


class RegistryFilterSet(filters.FilterSet):
    """Search by name, code or pinyin initials, and narrow to a region's subtree."""

    q = filters.CharFilter(label=_("搜索"), method="search")
    region = filters.ModelChoiceFilter(
        label=_("行政区"),
        queryset=m.Region.objects.all(),
        method="in_region",
    )

    search_fields = ("name", "code")
    region_path = "region__path"

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        # The search box comes first, as people look for a name before they narrow anything down.
        self.filters = {"q": self.filters["q"], **{k: v for k, v in self.filters.items() if k != "q"}}
        if user is not None:
            from hezhang.accounts.jurisdiction import visible

            # Choices offered by the filters never reveal records outside the user's jurisdiction.
            for flt in self.filters.values():
                queryset = getattr(flt, "queryset", None)
                if queryset is not None and hasattr(queryset, "model"):
                    flt.queryset = visible(queryset.model.objects.all(), user)
            if "region" in self.filters:
                self.filters["region"].queryset = self.filters["region"].queryset.filter(level__lte=4)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        if value.isascii() and value.isalpha():
            q |= Q(pinyin__startswith=value.lower())
        return queryset.filter(q)

    def in_region(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(**{f"{self.region_path}__startswith": value.path})


class RegionFilterSet(RegistryFilterSet):
    region_path = "path"

    class Meta:
        model = m.Region
        fields = ["level", "parent"]


class GridFilterSet(RegistryFilterSet):
    class Meta:
        model = m.Grid
        fields = ["member"]


class WaterBodyFilterSet(RegistryFilterSet):
    class Meta:
        model = m.WaterBody
        fields = ["kind", "parent"]

    def in_region(self, queryset, name, value):
        if value is None:
            return queryset
        crossing = m.WaterBody.regions.through.objects.filter(region__path__startswith=value.path)
        return queryset.filter(
            Q(region__path__startswith=value.path) | Q(pk__in=crossing.values("waterbody_id"))
        )


class ReachFilterSet(RegistryFilterSet):
    kind = filters.ChoiceFilter(
        label=_("水体类型"), field_name="water_body__kind", choices=m.WaterBodyKind.choices
    )

    class Meta:
        model = m.Reach
        fields = ["water_body"]


class DossierFilterSet(RegistryFilterSet):
    search_fields = ("water_body__name", "water_body__code")
    region_path = "water_body__region__path"

    def search(self, queryset, name, value):
        value = value.strip()
        q = Q(water_body__name__icontains=value) | Q(water_body__code__icontains=value)
        if value.isascii() and value.isalpha():
            q |= Q(water_body__pinyin__startswith=value.lower())
        return queryset.filter(q) if value else queryset

    class Meta:
        model = m.Dossier
        fields = ["water_body"]


class RiverPlanFilterSet(DossierFilterSet):
    year = filters.NumberFilter(label=_("年份"), method="in_year")

    def search(self, queryset, name, value):
        return super().search(queryset, name, value) | queryset.filter(title__icontains=value.strip())

    def in_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value) if value else queryset

    class Meta:
        model = m.RiverPlan
        fields = ["water_body"]


class PlanTaskFilterSet(RegistryFilterSet):
    search_fields = ("title", "plan__title", "responsible_unit")
    region_path = "plan__water_body__region__path"

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(plan__title__icontains=value) | Q(responsible_unit__icontains=value)
        )

    class Meta:
        model = m.PlanTask
        fields = ["plan", "status", "department"]


class SignboardFilterSet(RegistryFilterSet):
    class Meta:
        model = m.Signboard
        fields = ["reach"]


class AssetFilterSet(RegistryFilterSet):
    class Meta:
        model = m.Asset
        fields = ["kind", "department", "water_body"]


class SectionFilterSet(RegistryFilterSet):
    class Meta:
        model = m.Section
        fields = ["kind", "water_body", "target_class"]


class OutfallFilterSet(RegistryFilterSet):
    class Meta:
        model = m.Outfall
        fields = ["kind", "water_body", "approved"]


class OfficeFilterSet(RegistryFilterSet):
    search_fields = ("name", "region__code", "region__name")

    class Meta:
        model = m.Office
        fields = []


class DepartmentFilterSet(RegistryFilterSet):
    search_fields = ("name",)

    class Meta:
        model = m.Department
        fields = ["kind"]


class TermFilterSet(RegistryFilterSet):
    """Chiefs' assignments and delegates' links: searched by the person's and the water's names (or their pinyin
    initials), and filtered to those held today or not."""

    person = ""  # the field of the person who holds the term

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        if value.isascii() and value.isalpha():
            q |= Q(**{f"{self.person}__pinyin__startswith": value.lower()}) | Q(
                water_body__pinyin__startswith=value.lower()
            )
        return queryset.filter(q)

    def only_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = self.Meta.model.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class ChiefAssignmentFilterSet(TermFilterSet):
    person = "chief"
    search_fields = ("chief__name", "water_body__name", "reach__name", "water_body__code")
    current = filters.BooleanFilter(label=_("现任"), method="only_current")

    class Meta:
        model = m.ChiefAssignment
        fields = ["level", "chief", "water_body", "reach"]


class DelegateLinkFilterSet(TermFilterSet):
    person = "delegate"
    search_fields = ("delegate__name", "water_body__name", "reach__name", "water_body__code")
    current = filters.BooleanFilter(label=_("当前有效"), method="only_current")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["delegate"].queryset = self.filters["delegate"].queryset.filter(role=Role.DELEGATE)

    class Meta:
        model = m.DelegateLink
        fields = ["delegate", "water_body", "reach"]


class UserFilterSet(RegistryFilterSet):
    search_fields = ("name", "username", "position")
    chief_level = filters.ChoiceFilter(
        label=_("河长级别"),
        choices=[(1, _("省级")), (2, _("市级")), (3, _("县级")), (4, _("乡级")), (5, _("村级"))],
    )
    role = filters.ChoiceFilter(label=_("角色"), choices=Role.choices)

    class Meta:
        model = User
        fields = ["role", "chief_level", "is_general", "department"]
