"""Settings, read from the environment (see README: 配置 / Configuration)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from hezhang.env import envbool, envfloat, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(envstr("HEZHANG_DATA_DIR", str(PROJECT_DIR / "var")))

DEBUG = envbool("HEZHANG_DEBUG", False)
SECRET_KEY = envstr("HEZHANG_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and envbool("HEZHANG_REQUIRE_SECRET", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("HEZHANG_SECRET_KEY must be set in production")
    # A development key: the production server (`hezhang serve --prod`) refuses to start without a real one.
    SECRET_KEY = "hezhang-development-key-not-for-production"
ALLOWED_HOSTS = envlist("HEZHANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("HEZHANG_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "hezhang.accounts",
    "hezhang.registry",
    "hezhang.history",
    "hezhang.jobs",
    "hezhang.notifications",
    "hezhang.cases",
    "hezhang.patrols",
    "hezhang.monitoring",
    "hezhang.features",
    "hezhang.onemap",
    "hezhang.workbench",
    "hezhang.bigscreen",
    "hezhang.statistics",
    "hezhang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hezhang.history.middleware.ActorMiddleware",
]

ROOT_URLCONF = "hezhang.urls"
WSGI_APPLICATION = "hezhang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hezhang.context.site",
                "hezhang.notifications.context.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'hezhang.sqlite3'}"),
        conn_max_age=envint("HEZHANG_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the map and lists read while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("HEZHANG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("HEZHANG_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even before the first collectstatic
# Front-end libraries come from npm (package.json + lock file) at install time; only their dist folders are served.
NODE_MODULES = Path(envstr("HEZHANG_NODE_MODULES", str(PROJECT_DIR / "node_modules")))
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (f"vendor/{name}", NODE_MODULES / name / sub)
    for name, sub in [
        ("leaflet", "dist"),
        ("leaflet-draw", "dist"),
        ("leaflet.markercluster", "dist"),
        ("leaflet.heat", "dist"),
        ("echarts", "dist"),
    ]
    if (NODE_MODULES / name / sub).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}
if envstr("HEZHANG_S3_BUCKET"):
    # S3-compatible object storage (阿里云 OSS, 腾讯云 COS, MinIO…) for uploads; needs `pip install hezhang[s3]`.
    # Objects stay private and are served through short-lived signed URLs.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("HEZHANG_S3_BUCKET"),
            "endpoint_url": envstr("HEZHANG_S3_ENDPOINT_URL") or None,
            "region_name": envstr("HEZHANG_S3_REGION") or None,
            "access_key": envstr("HEZHANG_S3_ACCESS_KEY_ID"),
            "secret_key": envstr("HEZHANG_S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": envint("HEZHANG_S3_URL_SECONDS", 3600),
            "file_overwrite": False,
        },
    }
STORAGES |= {
    "staticfiles": {
        "BACKEND": envstr(
            "HEZHANG_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Static files straight from the apps and node_modules too, so the demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("HEZHANG_MEDIA_ROOT", str(DATA_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "hezhang.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_VERSION": "v1",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hezhang 河长 API",
    "DESCRIPTION": "河湖长制信息平台 REST API (registry 河湖名录). Token: `Authorization: Token <key>`.",
    "VERSION": "v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Maps: with no tile URL the vector layers alone are shown, which works offline.
HEZHANG_TILE_URL = envstr("HEZHANG_TILE_URL", "")
HEZHANG_TILE_ATTRIBUTION = envstr("HEZHANG_TILE_ATTRIBUTION", "")
HEZHANG_TIANDITU_KEY = envstr("HEZHANG_TIANDITU_KEY", "")
# Geometry outside this lon/lat box is refused unless configured otherwise ("" disables the check).
HEZHANG_EXTENT = envstr("HEZHANG_EXTENT", "73,3,136,54")
# Absolute address printed in signboard QR codes (the public reach page must open from a phone).
HEZHANG_PUBLIC_BASE_URL = envstr("HEZHANG_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
HEZHANG_SITE_NAME = envstr("HEZHANG_SITE_NAME", "河长制信息平台")
HEZHANG_NEAREST_RADIUS_M = envfloat("HEZHANG_NEAREST_RADIUS_M", 500.0)
# How often each process checks whether the registry changed under its routing cache (0: every case; <0: no cache).
HEZHANG_ROUTING_CACHE_SECONDS = envfloat("HEZHANG_ROUTING_CACHE_SECONDS", 5.0)

SESSION_COOKIE_AGE = envint("HEZHANG_SESSION_SECONDS", 12 * 3600)
# Behind nginx or another proxy of ours: the client's address is the last one it appended to X-Forwarded-For.
HEZHANG_BEHIND_PROXY = envbool("HEZHANG_BEHIND_PROXY", False)
# Shared by all worker processes on the machine (rate limits count across them); Redis needs no code change.
CACHES = {
    "default": {
        "BACKEND": envstr("HEZHANG_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"),
        "LOCATION": envstr("HEZHANG_CACHE_LOCATION", str(DATA_DIR / "cache")),
    }
}
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("HEZHANG_BEHIND_TLS", False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("HEZHANG_BEHIND_TLS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("HEZHANG_LOG_LEVEL", "WARNING")},
}

# Notifications
# SMS and email wait in the outbox (/notifications/outbox/) and the background worker (`hezhang worker`) sends them.
# "outbox" (the default) sends nothing and marks them sent, so the demo and the tests work offline.
HEZHANG_SMS_PROVIDER = envstr("HEZHANG_SMS_PROVIDER", "outbox")  # outbox | aliyun | tencent
HEZHANG_SMS_ACCESS_KEY_ID = envstr("HEZHANG_SMS_ACCESS_KEY_ID", "")  # 阿里云 AccessKey ID / 腾讯云 SecretId
HEZHANG_SMS_ACCESS_KEY_SECRET = envstr("HEZHANG_SMS_ACCESS_KEY_SECRET", "")  # AccessKey Secret / SecretKey
HEZHANG_SMS_SIGN_NAME = envstr("HEZHANG_SMS_SIGN_NAME", "河长制")  # the approved signature: 【河长制】
HEZHANG_SMS_TEMPLATE_CODES = envlist(
    "HEZHANG_SMS_TEMPLATE_CODES", []
)  # per event: assigned=SMS_1,urged=SMS_2
HEZHANG_SMS_TEMPLATE_CODE = envstr("HEZHANG_SMS_TEMPLATE_CODE", "")  # the rest: one template with ${content}
HEZHANG_SMS_REGION = envstr("HEZHANG_SMS_REGION", "")  # default cn-hangzhou (阿里云), ap-guangzhou (腾讯云)
HEZHANG_SMS_ENDPOINT = envstr("HEZHANG_SMS_ENDPOINT", "")  # default the provider's public endpoint
HEZHANG_SMS_SDK_APP_ID = envstr("HEZHANG_SMS_SDK_APP_ID", "")  # 腾讯云 SmsSdkAppId
HEZHANG_SMS_TIMEOUT = envint("HEZHANG_SMS_TIMEOUT", 10)
HEZHANG_EMAIL_PROVIDER = envstr("HEZHANG_EMAIL_PROVIDER", "outbox")  # outbox | django (the SMTP server below)
EMAIL_HOST = envstr("HEZHANG_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("HEZHANG_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("HEZHANG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("HEZHANG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("HEZHANG_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("HEZHANG_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("HEZHANG_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = envstr("HEZHANG_EMAIL_FROM", "hezhang@localhost")
HEZHANG_PUBLIC_REPORTS_PER_IP_HOUR = envint("HEZHANG_PUBLIC_REPORTS_PER_IP_HOUR", 20)  # bench raises it
