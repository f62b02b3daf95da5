"""Every demo account logs in and finds its jurisdiction's water bodies, reaches and chiefs on the workbench map."""

import re

import pytest

from hezhang.registry.demo import DEMO_PASSWORD, build_county
from hezhang.registry.demo.accounts import DEMO_ACCOUNTS
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def layer_count(overlays: str, name: str) -> int:
    match = re.search(rf"{name} \((\d+)\)", overlays)
    assert match, overlays
    return int(match.group(1))


def test_each_demo_role_sees_its_rivers_and_chiefs_on_the_map(page, transactional_db):
    build_county(seed=7)
    counts = {}
    for username, _zh, _en in DEMO_ACCOUNTS:
        page.context.clear_cookies()
        log_in(page, username, DEMO_PASSWORD)
        page.wait_for_selector("#map[data-ready='1']")
        overlays = page.inner_text(".leaflet-control-layers-overlays")
        counts[username] = (layer_count(overlays, "水体"), layer_count(overlays, "河段"))
        assert counts[username][0] > 0 and counts[username][1] > 0, username
        assert page.locator("table.grid").last.locator("tbody tr").count() > 0, f"{username} sees no chiefs"
        if username in ("township_office", "township_chief", "village_chief"):
            shot(page, f"demo-workbench-{username}")
    # Narrower jurisdictions see fewer reaches than the county office.
    assert counts["township_office"][1] < counts["county_office"][1]
    assert counts["grid_member"][1] <= counts["township_office"][1]
    assert counts["admin"][1] >= counts["county_office"][1]
