"""随手拍: the public reports a problem from a phone without an app or login, then follows and rates it.

Public pages show categories, places, states and dates — never names or phone numbers.
"""

import datetime
import math
import uuid

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hezhang.cases import reporting, workflow
from hezhang.cases.intake import IntakeError
from hezhang.cases.models import Case, CaseCategory
from hezhang.cases.reporting import PublicReportForm
from hezhang.geo.spatial import metres_per_degree

PUBLIC_ACTIONS = {
    "report",
    "accept",
    "assign",
    "start",
    "complete",
    "close",
    "reject",
    "merge",
    "public_reopen",
    "reopen",
}


def report(request):
    categories = CaseCategory.objects.filter(public=True, region=None)
    if request.method != "POST":
        return render(
            request, "cases/public/report.html", {"categories": categories, "client_id": uuid.uuid4()}
        )
    report_, errors = reporting.check(
        request.POST, request.FILES.getlist("photos"), videos=request.FILES.getlist("videos")
    )
    if not errors and reporting.rate_limited(request, report_.phone):
        errors.append(("rate", _("提交过于频繁，请稍后再试")))
    form = PublicReportForm(request.POST)  # the template puts back what was typed
    if errors:
        return render(
            request,
            "cases/public/report.html",
            {
                "categories": categories,
                "errors": errors,
                "form": form,
                "client_id": request.POST.get("client_id"),
            },
            status=429 if any(f == "rate" for f, _e in errors) else 400,
        )
    try:
        case, _created = reporting.submit(report_)
    except IntakeError as exc:
        return render(
            request,
            "cases/public/report.html",
            {"categories": categories, "errors": [(exc.field, str(exc))], "form": form},
            status=400,
        )
    request.session.setdefault("hz_followed", [])
    request.session["hz_followed"] = [*request.session["hz_followed"][-19:], case.number]
    return redirect("public-cases:done", number=case.number)


def done(request, number):
    case = get_object_or_404(Case.objects.select_related("office", "state"), number=number)
    if number not in request.session.get("hz_followed", []):
        return redirect("public-cases:track")
    return render(request, "cases/public/done.html", {"case": case})


def nearby(request):
    """Open cases of the same kind within 200 m: "already reported? follow it instead"."""
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        category = int(request.GET.get("category") or 0)
    except (KeyError, ValueError):
        return JsonResponse({"error": _("需要 lon、lat 两个数")}, status=400)
    kx, ky = metres_per_degree(lat)
    radius = 200.0
    rows = Case.objects.filter(
        state__is_open=True,
        lon__range=(lon - radius / kx, lon + radius / kx),
        lat__range=(lat - radius / ky, lat + radius / ky),
    ).select_related("category", "state")
    if category:
        rows = rows.filter(category_id=category)
    found = []
    for c in rows[:50]:
        d = math.hypot((c.lon - lon) * kx, (c.lat - lat) * ky)
        if d <= radius:
            found.append(
                {
                    "number": c.number,
                    "category": c.category.display_name,
                    "state": c.state.display_label,
                    "distance_m": round(d),
                    "reported": timezone.localtime(c.created_at).strftime("%m-%d"),
                    "url": reverse("public-cases:case", kwargs={"number": c.number}),
                }
            )
    return JsonResponse({"cases": sorted(found, key=lambda x: x["distance_m"])[:10]})


def public_events(case: Case) -> list:
    return [
        e
        for e in case.events.select_related("to_state").order_by("at", "id")
        if e.public and e.action in PUBLIC_ACTIONS
    ]


def case_page(request, number):
    """Anyone may see a case's public timeline; following it (rate, reopen) needs the reporter's phone."""
    case = get_object_or_404(
        Case.objects.select_related("category", "state", "office", "reach", "region"), number=number
    )
    verified = number in request.session.get("hz_verified", [])
    photos = list(case.photos.all())
    return render(
        request,
        "cases/public/case.html",
        {
            "case": case,
            "events": public_events(case),
            "before": [p for p in photos if p.stage == "before"],
            "after": [p for p in photos if p.stage == "after"],
            "verified": verified,
            "can_rate": verified and workflow.refusal(case, None, "rate", reporter=True) is None,
            "can_reopen": verified and workflow.refusal(case, None, "public_reopen", reporter=True) is None,
            "error": request.session.pop("hz_error", ""),
        },
    )


def track(request):
    error = ""
    if request.method == "POST":
        number = request.POST.get("number", "").strip()
        phone = request.POST.get("phone", "").strip()
        case = Case.objects.filter(number=number).first()
        if case is None or not case.reporter_phone or case.reporter_phone != phone:
            error = _("编号或手机号不正确")
        else:
            request.session["hz_verified"] = [*request.session.get("hz_verified", [])[-19:], number]
            return redirect("public-cases:case", number=number)
    return render(request, "cases/public/track.html", {"error": error}, status=400 if error else 200)


@require_POST
def follow_up(request, number, action):
    case = get_object_or_404(Case, number=number)
    if number not in request.session.get("hz_verified", []) or action not in ("rate", "public_reopen"):
        return redirect("public-cases:track")
    try:
        if action == "rate":
            workflow.perform(
                case,
                None,
                "rate",
                reporter=True,
                rating=request.POST.get("rating"),
                note=request.POST.get("note", ""),
            )
        else:
            workflow.perform(case, None, "public_reopen", reporter=True, note=request.POST.get("note", ""))
    except workflow.WorkflowError as exc:
        request.session["hz_error"] = str(exc)
    return redirect("public-cases:case", number=number)


def map_page(request):
    return render(request, "cases/public/map.html")


def map_data(request):
    """Open cases red, fixed ones green; the last 90 days; no names, no phones, no descriptions."""
    since = timezone.now() - datetime.timedelta(days=90)
    rows = (
        Case.objects.filter(created_at__gte=since)
        .exclude(state__in=["rejected", "merged"])
        .select_related("category", "state")
        .order_by("-created_at")[:5000]
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(c.lon, 5), round(c.lat, 5)]},
            "properties": {
                "number": c.number,
                "category": c.category.display_name,
                "state": c.state.display_label,
                "fixed": c.state.is_fixed,
                "url": reverse("public-cases:case", kwargs={"number": c.number}),
            },
        }
        for c in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
