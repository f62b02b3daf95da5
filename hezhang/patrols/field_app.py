"""The field app (巡河 App): an installable web app for chiefs, grid members and delegates, offline first.

The page, its manifest, icons and service worker are served here; the app itself is hezhang/static/hezhang/field.js,
talking to the patrol API. The service worker lives under /patrols/app/ so that its scope is the app alone.
"""

import io
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from hezhang.cases.models import CaseCategory
from hezhang.patrols.models import ChecklistItem


@never_cache
@login_required
@ensure_csrf_cookie
def app(request):
    checklist = [
        {"code": i.code, "label": i.display_label, "kinds": i.water_body_kinds, "category": i.category_id}
        for i in ChecklistItem.objects.filter(active=True)
    ]
    categories = [{"id": c.pk, "name": c.display_name} for c in CaseCategory.objects.filter(region=None)]
    return render(
        request,
        "patrols/app.html",
        {
            "config": {"checklist": checklist, "categories": categories, "user": request.user.display_name},
            "min_fix_seconds": getattr(settings, "HEZHANG_PATROL_MIN_FIX_SECONDS", 4),
        },
    )


def manifest(request):
    icons = [
        {"src": reverse("patrols:app-icon", args=[size]), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    body = {
        "name": _("河长巡河"),
        "short_name": _("巡河"),
        "start_url": reverse("patrols:app"),
        "scope": reverse("patrols:app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5fa5",
        "lang": "zh-CN",
        "icons": icons,
    }
    return JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@cache
def _icon_png(size: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), "#0b5fa5")
    draw = ImageDraw.Draw(image)
    unit = size / 16
    for row in range(3):  # three waves: a river
        y = size * (0.38 + row * 0.14)
        points = [(x * unit, y + (unit * 0.9 if x % 2 else -unit * 0.9)) for x in range(-1, 18)]
        draw.line(points, fill="#ffffff", width=max(2, int(unit * 0.9)), joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def icon(request, size: int):
    if size not in (192, 512):
        return HttpResponse(status=404)
    response = HttpResponse(_icon_png(size), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
def service_worker(request):
    response = render(request, "patrols/sw.js", content_type="application/javascript")
    response["Service-Worker-Allowed"] = reverse("patrols:app")
    return response
