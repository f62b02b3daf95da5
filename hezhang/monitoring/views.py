"""Monitoring pages: the region overview, a section's page, stations, samples and readings entry and import, alerts."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from hezhang.accounts.jurisdiction import visible
from hezhang.accounts.models import Role
from hezhang.monitoring import overview, quality
from hezhang.monitoring.alerts import acknowledge
from hezhang.monitoring.entry import EntryError
from hezhang.monitoring.filters import AlertFilterSet, ReadingFilterSet, SampleFilterSet
from hezhang.monitoring.forms import AlertRuleForm, ImportForm, ReadingForm, SampleForm, StationForm
from hezhang.monitoring.importing import import_readings, import_samples
from hezhang.monitoring.models import Alert, AlertRule, Evaluation, Interval, Period, Reading, Sample, Station
from hezhang.monitoring.parameters import PARAMETERS
from hezhang.monitoring.sampling import evaluation_kind, record_sample
from hezhang.monitoring.stations import record_reading
from hezhang.registry.models import Region, Section


def can_enter(user) -> bool:
    """Office staff, department staff (environment, water) and admins enter and import monitoring data."""
    return getattr(user, "is_authenticated", False) and (
        user.is_platform_admin or user.role in (Role.OFFICE, Role.DEPARTMENT, Role.ADMIN)
    )


def can_manage_rules(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_platform_admin or user.role in (Role.OFFICE, Role.ADMIN)
    )


def sections_for(user):
    return visible(Section.objects.all(), user)


def _query(request) -> str:
    """The list's filters without the page number, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _days(request, default: int) -> int:
    try:
        return max(1, min(int(request.GET.get("days") or default), 3660))
    except ValueError:
        return default


def _month(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


class Permitted(LoginRequiredMixin):
    """A page only some roles may use: `may(user)` decides, `refusal` tells the others why (403)."""

    may = staticmethod(can_enter)
    refusal = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.may(request.user):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)


class Overview(LoginRequiredMixin, View):
    """A region's sections in a month: by class, meeting target or not, the worst first; open alerts; stations."""

    def get(self, request):
        regions = visible(Region.objects.all(), request.user)
        region = None
        if (request.GET.get("region") or "").isdigit():
            region = regions.filter(pk=request.GET["region"]).first()
        sections = sections_for(request.user)
        if region is not None:
            sections = sections.filter(region__path__startswith=region.path)
        months = overview.month_choices(sections)
        month = _month(request.GET.get("month")) or (months[0] if months else None)
        picture = overview.region_picture(sections, month)
        alerts = visible(Alert.objects.filter(cleared_at=None), request.user)
        if region is not None:
            alerts = alerts.filter(region__path__startswith=region.path)
        stations = visible(Station.objects.select_related("section"), request.user)
        if region is not None:
            stations = stations.filter(region__path__startswith=region.path)
        return render(
            request,
            "monitoring/overview.html",
            {
                "regions": regions.filter(
                    level__lte=(request.user.region.level + 1) if request.user.region else 9
                ),
                "region": region,
                "months": months,
                "month": month,
                "picture": picture,
                "alerts": alerts.select_related("section", "station")[:10],
                "open_alerts": alerts.count(),
                "stations": stations.order_by("kind", "code")[:50],
                "now": timezone.now(),
                "can_enter": can_enter(request.user),
            },
        )


