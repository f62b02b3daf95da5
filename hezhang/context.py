from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.HEZHANG_SITE_NAME,
        "TILE_URL": settings.HEZHANG_TILE_URL,
        "TILE_ATTRIBUTION": settings.HEZHANG_TILE_ATTRIBUTION,
        "TIANDITU_KEY": settings.HEZHANG_TIANDITU_KEY,
    }
