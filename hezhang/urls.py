from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.static import serve

from hezhang.patrols import tracking as patrol_tracking
from hezhang.workbench import views as workbench_views

admin.site.site_header = "河长制信息平台 · 系统管理"


def public_media(request, path):
    return serve(request, path, document_root=Path(settings.MEDIA_ROOT) / "public")


def staff_media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("", workbench_views.Home.as_view(), name="home"),
    path("accounts/", include("hezhang.accounts.urls")),
    path("registry/", include("hezhang.registry.urls")),
    path("cases/", include("hezhang.cases.urls")),
    path("notifications/", include("hezhang.notifications.urls")),
    path("public/", include("hezhang.registry.public_urls")),
    path("public/", include("hezhang.cases.public_urls")),
    path("patrols/", include("hezhang.patrols.urls")),
    path("monitoring/", include("hezhang.monitoring.urls")),
    path("ogc/", include("hezhang.features.urls")),
    path("map/", include("hezhang.onemap.urls")),
    path("screen/", include("hezhang.bigscreen.urls")),
    path("statistics/", include("hezhang.statistics.urls")),
    # The OsmAnd protocol of Traccar Client and other trackers (device id in the request, no login).
    path("api/osmand/", patrol_tracking.osmand, name="osmand"),
    path("api/", include("hezhang.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Public copies of photos (EXIF-free, downsized) are for everyone; originals and attachments for staff only.
    path("media/public/<path:path>", public_media),
    path("media/<path:path>", login_required(staff_media)),
]