class SectionPage(LoginRequiredMixin, View):
    def get(self, request, pk):
        section = get_object_or_404(
            sections_for(request.user).select_related("water_body", "reach", "region", "upstream_region"),
            pk=pk,
        )
        kind = evaluation_kind(section)
        samples = Sample.objects.filter(section=section).select_related("station")
        keys_seen: set[str] = set()
        recent = samples.exclude(interval__in=[Interval.REALTIME, Interval.MINUTE]).order_by("-taken_at")
        for values in recent.values_list("values", flat=True)[:2000]:
            keys_seen.update(values)
        keys = [k for k in PARAMETERS if k in keys_seen]
        since = timezone.now() - datetime.timedelta(days=_days(request, 730))
        charts = []
        data = overview.series(section, keys, since)
        for key in keys:
            parameter = PARAMETERS[key]
            limit = quality.limit(key, section.target_class, kind) if section.target_class else None
            charts.append(
                {
                    "key": key,
                    "name": parameter.name,
                    "unit": parameter.unit,
                    "points": data[key],
                    "limit": limit,
                    "floor": key == "DO",
                }
            )
        months = Evaluation.objects.filter(section=section, period=Period.MONTH).order_by("-start")[:24]
        years = Evaluation.objects.filter(section=section, period=Period.YEAR).order_by("-start")[:5]
        latest = overview.latest_by_section([section.pk]).get(section.pk)
        latest_sample = (
            samples.exclude(interval__in=[Interval.REALTIME, Interval.MINUTE]).order_by("-taken_at").first()
        )
        page = Paginator(samples.order_by("-taken_at"), 30).get_page(request.GET.get("page"))
        return render(
            request,
            "monitoring/section.html",
            {
                "section": section,
                "kind": kind,
                "latest": latest,
                "latest_sample": latest_sample,
                "latest_result": quality.classify(latest_sample.values, kind) if latest_sample else None,
                "trophic": overview.trophic_state(latest_sample, kind),
                "black_odorous": overview.black_odorous_grade(latest_sample),
                "charts": charts,
                "keys": keys,
                "parameters": PARAMETERS,
                "months": months,
                "years": years,
                "page": page,
                "query": _query(request),
                "alerts": Alert.objects.filter(section=section).order_by("-opened_at")[:20],
                "stations": section.stations.all(),
                "can_enter": can_enter(request.user),
            },
        )


class SampleList(LoginRequiredMixin, View):
    def get(self, request):
        rows = visible(Sample.objects.select_related("section", "station"), request.user)
        filterset = SampleFilterSet(request.GET, queryset=rows, request=request)
        page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "monitoring/samples.html",
            {
                "filterset": filterset,
                "page": page,
                "parameters": PARAMETERS,
                "can_enter": can_enter(request.user),
            },
        )


