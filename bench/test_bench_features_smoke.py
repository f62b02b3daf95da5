"""The features benchmark's own pieces at toy scale: the layer, the answers, the whole run; never timing."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_features import PYGEOAPI_VENV, build_layer, items_path, make_boxes, pygeoapi_config
from bench.bench_intake import postgres_bin
from hezhang.features.collections import COLLECTIONS
from hezhang.registry.models import Reach

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def layer(db):
    return build_layer(200)


def test_the_layer_is_what_the_models_store(layer):
    assert len(layer.codes) == 200 == Reach.objects.filter(code__in=layer.codes).count()
    assert layer.codes == sorted(layer.codes)  # both servers page by code order
    reach = Reach.objects.select_related("water_body", "region").get(code=layer.codes[7])
    assert layer.properties[7] == COLLECTIONS["reaches"].properties(reach)
    assert layer.lines[7] == reach.geometry["coordinates"] and 10 <= len(layer.lines[7]) <= 40
    for box, line in zip(layer.boxes, layer.lines, strict=True):
        lons, lats = [p[0] for p in line], [p[1] for p in line]
        assert box == (min(lons), min(lats), max(lons), max(lats))


def test_our_items_answer_exactly_the_reaches_whose_box_meets_the_bbox(layer, client):
    found = 0
    for box in make_boxes(40, 20.0, 150.0, seed=1):
        answer = client.get(items_path("/ogc", box, 10_000)).json()
        expected = layer.in_box(box)
        assert [f["id"] for f in answer["features"]] == expected
        assert answer["numberMatched"] == len(expected)
        assert set(layer.intersecting(box)) <= set(expected)
        found += len(expected)
    assert found > 0


def test_pygeoapi_is_configured_as_the_other_server():
    provider = {"type": "feature", "name": "PostgreSQL", "data": {}, "id_field": "code", "table": "reaches"}
    config = pygeoapi_config(8123, provider, (114, 36, 120, 42))
    assert config["server"]["url"] == "http://127.0.0.1:8123"
    assert config["server"]["limits"]["max_items"] >= 10_000  # so that boxes can be fetched whole
    assert config["resources"]["reaches"]["providers"] == [provider]


def _run(*options: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own server, not the suite's
    command = [sys.executable, "-m", "bench.bench_features", "--reaches", "300", "--seconds", "1"]
    command += ["--workers", "1", "--threads", "2", "--check", "8", *options]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def _served(output: str, label: str) -> list[tuple[int, int]]:
    """(answers, errors) of each phase for one server."""
    return [(int(a), int(e)) for e, a in re.findall(rf"  {label} .*? (\d+) errors  \((\d+) in", output)]


def test_our_part_of_the_benchmark_runs_at_toy_scale():
    if postgres_bin() is None:
        pytest.skip(
            "PostgreSQL server programs (initdb, pg_ctl) are not installed: install Debian's postgresql"
        )
    returncode, output = _run("--no-pygeoapi")
    assert returncode == 0, output
    assert "Traceback" not in output and "WRONG" not in output, output
    served = _served(output, "ours")
    assert len(served) == 2 and all(answers > 0 and errors == 0 for answers, errors in served), output


def test_the_comparison_with_pygeoapi_runs_at_toy_scale():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL server programs are not installed")
    if not (PYGEOAPI_VENV / "bin" / "pygeoapi").exists():
        # Installing it takes a minute of pip; the benchmark does it on its first run, this test never does.
        pytest.skip(
            f"pygeoapi's virtualenv {PYGEOAPI_VENV} is not there: run `python -m bench.bench_features`"
        )
    returncode, output = _run()
    assert returncode in (0, 1), output  # 1 is a missed target, which toy scale may miss
    assert "Traceback" not in output and "WRONG" not in output, output
    for label in ("ours", "pygeoapi"):
        served = _served(output, label)
        assert len(served) == 2 and all(answers > 0 and errors == 0 for answers, errors in served), output
    assert len(re.findall(r"ours / pygeoapi: [\d.]+x", output)) == 2, output
    if list(Path("/usr/share/postgresql").glob("*/extension/postgis.control")):
        assert "PostgreSQL provider on a PostGIS" in output, output
