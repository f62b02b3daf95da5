"""A real Chromium (Debian's package) driven by Playwright against the live test server."""

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(os.environ.get("HEZHANG_SCREENSHOTS", Path(__file__).resolve().parents[3] / "screenshots"))


def chromium_path() -> str:
    path = os.environ.get("HEZHANG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: scripts/test.sh installs Debian's chromium package")
    return path


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    yield page
    context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str, password: str = "s3cret-pass-123") -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(page.base + "/")


# Rows the migrations seed (case states and categories, the checklist, default patrol rules). A live-server test
# runs in a transactional database that is flushed after each test, seeded rows included, so every browser test
# puts them back first: each one then sees the database a fresh installation has, whatever ran before it.
SEEDS = [
    ("hezhang.cases.migrations.0002_states_and_categories", "seed"),
    ("hezhang.cases.migrations.0004_english_names", "fill"),
    ("hezhang.patrols.migrations.0002_checklist_and_default_rules", "load"),
    ("hezhang.monitoring.migrations.0002_default_alert_rules", "seed"),
]


@pytest.fixture(autouse=True)
def seeded_rows(transactional_db):
    import importlib

    from django.apps import apps

    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)
