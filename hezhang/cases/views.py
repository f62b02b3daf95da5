"""Dispatch centre (调度中心), case page with its timeline, handler's list, and staff intake."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from hezhang.accounts.models import Role
from hezhang.cases import workflow
from hezhang.cases.access import visible_cases
from hezhang.cases.filters import QUEUES, CaseFilterSet, queue_q
from hezhang.cases.forms import ActionForm, CategoryForm, IntakeForm
from hezhang.cases.intake import IntakeError, attach_photo, create_case
from hezhang.cases.models import Case, CaseCategory
from hezhang.cases.photos import PhotoError, inspect
from hezhang.cases.upload_errors import describe

LIST_RELATED = ("state", "category", "region", "department", "office", "reach")


def cases_for(user):
    return visible_cases(Case.objects.select_related(*LIST_RELATED), user)


class Dispatch(LoginRequiredMixin, View):
    def get(self, request):
        base = cases_for(request.user)
        params = request.GET.copy()
        if "queue" not in params:
            params["queue"] = "open"
        filterset = CaseFilterSet(params, queryset=base, request=request)
        rows = filterset.qs if filterset.is_valid() else base.none()
        page = Paginator(rows.order_by("-created_at"), 30).get_page(request.GET.get("page"))
        counts = {key: base.filter(queue_q(key)).count() for key in QUEUES if key != "closed"}
        query = params.copy()
        query.pop("page", None)
        return render(
            request,
            "cases/dispatch.html",
            {
                "filterset": filterset,
                "page": page,
                "queues": [(k, label, counts.get(k)) for k, label in QUEUES.items()],
                "queue": params["queue"],
                "query": query.urlencode(),
                "is_office": request.user.role == Role.OFFICE or request.user.is_platform_admin,
            },
        )


class Bulk(LoginRequiredMixin, View):
    """Accept or assign several cases at once; each one still goes through the workflow's own checks."""

    def post(self, request):
        action = request.POST.get("action")
        if action not in ("accept", "assign"):
            raise PermissionDenied
        cases = cases_for(request.user).filter(number__in=request.POST.getlist("numbers"))
        params = {}
        if action == "assign":
            from hezhang.accounts.jurisdiction import visible
            from hezhang.registry.models import Department

            department = (
                visible(Department.objects.all(), request.user)
                .filter(pk=request.POST.get("department"))
                .first()
            )
            if department is None:
                messages.error(request, _("请选择交办部门"))
                return redirect(request.POST.get("next") or "cases:dispatch")
            params = {"department": department, "handling_office": None, "handler": None}
        done, refused = 0, []
        for case in cases:
            try:
                workflow.perform(case, request.user, action, **params)
                done += 1
            except workflow.WorkflowError as exc:
                refused.append(f"{case.number}：{exc}")
        messages.success(request, ngettext("已处理 %(n)d 件", "已处理 %(n)d 件", done) % {"n": done})
        for line in refused:
            messages.error(request, line)
        return redirect(request.POST.get("next") or "cases:dispatch")


class Detail(LoginRequiredMixin, View):
    def get(self, request, number, forms=None):
        case = get_object_or_404(cases_for(request.user), number=number)
        actions = workflow.allowed(case, request.user)
        forms = forms or {}
        action_forms = [
            (a, workflow.ACTIONS[a].label, forms.get(a) or ActionForm(action=a, case=case, user=request.user))
            for a in actions
        ]
        photos = list(case.photos.all())
        return render(
            request,
            "cases/detail.html",
            {
                "case": case,
                "events": case.events.select_related("actor", "to_state").order_by("at", "id"),
                "before": [p for p in photos if p.stage == "before"],
                "after": [p for p in photos if p.stage == "after"],
                "videos": list(case.videos.all()),
                "action_forms": action_forms,
                "chiefs": case.chiefs.all(),
                # Delegates supervise and report; the reporter's and chiefs' phones are for those who act on cases.
                "show_phones": request.user.role != Role.DELEGATE,
            },
        )


class Act(LoginRequiredMixin, View):
    def post(self, request, number, action):
        case = get_object_or_404(cases_for(request.user), number=number)
        if action not in workflow.ACTIONS:
            raise PermissionDenied
        form = ActionForm(request.POST, request.FILES, action=action, case=case, user=request.user)
        if not form.is_valid():
            messages.error(request, _("请检查填写的内容"))
            return self.again(request, case, action, form)
        try:
            with transaction.atomic():
                stage = "after" if action in ("complete", "progress") else "before"
                for upload in form.cleaned_data.get("photos") or []:
                    attach_photo(case, upload.read(), upload.name, stage)
                workflow.perform(
                    case,
                    request.user,
                    action,
                    note=form.cleaned_data.get("note", ""),
                    **form.workflow_params(),
                )
        except (workflow.WorkflowError, PhotoError) as exc:
            messages.error(request, describe(exc) if isinstance(exc, PhotoError) else str(exc))
            return self.again(request, case, action, form)
        messages.success(
            request, _("已完成“%(a)s”：%(n)s") % {"a": workflow.ACTIONS[action].label, "n": case.number}
        )
        return redirect("cases:detail", number=case.number)

    def again(self, request, case, action, form):
        view = Detail()
        view.request = request
        response = view.get(request, case.number, forms={action: form})
        response.status_code = 400
        return response


