"""The patrol rate page (巡河率) and the blank spots page (巡河空白点), for a region of the user's jurisdiction."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import View

from hezhang.accounts.jurisdiction import region_prefix
from hezhang.accounts.models import User
from hezhang.patrols.frequency import (
    blank_spots,
    rate_by_level,
    rate_by_subregion,
    rate_totals,
    standing,
    statuses,
)
from hezhang.patrols.periods import calendar_period
from hezhang.patrols.standings import kept
from hezhang.registry.models import ChiefAssignment, Reach, Region

# Below the user's own region, the picker offers this many levels; deeper regions are reached by drilling down.
PICKER_DEPTH = 2
MAX_DAYS = 366 * 2

RANGES = [
    ("week", _("本周")),
    ("month", _("本月")),
    ("quarter", _("本季度")),
    ("year", _("本年")),
    ("custom", _("自定义")),
]


class RangeForm(forms.Form):
    """Which region and which dates: a calendar period containing today, or dates typed in."""

    region = forms.ModelChoiceField(label=_("行政区"), queryset=Region.objects.none(), required=False)
    period = forms.ChoiceField(label=_("时段"), choices=RANGES, required=False)
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, regions: QuerySet, empty_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].empty_label = empty_label
        self.fields["region"].label_from_instance = lambda r: "\u3000" * (r.level - 1) + r.name

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        period = data.get("period") or "month"
        if period == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("自定义时段须填写开始和结束日期"))
            if end < start:
                raise forms.ValidationError(_("结束日期不能早于开始日期"))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("时段最长两年"))
        else:
            start, end = calendar_period(period, today)
        data.update(period=period, start=start, end=end)
        return data


def _scope(request) -> tuple[str, Region | None]:
    """The user's subtree prefix and their own region (None for the whole platform)."""
    prefix = region_prefix(request.user)
    if prefix is None:
        raise PermissionDenied
    return prefix, (request.user.region if prefix else None)


def _picker_regions(prefix: str, home: Region | None) -> QuerySet:
    deepest = (home.level if home else 0) + PICKER_DEPTH
    # Without outlines: a picker shows names, and a province's counties' outlines are megabytes.
    regions = Region.objects.filter(level__lte=deepest).defer("geometry")
    return regions.filter(path__startswith=prefix) if prefix else regions


def _choice(request) -> dict:
    """The validated form and what it chose; an invalid form falls back to the user's region this month."""
    prefix, home = _scope(request)
    data = request.GET.copy()
    data.setdefault("period", "month")
    form = RangeForm(
        data,
        regions=_picker_regions(prefix, home),
        empty_label=home.name if home else str(_("全部辖区")),
    )
    today = timezone.localdate()
    start, end = calendar_period("month", today)
    region = home
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        region = form.cleaned_data["region"] or home
    elif request.GET.get("region"):
        # A drill-down link from a page whose dates were invalid still lands on the region.
        region = Region.objects.filter(pk=request.GET["region"], path__startswith=prefix).first() or home
    trail = [r for r in (region.ancestors() + [region] if region else []) if r.path.startswith(prefix)]
    query = data.copy()
    query.pop("region", None)
    query.pop("page", None)
    return {
        "form": form,
        "region": region,
        "home": home,
        "start": start,
        "end": end,
        "trail": trail,
        "query": query.urlencode(),
        "today": today,
    }


def period_tags(status, today) -> str:
    """A patroller's periods as tags (green: met, red: ended unmet, plain: still running), as HTML made here:
    a year of weekly periods for a page of a hundred patrollers is 5 000 tags, which the template language took
    300 ms to render. Only dates and numbers go into it, so nothing needs escaping."""
    tags = []
    for p in status.periods:
        colour = " green" if p.met else "" if p.end >= today else " red"
        tags.append(
            f'<span class="tag{colour}" title="{p.start.isoformat()} — {p.end.isoformat()}">'
            f"{p.start.month}/{p.start.day}–{p.end.month}/{p.end.day} {p.done}/{p.times}</span>"
        )
    return mark_safe(" ".join(tags))  # noqa: S308 - dates and integers only


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class PatrolRates(LoginRequiredMixin, View):
    """巡河率 by level and by sub-region (ranked, drilling down), and who does not meet their rule (a page at a time)."""

    page_size = 100

    def get(self, request):
        context = _choice(request)
        region, start, end = context["region"], context["start"], context["end"]
        # Counted for everyone (kept for the current periods, else as columns); made into statuses, periods and
        # all, only for the page shown.
        everyone = kept(region, start, end, today=context["today"])
        if everyone is not None:
            ids = everyone.unmet().values_list("patroller_id", flat=True)
            unmet = Paginator(ids, self.page_size).get_page(request.GET.get("page"))
            shown = [int(pk) for pk in unmet.object_list]
            live = standing(
                region,
                start,
                end,
                today=context["today"],
                users=User.objects.filter(pk__in=shown),
                names=True,
            )
            where = {int(pk): i for i, pk in enumerate(live.ids.tolist())}
            listed = statuses(live, [where[pk] for pk in shown if pk in where])
        else:
            everyone = standing(region, start, end, names=True)
            unmet = Paginator(everyone.unmet().tolist(), self.page_size).get_page(request.GET.get("page"))
            listed = statuses(everyone, unmet.object_list)
        by_level = rate_by_level(everyone)
        total, total_met = rate_totals(everyone)
        unmet.object_list = [(status, period_tags(status, context["today"])) for status in listed]
        context.update(
            by_level=by_level,
            by_region=rate_by_subregion(everyone, region),
            unmet=unmet,
            unmet_count=unmet.paginator.count,
            page_query=_without_page(request),
            total=total,
            total_met=total_met,
            total_percent=f"{total_met / total * 100:.1f}%" if total else "—",
            show_phones=request.user.can_edit_registry,
        )
        return render(request, "patrols/rates.html", context)


class BlankSpots(LoginRequiredMixin, View):
    """巡河空白点: the reaches of the region with no valid patrol in the period, as a table and on the map."""

    page_size = 100

    def get(self, request):
        context = _choice(request)
        # The blank reaches' ids in order first (one narrow query, however few or many they are), then the page's
        # reaches with their water bodies and regions: ordering and cutting the wide rows in one query had the
        # planner walk every region of a province in code order to find a few dozen blank reaches.
        ids = blank_spots(context["region"], context["start"], context["end"]).order_by(
            "region__code", "code"
        )
        page = Paginator(list(ids.values_list("pk", flat=True)), self.page_size).get_page(
            request.GET.get("page")
        )
        # Without outlines and lines: the map fetches the page's reaches by id, and a river's line alone can be
        # megabytes of JSON to decode.
        found = (
            Reach.objects.filter(pk__in=page.object_list)
            .select_related("water_body", "region")
            .defer("geometry", "water_body__geometry", "region__geometry")
            .in_bulk()
        )
        page.object_list = [found[pk] for pk in page.object_list]
        chiefs: dict[int, list[str]] = {}
        today = timezone.localdate()
        for a in (
            ChiefAssignment.objects.current(today)
            .filter(reach__in=[r.pk for r in page])
            .select_related("chief")
            .order_by("level")
        ):
            chiefs.setdefault(a.reach_id, []).append(a.chief.display_name)
        for reach in page:
            reach.chief_names = "、".join(chiefs.get(reach.pk, []))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(page=page, page_query=query.urlencode())
        return render(request, "patrols/blank_spots.html", context)
