"""Settings come from the environment, and malformed values are refused loudly rather than guessed."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from hezhang.env import envbool, envint, envlist


def test_malformed_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("HEZHANG_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="HEZHANG_DEBUG"):
        envbool("HEZHANG_DEBUG", False)


def test_malformed_integer_is_refused(monkeypatch):
    monkeypatch.setenv("HEZHANG_PORT", "80a")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        envint("HEZHANG_PORT", 8000)


def test_allowed_hosts_are_a_comma_list(monkeypatch):
    monkeypatch.setenv("HEZHANG_ALLOWED_HOSTS", "hz.example.cn, 10.0.0.5")
    assert envlist("HEZHANG_ALLOWED_HOSTS", []) == ["hz.example.cn", "10.0.0.5"]


def settings_in_subprocess(env: dict, expr: str) -> str:
    code = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='hezhang.settings'; django.setup(); from django.conf import settings; print({expr})"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_database_url_switches_to_postgresql():
    engine = settings_in_subprocess(
        {"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/hz", "PATH": ""},
        "settings.DATABASES['default']['ENGINE']",
    )
    assert engine == "django.db.backends.postgresql"


def test_default_is_sqlite_in_shanghai_time_and_chinese():
    out = settings_in_subprocess(
        {"PATH": ""}, "settings.DATABASES['default']['ENGINE'], settings.TIME_ZONE, settings.LANGUAGE_CODE"
    )
    assert out == "django.db.backends.sqlite3 Asia/Shanghai zh-hans"


def test_production_server_refuses_the_development_secret_key():
    result = subprocess.run(
        [sys.executable, "-m", "hezhang.cli", "serve", "--prod"],
        env={"PATH": "", "HEZHANG_DATA_DIR": "/tmp/hezhang-prod-test"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "HEZHANG_SECRET_KEY" in result.stderr


def test_s3_bucket_switches_uploads_to_private_object_storage():
    out = settings_in_subprocess(
        {
            "PATH": "",
            "HEZHANG_S3_BUCKET": "hz-media",
            "HEZHANG_S3_ENDPOINT_URL": "https://oss-cn-beijing.aliyuncs.com",
        },
        "settings.STORAGES['default']['BACKEND'], settings.STORAGES['default']['OPTIONS']['default_acl'], "
        "settings.STORAGES['staticfiles']['BACKEND']",
    )
    assert out == (
        "storages.backends.s3.S3Storage private django.contrib.staticfiles.storage.StaticFilesStorage"
    )
