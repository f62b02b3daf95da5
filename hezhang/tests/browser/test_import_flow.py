"""Importing a file as office staff do: a bad file explained row by row, a dry run, then the real import."""

import pytest

from hezhang.registry import models as m
from hezhang.tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser

HEADER = "编码,名称,类型,所在行政区,经度,纬度\n"


def test_bad_rows_are_listed_and_nothing_is_written_then_a_good_file_is_imported(page, world, tmp_path):
    bad = tmp_path / "assets.csv"
    bad.write_text(
        HEADER + "AS-N-1,北闸,sluice,130523200000,114.86,37.25\nAS-N-2,,pump,130523200000,114.87,37.26\n"
        "AS-N-3,南井盖,manhole,130523100000,114.88,37.27\n",
        encoding="gbk",
    )
    log_in(page, "bob")
    page.goto(page.base + "/registry/assets/import/")
    shot(page, "import-form")
    page.set_input_files("input[type=file]", str(bad))
    page.click("form button.primary")
    report = page.inner_text("main")
    assert "第 3 行" in report and "第 4 行" in report
    assert not m.Asset.objects.filter(code__startswith="AS-N").exists()
    shot(page, "import-report-errors")

    good = tmp_path / "assets-good.csv"
    good.write_text(HEADER + "AS-N-1,北闸,sluice,130523200000,114.86,37.25\n", encoding="utf-8-sig")
    page.goto(page.base + "/registry/assets/import/")
    page.set_input_files("input[type=file]", str(good))
    page.check("input[name=dry_run]")
    page.click("form button.primary")
    page.wait_for_selector("text=确认导入")
    assert not m.Asset.objects.filter(code="AS-N-1").exists()
    shot(page, "import-dry-run")
    page.click("button:has-text('确认导入')")
    page.wait_for_load_state("load")
    assert m.Asset.objects.get(code="AS-N-1").name == "北闸"
