"""The office's patrol pages (list, detail with the map), GPX export, and a user's tracker set-up."""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from hezhang.patrols.access import visible_patrols
from hezhang.patrols.filters import PatrolFilterSet
from hezhang.patrols.gpx import write_gpx
from hezhang.patrols.models import Patrol
from hezhang.patrols.presenting import patrol_detail
from hezhang.patrols.recording import track_points
from hezhang.patrols.tracking import tracker_for


def patrols_for(user):
    return visible_patrols(Patrol.objects.select_related("patroller", "region"), user)


class PatrolList(LoginRequiredMixin, View):
    def get(self, request):
        filterset = PatrolFilterSet(request.GET, queryset=patrols_for(request.user), request=request)
        rows = filterset.qs.prefetch_related("reaches")
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        return render(request, "patrols/list.html", {"filterset": filterset, "page": page})


class PatrolDetail(LoginRequiredMixin, View):
    def get(self, request, pk):
        patrol = get_object_or_404(patrols_for(request.user), pk=pk)
        detail = patrol_detail(patrol)
        names = {r.pk: r for r in patrol.reaches.all()}
        for row in detail["reaches"]:
            row["reach"] = names.get(row["id"])
        return render(
            request,
            "patrols/detail.html",
            {
                "patrol": patrol,
                "detail": detail,
                "events": patrol.events.select_related("actor"),
                "photos": patrol.photos.all(),
            },
        )


def gpx(request, pk):
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    patrol = get_object_or_404(patrols_for(request.user), pk=pk)
    started = timezone.localtime(patrol.started_at)
    body = write_gpx(
        track_points(patrol),
        name=f"{patrol.patroller} {started:%Y-%m-%d %H:%M}",
        description=", ".join(r.name for r in patrol.reaches.all()),
    )
    response = HttpResponse(body, content_type="application/gpx+xml")
    response["Content-Disposition"] = f'attachment; filename="patrol-{patrol.pk}-{started:%Y%m%d}.gpx"'
    return response


class TrackerSetup(LoginRequiredMixin, View):
    """How to use Traccar Client: the server address and this user's device id, as text and a QR code."""

    def get(self, request):
        tracker = tracker_for(request.user)
        server = request.build_absolute_uri(reverse("osmand"))
        return render(
            request,
            "patrols/tracker.html",
            {"tracker": tracker, "server": server, "now": datetime.datetime.now()},
        )
