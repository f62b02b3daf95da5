from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.static import serve

from hezhang.accounts import views as accounts_views

admin.site.site_header = "河长制信息平台 · 系统管理"

urlpatterns = [
    path("", accounts_views.Workbench.as_view(), name="home"),
    path("accounts/", include("hezhang.accounts.urls")),
    path("registry/", include("hezhang.registry.urls")),
    path("cases/", include("hezhang.cases.urls")),
    path("notifications/", include("hezhang.notifications.urls")),
    path("public/", include("hezhang.registry.public_urls")),
    path("public/", include("hezhang.cases.public_urls")),
    path("api/", include("hezhang.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Uploaded files (dossier attachments…) are for staff; public copies get their own route when needed.
    path("media/<path:path>", login_required(serve), {"document_root": settings.MEDIA_ROOT}),
]