class Mine(LoginRequiredMixin, View):
    """The handler's list, on a phone: what is waiting for me, nearest deadline first."""

    def get(self, request):
        user = request.user
        # Work waiting for the handler: completed cases are the office's turn (verification), not theirs.
        rows = Case.objects.select_related(*LIST_RELATED).filter(state__in=[*workflow.OPEN_WORK, "long_term"])
        if user.role == Role.DEPARTMENT and user.department_id:
            rows = rows.filter(department_id=user.department_id)
        elif user.role == Role.OFFICE and user.region_id:
            rows = rows.filter(handling_office__region_id=user.region_id)
        else:
            rows = rows.filter(handler=user) | rows.filter(chiefs=user)
        rows = rows.distinct().order_by("deadline", "created_at")
        return render(request, "cases/mine.html", {"cases": rows[:200]})


class New(LoginRequiredMixin, View):
    def get(self, request):
        if request.user.role not in (Role.OFFICE, Role.ADMIN) and not request.user.is_superuser:
            raise PermissionDenied
        return render(request, "cases/new.html", {"form": IntakeForm()})

    def post(self, request):
        if request.user.role not in (Role.OFFICE, Role.ADMIN) and not request.user.is_superuser:
            raise PermissionDenied
        form = IntakeForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "cases/new.html", {"form": form}, status=400)
        try:
            photos = [(f.read(), f.name) for f in form.cleaned_data.get("photos") or []]
            for data, name in photos:
                inspect(data, name)
            data = form.cleaned_data
            case, _created = create_case(
                category=data["category"],
                channel=data["channel"],
                lon=data["lon"],
                lat=data["lat"],
                title=data["title"],
                description=data["description"],
                urgency=data["urgency"],
                address=data["address"],
                reporter=request.user,
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                photos=photos,
            )
        except PhotoError as exc:
            form.add_error("photos", describe(exc))
            return render(request, "cases/new.html", {"form": form}, status=400)
        except IntakeError as exc:
            form.add_error(None, str(exc))
            return render(request, "cases/new.html", {"form": form}, status=400)
        messages.success(
            request, _("已登记：%(n)s，已分拨至%(o)s") % {"n": case.number, "o": case.office.name}
        )
        return redirect("cases:detail", number=case.number)


class Categories(LoginRequiredMixin, View):
    """问题类别: the platform's defaults and each region's own, which its office staff keep."""

    def rows(self, user):
        from django.db.models import Q

        from hezhang.accounts.jurisdiction import visible
        from hezhang.registry.models import Region

        regions = visible(Region.objects.all(), user)
        return CaseCategory.objects.filter(Q(region=None) | Q(region__in=regions)).select_related("region")

    def get(self, request, pk=None):
        form = None
        if request.user.can_edit_registry:
            instance = self.editable(request, pk) if pk else None
            form = CategoryForm(instance=instance, user=request.user)
        return render(request, "cases/categories.html", {"categories": self.rows(request.user), "form": form})

    def post(self, request, pk=None):
        if not request.user.can_edit_registry:
            raise PermissionDenied
        instance = self.editable(request, pk) if pk else None
        form = CategoryForm(request.POST, instance=instance, user=request.user)
        if not form.is_valid():
            return render(
                request,
                "cases/categories.html",
                {"categories": self.rows(request.user), "form": form},
                status=400,
            )
        form.save()
        messages.success(request, _("已保存问题类别：%(n)s") % {"n": form.instance.display_name})
        return redirect("cases:categories")

    def editable(self, request, pk):
        # The platform's defaults are edited by system admins in the admin; offices keep their own region's.
        return get_object_or_404(self.rows(request.user).exclude(region=None), pk=pk)


def geojson(request):
    if not request.user.is_authenticated:
        raise PermissionDenied
    rows = cases_for(request.user).filter(state__is_open=True)[:5000]
    features = [
        {
            "type": "Feature",
            "id": c.pk,
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "name": f"{c.number} {c.title}",
                "url": reverse("cases:detail", kwargs={"number": c.number}),
                "state": c.state.display_label,
                "overdue": c.is_overdue,
            },
        }
        for c in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
