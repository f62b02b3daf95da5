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
