"""Benchmark of patrol track ingest (巡河轨迹上传) through the real HTTP stack, against a real PostgreSQL.

Run with:  .venv/bin/python -m bench.bench_ingest [--seconds 20] [--workers 4] [--threads 8] [--chiefs 300]

PostgreSQL, the county and the server are those of `bench_intake` (a throwaway cluster on loopback unless
DATABASE_URL is set; `hezhang serve --prod` with gunicorn). The county gets `--chiefs` village chiefs, each
assigned one reach and given an API token; every chief opens a patrol through POST /api/v1/patrols/ (started a day
ago, so that the run never catches up with the clock), and then a pool of client threads sends their track
points to POST /api/v1/patrols/<id>/points/ for a fixed time: each thread takes the chief who has waited longest,
posts that chief's next batch and puts them back. Each batch is a walk along the chief's reach, a fix every 5 s
with GPS noise, accuracy, speed and heading.

Two batch sizes are measured. The judged one is 60 points: the field app records a fix every 5 s and sends its
points every five minutes or 60 fixes (field.js, BATCH_POINTS/BATCH_SECONDS; anything else it has, or the end of
the patrol, goes at once). The second, 12 points (a phone sending every minute), shows how much of the cost is per
request rather than per point.

The reference is the raw rate of inserting the same PatrolPoint rows from this one process with the ORM's
bulk_create, one transaction per batch of the same size, and once more 1000 rows at a time (the database's own
ceiling for these rows). The target is the issue's national peak: 1.2 million chiefs, of whom about one in twenty
patrols at once with a fix every 5 s, i.e. >= 12 000 points/s with a 95th percentile batch latency under 200 ms.
Latency is measured by closed-loop clients, so under saturation it grows with --threads; the figures say how many
were waiting. When a target is missed one batch request is profiled in-process and the functions it spends its
time in are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import http.client
import json
import math
import os
import pstats
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_intake import (
    World,
    build_world,
    cpu_by_owner,
    create_database,
    free_port,
    last_traceback,
    postmaster_pid,
    start_postgres,
    start_server,
    stop_server,
)

TARGET_POINTS = 12_000.0  # accepted points per second
TARGET_P95_MS = 200.0  # 95th percentile of batch latency
BATCH = 60  # the field app: a fix every 5 s, sent every five minutes
LARGE_BATCH = 12  # a phone that sends every minute (not judged)
FIX_INTERVAL_S = 5.0
PATROL_AGE_S = 86400.0  # patrols start a day ago: 17 280 fixes of room before a point would lie in the future
PATROLS = "/api/v1/patrols/"


# --- chiefs, their tokens and their patrols ---------------------------------------------------------------


@dataclass
class Chief:
    """One phone: its token, its reach, its open patrol and the next sequence number it will send."""

    user_id: int
    token: str
    reach_id: int
    path: list[tuple[float, float]]
    patrol: int | None = None
    started: float = 0.0
    seq: int = 0


def add_chiefs(world: World, count: int, run: str) -> list[Chief]:
    """`count` village chiefs spread over the county's reaches, each assigned one reach, with an API token."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from hezhang.history.context import not_recorded
    from hezhang.registry.models import ChiefAssignment, Reach

    User = get_user_model()
    reaches = list(Reach.objects.filter(region__parent=world.county).order_by("pk"))
    with not_recorded(), transaction.atomic():
        users = User.objects.bulk_create(
            User(
                username=f"ingest_{run}_{i}",
                password=make_password(None),  # unusable: these chiefs only ever present a token
                name=f"村河长{i}",
                role="chief",
                region=reaches[i % len(reaches)].region,
                chief_level=5,
            )
            for i in range(count)
        )
        ChiefAssignment.objects.bulk_create(
            ChiefAssignment(
                chief=user,
                water_body_id=reaches[i % len(reaches)].water_body_id,
                reach=reaches[i % len(reaches)],
                region=reaches[i % len(reaches)].region,
                level=5,
            )
            for i, user in enumerate(users)
        )
        tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=user) for user in users)
    return [
        Chief(
            user.pk,
            token.key,
            reaches[i % len(reaches)].pk,
            [tuple(p) for p in reaches[i % len(reaches)].geometry["coordinates"]],
        )
        for i, (user, token) in enumerate(zip(users, tokens, strict=True))
    ]


