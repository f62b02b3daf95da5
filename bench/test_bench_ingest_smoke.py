"""The ingest benchmark's own pieces at toy scale: they run and count right; timing is never checked here."""

import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.bench_ingest import PATROLS, add_chiefs, batch_body, raw_inserts
from bench.bench_intake import build_world, postgres_bin
from hezhang.patrols.models import PatrolPoint

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def chiefs(db):
    return add_chiefs(build_world(), 3, "t1")


def test_each_chief_opens_a_patrol_and_its_batches_are_accepted_whole(chiefs, client):
    chief = chiefs[0]
    headers = {"HTTP_AUTHORIZATION": f"Token {chief.token}"}
    started = time.time() - 3600
    body = {"client_id": "t1-0", "started_at": started, "reaches": [chief.reach_id]}
    response = client.post(PATROLS, body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    chief.patrol, chief.started = response.json()["id"], started
    rng = random.Random(1)
    for _ in range(2):
        answer = client.post(
            f"{PATROLS}{chief.patrol}/points/",
            batch_body(chief, 12, rng),
            content_type="application/json",
            **headers,
        )
        assert answer.status_code == 200 and answer.json() == {
            "accepted": 12,
            "duplicates": 0,
            "rejected": [],
        }
    assert sorted(PatrolPoint.objects.filter(patrol=chief.patrol).values_list("seq", flat=True)) == list(
        range(24)
    )


def test_raw_inserts_write_the_rows_they_count(chiefs):
    phase = raw_inserts(chiefs, batch=12, seconds=30, limit=5)
    assert phase.requests == 5 and phase.accepted == 60 and phase.rate > 0
    assert PatrolPoint.objects.filter(patrol__patroller__in=[c.user_id for c in chiefs]).count() == 60


def test_the_whole_benchmark_runs_at_toy_scale_on_its_own_postgresql():
    if postgres_bin() is None:
        print("PostgreSQL server programs (initdb, pg_ctl) are not installed: install Debian's postgresql")
        pytest.skip("PostgreSQL server programs are not installed")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own server, not the suite's
    command = [sys.executable, "-m", "bench.bench_ingest", "--seconds", "1", "--raw-seconds", "0.3"]
    command += ["--workers", "1", "--threads", "2", "--chiefs", "4", "--batch", "12", "--large-batch", "30"]
    command += ["--no-profile"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output  # 1 is a missed target, which toy scale is expected to miss
    assert "Traceback" not in output, output
    assert "patrols opened (POST /api/v1/patrols/): 4 of 4" in output, output
    for size in (12, 30):
        found = re.search(rf"batches of {size} points: .*?, (\d+) points in .*?, (\d+) failed", output)
        assert found and int(found.group(1)) > 0 and int(found.group(2)) == 0, output
    assert "stored points" not in output, output  # every accepted point is a row in the database
    for size in (12, 30, 1000):
        assert int(re.search(rf"raw insert .*?, {size} rows .*?\((\d+) in", output).group(1)) > 0, output