class SampleCreate(Permitted, View):
    may = staticmethod(can_enter)
    refusal = gettext_lazy("只有河长办和职能部门工作人员可以录入监测数据")

    def get(self, request):
        initial = {"taken_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)}
        if request.GET.get("section"):
            initial["section"] = request.GET["section"]
        form = SampleForm(user=request.user, initial=initial)
        return render(request, "monitoring/sample_form.html", {"form": form})

    def post(self, request):
        form = SampleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                done = record_sample(
                    form.cleaned_data["section"],
                    form.cleaned_data["taken_at"],
                    form.values(),
                    flags=form.flags(),
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except EntryError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                sample = done.sample
                if done.created:
                    messages.success(
                        request,
                        _("已保存：%(section)s %(time)s，水质类别 %(cls)s")
                        % {
                            "section": sample.section.name,
                            "time": timezone.localtime(sample.taken_at).strftime("%Y-%m-%d %H:%M"),
                            "cls": overview.class_name(sample.water_class),
                        },
                    )
                else:
                    messages.info(request, _("这条数据已经保存过，未重复保存"))
                return redirect("monitoring:section", sample.section_id)
        return render(request, "monitoring/sample_form.html", {"form": form}, status=400)


class ImportPage(Permitted, View):
    may = staticmethod(can_enter)
    refusal = gettext_lazy("只有河长办和职能部门工作人员可以导入监测数据")

    def get(self, request):
        form = ImportForm(initial={"what": request.GET.get("what", "samples"), "dry_run": True})
        return render(request, "monitoring/import.html", {"form": form, "parameters": PARAMETERS})

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(
                request, "monitoring/import.html", {"form": form, "parameters": PARAMETERS}, status=400
            )
        upload = form.cleaned_data["file"]
        run = import_samples if form.cleaned_data["what"] == "samples" else import_readings
        outcome = run(upload.name, upload.read(), request.user, dry_run=form.cleaned_data["dry_run"])
        return render(
            request,
            "monitoring/import.html",
            {"form": ImportForm(initial=form.cleaned_data), "outcome": outcome, "parameters": PARAMETERS},
            status=200 if outcome.ok else 400,
        )


class StationList(LoginRequiredMixin, View):
    def get(self, request):
        stations = visible(Station.objects.select_related("section", "region"), request.user)
        stations = stations.annotate(open_alerts=Count("alerts", filter=Q(alerts__cleared_at=None))).order_by(
            "kind", "code"
        )
        return render(
            request,
            "monitoring/stations.html",
            {
                "stations": stations,
                "now": timezone.now(),
                "can_enter": can_enter(request.user),
                "can_manage": can_manage_rules(request.user),
            },
        )


class StationPage(LoginRequiredMixin, View):
    def get(self, request, pk):
        station = get_object_or_404(
            visible(Station.objects.select_related("section", "region"), request.user), pk=pk
        )
        days = _days(request, 30)
        since = timezone.now() - datetime.timedelta(days=days)
        readings = Reading.objects.filter(station=station, observed_at__gte=since).order_by("observed_at")
        points = {"water_level": [], "flow": [], "rainfall": []}
        for observed_at, level, flow, rain in readings.values_list(
            "observed_at", "water_level", "flow", "rainfall"
        ):
            stamp = timezone.localtime(observed_at).strftime("%Y-%m-%d %H:%M")
            for key, value in (("water_level", level), ("flow", flow), ("rainfall", rain)):
                if value is not None:
                    points[key].append([stamp, value])
        samples = Sample.objects.filter(station=station).order_by("-taken_at")[:30]
        return render(
            request,
            "monitoring/station.html",
            {
                "station": station,
                "points": points,
                "days": days,
                "recent": Reading.objects.filter(station=station).order_by("-observed_at")[:30],
                "samples": samples,
                "parameters": PARAMETERS,
                "alerts": Alert.objects.filter(station=station).order_by("-opened_at")[:20],
                "can_enter": can_enter(request.user),
                "can_manage": can_manage_rules(request.user),
            },
        )


class ReadingCreate(Permitted, View):
    may = staticmethod(can_enter)
    refusal = gettext_lazy("只有河长办和职能部门工作人员可以录入监测数据")

    def get(self, request):
        initial = {
            "observed_at": timezone.localtime().replace(minute=0, second=0, microsecond=0, tzinfo=None)
        }
        if request.GET.get("station"):
            initial["station"] = request.GET["station"]
        return render(
            request, "monitoring/reading_form.html", {"form": ReadingForm(user=request.user, initial=initial)}
        )

    def post(self, request):
        form = ReadingForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                reading, created = record_reading(
                    data["station"],
                    data["observed_at"],
                    water_level=data["water_level"],
                    flow=data["flow"],
                    rainfall=data["rainfall"],
                )
            except EntryError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                if created:
                    messages.success(request, _("观测数据已保存"))
                else:
                    messages.info(request, _("这条数据已经保存过，未重复保存"))
                return redirect("monitoring:station", reading.station_id)
        return render(request, "monitoring/reading_form.html", {"form": form}, status=400)


class ReadingList(LoginRequiredMixin, View):
    def get(self, request):
        rows = visible(Reading.objects.select_related("station"), request.user)
        filterset = ReadingFilterSet(request.GET, queryset=rows, request=request)
        page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "monitoring/readings.html",
            {"filterset": filterset, "page": page, "query": _query(request)},
        )


class AlertList(LoginRequiredMixin, View):
    def get(self, request):
        rows = visible(
            Alert.objects.select_related("section", "station", "region", "case", "rule"), request.user
        )
        params = request.GET.copy()
        if "open" not in params:
            # Open alerts first; "open=" (any) in the filter form shows cleared ones too.
            params["open"] = "true"
        filterset = AlertFilterSet(params, queryset=rows, request=request)
        page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
        query = params.copy()
        query.pop("page", None)
        return render(
            request,
            "monitoring/alerts.html",
            {
                "filterset": filterset,
                "page": page,
                "query": query.urlencode(),
                "can_manage": can_manage_rules(request.user),
            },
        )


class AlertPage(LoginRequiredMixin, View):
    def get(self, request, pk):
        alert = get_object_or_404(self.rows(request), pk=pk)
        return render(
            request,
            "monitoring/alert.html",
            {
                "alert": alert,
                "events": alert.events.select_related("actor"),
                "can_ack": can_enter(request.user),
            },
        )

    def post(self, request, pk):
        alert = get_object_or_404(self.rows(request), pk=pk)
        if not can_enter(request.user):
            raise PermissionDenied
        acknowledge(alert, request.user, request.POST.get("note", "")[:300])
        messages.success(request, _("已记录“已知悉”"))
        return redirect("monitoring:alert", alert.pk)

    def rows(self, request):
        return visible(
            Alert.objects.select_related("section", "station", "region", "case", "rule"), request.user
        )


class RuleList(LoginRequiredMixin, View):
    def get(self, request):
        rules = visible(
            AlertRule.objects.select_related("region", "section", "station", "category"), request.user
        )
        everywhere = AlertRule.objects.filter(region=None).select_related("section", "station", "category")
        rows = (rules | everywhere).distinct().order_by("kind", "name")
        return render(
            request, "monitoring/rules.html", {"rules": rows, "can_manage": can_manage_rules(request.user)}
        )


class RuleEdit(Permitted, View):
    """Office staff add and change alert rules for their region; platform-wide rules are the admins'."""

    may = staticmethod(can_manage_rules)
    refusal = gettext_lazy("只有河长办工作人员可以设置预警规则")

    def rule(self, request, pk):
        if pk is None:
            return None
        rule = get_object_or_404(AlertRule, pk=pk)
        if rule.region_id is None and not request.user.is_platform_admin:
            raise PermissionDenied(_("全平台通用的规则只能由系统管理员修改"))
        if rule.region_id and not visible(Region.objects.filter(pk=rule.region_id), request.user).exists():
            raise PermissionDenied
        return rule

    def get(self, request, pk=None):
        form = AlertRuleForm(instance=self.rule(request, pk), user=request.user)
        return render(request, "monitoring/rule_form.html", {"form": form})

    def post(self, request, pk=None):
        form = AlertRuleForm(request.POST, instance=self.rule(request, pk), user=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("预警规则已保存"))
            return redirect(reverse("monitoring:rules"))
        return render(request, "monitoring/rule_form.html", {"form": form}, status=400)


class StationEdit(Permitted, View):
    """Office staff register stations in their jurisdiction (an automatic one by its MN and password)."""

    may = staticmethod(can_manage_rules)
    refusal = gettext_lazy("只有河长办工作人员可以登记监测站")

    def station(self, request, pk):
        if pk is None:
            return None
        return get_object_or_404(visible(Station.objects.all(), request.user), pk=pk)

    def get(self, request, pk=None):
        form = StationForm(instance=self.station(request, pk), user=request.user)
        return render(request, "monitoring/station_form.html", {"form": form})

    def post(self, request, pk=None):
        form = StationForm(request.POST, instance=self.station(request, pk), user=request.user)
        if form.is_valid():
            station = form.save()
            messages.success(request, _("监测站已保存"))
            return redirect("monitoring:station", station.pk)
        return render(request, "monitoring/station_form.html", {"form": form}, status=400)