def next_fixes(chief: Chief, size: int, rng: random.Random) -> list[dict]:
    """The chief's next `size` fixes, walking to and fro along the reach's vertices with 3-8 m of noise."""
    points = []
    path = chief.path
    for _ in range(size):
        seq = chief.seq
        chief.seq += 1
        leg = seq // 6  # about 30 s per vertex: the synthetic vertices lie ~100-300 m apart
        lon, lat = path[leg % len(path)] if (leg // len(path)) % 2 == 0 else path[-1 - leg % len(path)]
        points.append(
            {
                "seq": seq,
                "t": round(chief.started + 1 + seq * FIX_INTERVAL_S, 3),
                "lat": round(lat + rng.gauss(0, 0.00005), 7),
                "lon": round(lon + rng.gauss(0, 0.00006), 7),
                "accuracy": round(rng.uniform(3, 8), 1),
                "speed": round(rng.uniform(0.8, 1.6), 2),
                "heading": round(rng.uniform(0, 360), 1),
            }
        )
    return points


def batch_body(chief: Chief, size: int, rng: random.Random) -> bytes:
    return json.dumps({"crs": "wgs84", "points": next_fixes(chief, size, rng)}).encode()


def post(
    host: str, port: int, path: str, body: bytes, token: str, timeout: float = 60.0
) -> tuple[int, bytes]:
    # A new connection per request: gunicorn's sync workers close it after each answer anyway.
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- sending batches over HTTP ----------------------------------------------------------------------------


@dataclass
class Phase:
    label: str
    batch: int = 0
    requests: int = 0  # answered as expected
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests only
    errors: Counter = field(default_factory=Counter)
    sample_error: str = ""
    cpu: str = ""

    @property
    def rate(self) -> float:
        """Accepted points (or, for starts, requests) per second."""
        return (self.accepted or self.requests) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency in milliseconds at percentile `p` (nearest rank)."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] * 1000


def _clients(threads: int, seconds: float, limit: int | None, one: Callable[[int], None]) -> float:
    counter = iter(range(10**9))
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            with lock:
                n = next(counter)
            if limit is not None and n >= limit:
                return
            one(n)

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started


def open_patrols(base_url: str, chiefs: list[Chief], threads: int, run: str) -> Phase:
    """Every chief starts a patrol on their reach, as the field app's "开始巡河" does."""
    host, port = base_url.split("//", 1)[1].split(":")
    phase = Phase("start")
    lock = threading.Lock()
    started_at = time.time() - PATROL_AGE_S

    def one(n: int) -> None:
        chief = chiefs[n]
        body = json.dumps({"client_id": f"{run}-{n}", "started_at": started_at, "reaches": [chief.reach_id]})
        began = time.perf_counter()
        try:
            status, answer = post(host, int(port), PATROLS, body.encode(), chief.token)
        except OSError as exc:
            status, answer = 0, repr(exc).encode()
        elapsed = time.perf_counter() - began
        with lock:
            if status == 201:
                chief.patrol, chief.started = json.loads(answer)["id"], started_at
                phase.requests += 1
                phase.latencies.append(elapsed)
            else:
                phase.errors[status] += 1
                phase.sample_error = phase.sample_error or answer[:300].decode(errors="replace")

    phase.seconds = _clients(threads, 600, len(chiefs), one)
    return phase


def send_batches(
    base_url: str,
    chiefs: list[Chief],
    *,
    batch: int,
    seconds: float,
    threads: int,
    limit: int | None = None,
    label: str = "",
) -> Phase:
    """Post batches from `threads` clients until `seconds` have passed (or `limit` were sent)."""
    host, port = base_url.split("//", 1)[1].split(":")
    phase = Phase(label, batch=batch)
    lock = threading.Lock()
    waiting = deque(c for c in chiefs if c.patrol is not None)

    def one(n: int) -> None:
        with lock:
            chief = waiting.popleft()
        body = batch_body(chief, batch, random.Random(n))
        path = f"{PATROLS}{chief.patrol}/points/"
        began = time.perf_counter()
        try:
            status, answer = post(host, int(port), path, body, chief.token)
        except OSError as exc:
            status, answer = 0, repr(exc).encode()
        elapsed = time.perf_counter() - began
        with lock:
            waiting.append(chief)
            try:
                result = json.loads(answer) if status == 200 else {}
            except ValueError:
                status, result = -1, {}
            if status == 200 and not result["rejected"]:
                phase.requests += 1
                phase.latencies.append(elapsed)
                phase.accepted += result["accepted"]
                phase.duplicates += result["duplicates"]
            else:
                phase.errors[status] += 1
                phase.rejected += len(result.get("rejected", ()))
                phase.sample_error = phase.sample_error or answer[:300].decode(errors="replace")

    phase.seconds = _clients(threads, seconds, limit, one)
    return phase


# --- the reference: the same rows inserted directly -------------------------------------------------------


def raw_inserts(chiefs: list[Chief], *, batch: int, seconds: float, limit: int | None = None) -> Phase:
    """PatrolPoint rows by bulk_create, one transaction per `batch` rows, into patrols opened here."""
    from django.db import transaction

    from hezhang.history.context import not_recorded
    from hezhang.patrols.models import Patrol, PatrolPoint

    started_at = datetime.datetime.fromtimestamp(time.time() - PATROL_AGE_S, tz=datetime.UTC)
    with not_recorded():
        patrols = [
            Patrol.objects.create(patroller_id=c.user_id, role="chief", chief_level=5, started_at=started_at)
            for c in chiefs[:20]
        ]
    # The fixes are made before the clock starts, so that the rate is the ORM's and the database's alone.
    rng = random.Random(7)
    fixes = next_fixes(Chief(0, "", 0, chiefs[0].path, started=started_at.timestamp()), 1000, rng)
    seqs = Counter()
    phase = Phase(f"raw {batch}", batch=batch)
    started = time.perf_counter()
    n = 0
    while time.perf_counter() - started < seconds and (limit is None or n < limit):
        patrol = patrols[n % len(patrols)].pk
        first = seqs[patrol]
        seqs[patrol] += batch
        rows = [
            PatrolPoint(patrol_id=patrol, **{**fixes[(first + i) % len(fixes)], "seq": first + i})
            for i in range(batch)
        ]
        with transaction.atomic():
            PatrolPoint.objects.bulk_create(rows)
        phase.accepted += batch
        n += 1
    phase.requests = n
    phase.seconds = time.perf_counter() - started
    return phase


# --- where the CPU goes -----------------------------------------------------------------------------------


def cpu_split(before: dict[str, float], after: dict[str, float], phase: Phase) -> str:
    """CPU per batch and per point by owner, and how busy the machine was with anything else."""
    spent = {k: after[k] - before[k] for k in before}
    ours = spent["server"] + spent["postgres"] + spent["clients"]
    other = max(spent["machine"] - ours, 0.0)
    cores = os.cpu_count() or 1
    per = {k: spent[k] / max(phase.requests, 1) * 1000 for k in ("server", "postgres", "clients")}
    point = sum(per.values()) / max(phase.batch, 1) * 1000
    return (
        f"CPU per batch: gunicorn workers {per['server']:.1f} ms, PostgreSQL {per['postgres']:.1f} ms, "
        f"clients {per['clients']:.1f} ms ({point:.0f} µs per point in all); machine busy "
        f"{spent['machine'] / phase.seconds / cores:.0%} (other processes {other / phase.seconds / cores:.0%})"
    )


# --- what dominates ---------------------------------------------------------------------------------------

WATCHED = [
    ("rest_framework/views.py", "dispatch", "DRF dispatch (everything below the middleware)"),
    ("authentication.py", "authenticate_credentials", "token lookup (authenticate_credentials)"),
    ("parsers.py", "parse", "JSON parsing of the body"),
    ("shortcuts.py", "get_object_or_404", "finding the patrol (get_object_or_404)"),
    ("batch.py", "read_points", "checking the points (read_points)"),
    ("recording.py", "add_points", "add_points (known seqs, insert, last_point_at)"),
    ("query.py", "bulk_create", "bulk_create"),
    ("backends/utils.py", "_execute", "SQL statements (cursor execute, round trip included)"),
    ("transaction.py", "__exit__", "commit (atomic exit)"),
    ("response.py", "rendered_content", "rendering the answer"),
]


def profile_batches(chief: Chief, batch: int, count: int) -> list[str]:
    """Profile `count` batches through Django in this process; name the functions the time goes to."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {chief.token}")
    rng = random.Random(9)
    path = f"{PATROLS}{chief.patrol}/points/"
    bodies = [batch_body(chief, batch, rng) for _ in range(2 * count + 1)]
    client.post(path, bodies[0], content_type="application/json")  # warm up
    started = time.perf_counter()
    for body in bodies[count + 1 :]:
        assert client.post(path, body, content_type="application/json").status_code == 200
    plain = (time.perf_counter() - started) / count * 1000
    profiler = cProfile.Profile()
    queries: list[tuple[str, float]] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((sql, time.perf_counter() - began))

    with connection.execute_wrapper(timed):
        profiler.enable()
        for body in bodies[1 : count + 1]:
            client.post(path, body, content_type="application/json")
        profiler.disable()
    stats = pstats.Stats(profiler)
    lines = [
        f"  in-process, one at a time, no HTTP: {plain:.2f} ms per batch of {batch}, "
        f"{len(queries) / count:.0f} SQL statements per batch:",
        *(f"    {line}" for line in _statements(queries, count)),
        "  cumulative time per batch under the profiler:",
    ]
    for suffix, name, label in WATCHED:
        cumulative = sum(
            value[3]
            for (filename, _line, function), value in stats.stats.items()
            if function == name and filename.endswith(suffix)
        )
        if cumulative:
            lines.append(f"  {cumulative / count * 1000:8.2f} ms  {label}")
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:8]
    lines.append("  own time, top functions:")
    for (filename, line, function), value in top:
        lines.append(f"  {value[2] / count * 1000:8.2f} ms  {function} ({Path(filename).name}:{line})")
    return lines


def _statements(queries: list[tuple[str, float]], batches: int) -> list[str]:
    """The statements of one batch by kind and table, with the time the client waited for each."""
    kinds: dict[str, list[float]] = {}
    for sql, seconds in queries:
        words = sql.replace('"', "").split()
        table = next((words[i + 1] for i, w in enumerate(words[:-1]) if w.upper() in ("FROM", "INTO")), "")
        if words[0].upper() == "UPDATE":
            table = words[1]
        kinds.setdefault(f"{words[0].upper()} {table}".strip(), []).append(seconds)
    return [
        f"{len(times) / batches:g} x {kind}: {sum(times) / len(times) * 1000:.2f} ms"
        for kind, times in sorted(kinds.items(), key=lambda item: -sum(item[1]))
    ]


# --- the run ----------------------------------------------------------------------------------------------


@dataclass
class Results:
    start: Phase
    phases: list[Phase]
    raw: list[Phase]
    workers: int
    threads: int
    chiefs: int
    stored: int = 0  # PatrolPoint rows of the benchmark's patrols
    sent: int = 0  # points the answers said were accepted, warm-up included
    profiles: dict[int, list[str]] = field(default_factory=dict)
    server_error: str = ""


def run(
    *,
    seconds: float,
    workers: int,
    threads: int,
    chiefs: int,
    batches: Sequence[int],
    raw_seconds: float,
    profile: bool = True,
    log: Callable[[str], None] = print,
) -> Results:
    """Start what is needed, open the patrols, measure each batch size and the raw rate, stop what it started."""
    data_dir = Path(tempfile.mkdtemp(prefix="hezhang-bench."))
    postgres = None
    server = None
    try:
        url = os.environ.get("DATABASE_URL")
        if url:
            log(f"database: DATABASE_URL ({url.split('@')[-1]})")
        else:
            postgres = start_postgres()
            url = create_database(postgres, "hezhang_bench")
            version = subprocess.run(
                [str(postgres.bin / "postgres"), "--version"], capture_output=True, text=True, check=False
            ).stdout.split()[2]
            log(f"database: PostgreSQL {version} on 127.0.0.1:{postgres.port} (temporary, fsync off)")
        env = dict(
            os.environ,
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="hezhang.settings",
            HEZHANG_DATA_DIR=str(data_dir),
            HEZHANG_SECRET_KEY=secrets.token_urlsafe(50),
            HEZHANG_DEBUG="0",
            HEZHANG_LOG_LEVEL="ERROR",
        )
        for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HEZHANG_DATA_DIR", "HEZHANG_LOG_LEVEL"):
            os.environ[name] = env[name]
        import django

        django.setup()
        from django.core.management import call_command

        from hezhang.patrols.models import PatrolPoint

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        world = build_world()
        run_id = uuid.uuid4().hex[:8]
        phones = add_chiefs(world, chiefs, run_id)
        log(
            f"migrated, loaded a county of {len(world.reaches)} reaches and {chiefs} chiefs with tokens "
            f"in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        started = time.perf_counter()
        server = start_server(env, port, workers, data_dir / "server.log")
        base = f"http://127.0.0.1:{port}"
        log(f"server: gunicorn, {workers} workers on {base} (ready in {time.perf_counter() - started:.1f} s)")

        start = open_patrols(base, phones, threads, run_id)
        # Every worker loads its code and opens its connection before the clock starts.
        warm = send_batches(base, phones, batch=batches[0], seconds=60, threads=threads, limit=workers * 8)
        postmaster = postmaster_pid(postgres)
        phases = []
        for size in batches:
            before_cpu = cpu_by_owner(server.pid, postmaster)
            phase = send_batches(base, phones, batch=size, seconds=seconds, threads=threads, label=f"{size}")
            phase.cpu = cpu_split(before_cpu, cpu_by_owner(server.pid, postmaster), phase)
            phases.append(phase)
        stop_server(server)
        server = None

        results = Results(start, phases, [], workers, threads, chiefs)
        results.stored = PatrolPoint.objects.filter(
            patrol__patroller__username__startswith=f"ingest_{run_id}_"
        ).count()
        results.sent = warm.accepted + sum(p.accepted for p in phases)
        for size in [*batches, 1000]:
            results.raw.append(raw_inserts(phones, batch=size, seconds=raw_seconds))
        results.server_error = last_traceback(data_dir / "server.log")
        if profile:
            from django.test import override_settings

            with override_settings(ALLOWED_HOSTS=["*"]):
                for phase in phases:
                    if not passed(phase):
                        results.profiles[phase.batch] = profile_batches(phones[0], phase.batch, 100)
        return results
    finally:
        if server is not None:
            stop_server(server)
        if postgres is not None:
            from django.db import connections

            connections.close_all()
            postgres.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def passed(phase: Phase) -> bool:
    return phase.rate >= TARGET_POINTS and phase.percentile(95) < TARGET_P95_MS and not phase.errors


def judge(results: Results, log: Callable[[str], None] = print) -> bool:
    start = results.start
    log(
        f"patrols opened (POST {PATROLS}): {start.requests} of {results.chiefs}, {start.rate:.0f}/s, "
        f"p95 {start.percentile(95):.0f} ms"
    )
    ok = not start.errors
    if start.errors:
        log(
            f"  failures by status: {dict(start.errors)}; first: {' '.join(start.sample_error.split())[:200]}"
        )
    raw_by_size = {r.batch: r for r in results.raw}
    for phase in results.phases:
        raw = raw_by_size[phase.batch]
        judged = phase is results.phases[0]
        verdict = ("PASS" if passed(phase) else "FAIL") if judged else "not judged"
        ok &= passed(phase) if judged else not phase.errors
        log(
            f"batches of {phase.batch:>2} points: {phase.rate:8.0f} points/s  ({phase.requests / phase.seconds:.0f} "
            f"batches/s, {phase.accepted} points in {phase.seconds:.1f} s, {sum(phase.errors.values())} failed; "
            f"{phase.rate / raw.rate:.1%} of raw insert)"
        )
        log(
            f"  batch latency p50 {phase.percentile(50):.0f} ms, p95 {phase.percentile(95):.0f} ms, "
            f"p99 {phase.percentile(99):.0f} ms, max {max(phase.latencies, default=0) * 1000:.0f} ms "
            f"({results.threads} clients for {results.workers} workers); target >= {TARGET_POINTS:,.0f} "
            f"points/s and p95 < {TARGET_P95_MS:g} ms -> {verdict}"
        )
        if phase.cpu:
            log(f"  {phase.cpu}")
        if phase.errors:
            first = " ".join(phase.sample_error.split())[:200]
            log(
                f"  failures by status: {dict(phase.errors)}; {phase.rejected} points refused; first: {first}"
            )
    for raw in results.raw:
        log(
            f"raw insert (PatrolPoint bulk_create, {raw.batch} rows per transaction, ORM, 1 process): "
            f"{raw.rate:8.0f} points/s  ({raw.accepted} in {raw.seconds:.1f} s)"
        )
    if results.stored != results.sent:
        ok = False
        log(f"stored points: {results.stored}, but the answers accepted {results.sent} -> FAIL")
    if results.server_error:
        log("the server's last error:")
        log(results.server_error)
    for size, lines in results.profiles.items():
        log(f"profile of one batch of {size} points (what dominates):")
        for line in lines:
            log(line)
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="sending time for each batch size")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2-4 on this machine)")
    parser.add_argument("--threads", type=int, default=8, help="client threads sending at once")
    parser.add_argument("--chiefs", type=int, default=300, help="chiefs, each with one open patrol")
    parser.add_argument("--batch", type=int, default=BATCH, help="points per batch, the judged size")
    parser.add_argument("--large-batch", type=int, default=LARGE_BATCH, help="a second size, 0 for none")
    parser.add_argument("--raw-seconds", type=float, default=5.0, help="time of each raw insert reference")
    parser.add_argument("--no-profile", action="store_true", help="do not profile a missed target")
    args = parser.parse_args(argv)
    if args.chiefs < args.threads:
        parser.error("--chiefs must be at least --threads: a phone sends one batch at a time")
    log = lambda line: print(line, flush=True)  # noqa: E731
    log(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the run; "
        f"clients: {args.threads} threads; {args.chiefs} patrols; {args.seconds:g} s per batch size"
    )
    results = run(
        seconds=args.seconds,
        workers=args.workers,
        threads=args.threads,
        chiefs=args.chiefs,
        batches=[args.batch] + ([args.large_batch] if args.large_batch else []),
        raw_seconds=args.raw_seconds,
        profile=not args.no_profile,
        log=log,
    )
    ok = judge(results, log)
    log(f"load average after the run: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
