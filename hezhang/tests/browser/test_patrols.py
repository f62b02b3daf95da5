"""The office looks at a patrol in a real browser: the verdict, the track, walked and missed parts of the reach."""

import pytest

from hezhang.patrols.models import PatrolRule
from hezhang.patrols.recording import import_points
from hezhang.patrols.tests.conftest import walk
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_office_sees_a_patrols_track_coverage_and_reasons_on_the_map(page, world):
    # The rule is made here: a live-server test may run after another one has flushed the migrations' rows.
    PatrolRule.objects.create(region=world.town_a, role="chief", period="week", require_checklist=True)
    line = world.reach_a.geometry["coordinates"]
    patrol = import_points(
        world.chief_a, walk(line, 0.15, 0.45, speed=1.4, step_s=10), reaches=[world.reach_a]
    )
    log_in(page, "alice")
    page.goto(page.base + "/patrols/")
    page.click(f"a[href='/patrols/{patrol.pk}/']")
    page.wait_for_selector("#map[data-ready='1']")
    assert "未填写巡查清单（巡而不查）" in page.inner_text(".errors")
    kinds = page.evaluate(
        "JSON.parse(document.getElementById('patrol-map').textContent).features.map(f => f.properties.kind)"
    )
    assert kinds == ["track", "walked", "missed"]
    assert page.locator("#map .leaflet-overlay-pane canvas").count() == 1  # drawn (Leaflet's canvas renderer)
    shot(page, "patrol-detail")


def test_county_office_reads_patrol_rates_by_level_and_township_and_finds_blank_spots(page, world):
    PatrolRule.objects.create(region=None, role="chief", period="month", min_duration_min=10)
    line = world.reach_a.geometry["coordinates"]
    import_points(world.chief_a, walk(line, 0.0, 0.6, speed=1.4, step_s=10), reaches=[world.reach_a])
    log_in(page, "carol")
    page.goto(page.base + "/patrols/rates/")
    text = page.inner_text("main")
    assert "东坝镇" in text and "西河乡" in text
    shot(page, "patrol-rates")
    page.goto(page.base + "/patrols/blank-spots/")
    assert "清水河西河段" in page.inner_text("main")
    shot(page, "patrol-blank-spots")
