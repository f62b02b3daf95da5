"""Benchmark of public report intake (随手拍) through the real HTTP stack, against a real PostgreSQL.

Run with:  .venv/bin/python -m bench.bench_intake [--seconds 20] [--workers 4] [--threads 8]

A throwaway PostgreSQL is started on loopback in a temporary directory (as the postgres user when run as
root), unless DATABASE_URL is set, which is then used as it is. The database is migrated and given a small
county (four townships, a river and its tributaries cut into reaches, offices, departments and chiefs), then
gunicorn serves the platform as `hezhang serve --prod` does (DEBUG off, a real secret key, a temporary data
directory) and a pool of client threads posts reports to POST /api/v1/public/reports/ for a fixed time each:

  1. JSON, no photo: category, position near a reach (or anywhere in the county), phone, description, client id;
  2. multipart with one 2 MB JPEG as a phone takes it (12 MP, EXIF with GPS and time), a fresh one each post.

The reference is the raw rate of inserting the same rows (Case + CaseEvent, one transaction each, plain ORM
saves, no routing, no photo) from this one process. The per-address hourly limit of public reports is raised
through HEZHANG_PUBLIC_REPORTS_PER_IP_HOUR, as every post comes from 127.0.0.1; each post has its own phone.
When a target is missed the same request is profiled in-process and the functions it spends its time in are
printed, so the output says what dominates.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TARGET_JSON = 200.0  # reports per second without a photo
TARGET_PHOTO = 50.0  # reports per second with one 2 MB photo
ENDPOINT = "/api/v1/public/reports/"
COUNTY_CODE = "139901000000"
PHOTO_SIZE = (4032, 3024)  # a 12 MP phone photo


# --- PostgreSQL on loopback -------------------------------------------------------------------------------


@dataclass
class Postgres:
    directory: Path
    port: int
    bin: Path
    runner: list[str]

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.runner,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-m",
                "fast",
                "stop",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def postgres_bin() -> Path | None:
    """The directory of PostgreSQL's server programs (initdb, pg_ctl), or None when they are not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(os.path.realpath(initdb)).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres() -> Postgres:
    """initdb + pg_ctl start in a temporary directory, listening on 127.0.0.1 only, fsync off (throwaway)."""
    binary = postgres_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL server programs (initdb, pg_ctl) are not installed")
    directory = Path(tempfile.mkdtemp(prefix="hezhang-bench-pg."))
    runner: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root; the cluster belongs to the postgres (or nobody) account instead.
        owner = "postgres"
        try:
            import pwd

            pwd.getpwnam(owner)
        except KeyError:
            owner = "nobody"
        shutil.chown(directory, owner)
        runner = ["runuser", "-u", owner, "--"]
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        [*runner, str(binary / "initdb"), "-D", str(directory / "data"), "-U", "postgres", "--auth=trust"]
        + ["-E", "UTF8", "--locale=C.UTF-8"],
        **quiet,
    )
    options = f"-h 127.0.0.1 -p {port} -k {directory} -F -c max_connections=200"
    subprocess.run(
        [*runner, str(binary / "pg_ctl"), "-D", str(directory / "data"), "-l", str(directory / "log"), "-w"]
        + ["-o", options, "start"],
        **quiet,
    )
    return Postgres(directory=directory, port=port, bin=binary, runner=runner)


def create_database(server: Postgres, name: str) -> str:
    import psycopg

    with psycopg.connect(server.url("postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


# --- the world the reports land in ------------------------------------------------------------------------


@dataclass
class World:
    county: object
    categories: list[int]
    reaches: list[list[tuple[float, float]]]
    bbox: tuple[float, float, float, float]
    extra: dict = field(default_factory=dict)


def _box(west, south, east, north) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _line(points) -> dict:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def _meander(rng: random.Random, start, end, steps: int, wobble: float) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1) = start, end
    return [
        (
            round(x0 + (x1 - x0) * i / steps + (rng.uniform(-wobble, wobble) if 0 < i < steps else 0), 6),
            round(y0 + (y1 - y0) * i / steps + (rng.uniform(-wobble, wobble) if 0 < i < steps else 0), 6),
        )
        for i in range(steps + 1)
    ]


def build_world(seed: int = 11) -> World:
    """A county of four townships across a river, each with its reach, a tributary, an office and chiefs.

    Built once: when the county is already in the database (a DATABASE_URL used before) it is reused.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from hezhang.cases.models import CaseCategory
    from hezhang.history.context import not_recorded
    from hezhang.registry.models import ChiefAssignment, Department, Office, Reach, Region, WaterBody

    west, south, east, north = 116.0, 38.0, 116.4, 38.2
    categories = list(CaseCategory.objects.filter(public=True, region=None).values_list("pk", flat=True))
    existing = Region.objects.filter(code=COUNTY_CODE).first()
    if existing is not None:
        reaches = [
            r.geometry["coordinates"] for r in Reach.objects.filter(region__path__startswith=existing.path)
        ]
        return World(existing, categories, reaches, (west, south, east, north))

    rng = random.Random(seed)
    User = get_user_model()
    with not_recorded(), transaction.atomic():
        province = Region.objects.filter(code="130000000000").first() or Region.objects.create(
            code="130000000000", name="河北省", level=1
        )
        city = Region.objects.create(code="139900000000", name="测试市", level=2, parent=province)
        county = Region.objects.create(
            code=COUNTY_CODE, name="测试县", level=3, parent=city, geometry=_box(west, south, east, north)
        )
        Office.objects.create(region=county, name="测试县河长办", phone="0311-5550100")
        for kind, name in [
            ("ecology", "生态环境分局"),
            ("urban", "城市管理局"),
            ("water", "水利局"),
            ("agriculture", "农业农村局"),
            ("natural_resources", "自然资源局"),
            ("housing", "住房和城乡建设局"),
        ]:
            Department.objects.create(region=county, name=f"测试县{name}", kind=kind)
        county_chief = User.objects.create_user(
            username="bench_county_chief", role="chief", region=county, name="县河长", chief_level=3
        )
        main_line = _meander(rng, (west + 0.005, 38.1), (east - 0.005, 38.12), 40, 0.004)
        river = WaterBody.objects.create(
            kind="river", name="测试河", code="BEN10000000L", region=county, geometry=_line(main_line)
        )
        ChiefAssignment.objects.create(chief=county_chief, water_body=river, region=county, level=3)
        reaches = []
        width = (east - west) / 4
        for i in range(4):
            tw, te = west + i * width, west + (i + 1) * width
            town = Region.objects.create(
                code=f"1399011{i:02d}000",
                name=f"第{i + 1}镇",
                level=4,
                parent=county,
                geometry=_box(tw, south, te, north),
            )
            river.regions.add(town)
            Office.objects.create(region=town, name=f"第{i + 1}镇河长办", phone=f"0311-555011{i}")
            Department.objects.create(region=town, name=f"第{i + 1}镇城建办", kind="urban")
            chief = User.objects.create_user(
                username=f"bench_chief_{i}", role="chief", region=town, name=f"镇河长{i}", chief_level=4
            )
            User.objects.create_user(username=f"bench_office_{i}", role="office", region=town)
            part = [p for p in main_line if tw <= p[0] < te]
            reach = Reach.objects.create(
                water_body=river,
                region=town,
                name=f"测试河第{i + 1}镇段",
                code=f"BEN10000000L-{i + 1:03d}",
                geometry=_line(part),
            )
            ChiefAssignment.objects.create(chief=chief, water_body=river, reach=reach, region=town, level=4)
            reaches.append(part)
            mid = part[len(part) // 2]
            side = 1 if i % 2 else -1
            branch = _meander(rng, mid, (mid[0] + rng.uniform(-0.02, 0.02), mid[1] + side * 0.07), 12, 0.002)
            tributary = WaterBody.objects.create(
                kind="river",
                name=f"测试支流{i + 1}",
                code=f"BEN2000000{i}L",
                region=town,
                geometry=_line(branch),
            )
            tributary.regions.add(town)
            branch_reach = Reach.objects.create(
                water_body=tributary,
                region=town,
                name=f"测试支流{i + 1}段",
                code=f"BEN2000000{i}L-001",
                geometry=_line(branch),
            )
            ChiefAssignment.objects.create(
                chief=chief, water_body=tributary, reach=branch_reach, region=town, level=4
            )
            reaches.append(branch)
    return World(county, categories, reaches, (west, south, east, north))


def sample_points(world: World, count: int, seed: int = 5) -> list[tuple[float, float]]:
    """Four in five within about 150 m of a reach (people report what they see on the bank), the rest anywhere."""
    rng = random.Random(seed)
    west, south, east, north = world.bbox
    points = []
    for _ in range(count):
        if rng.random() < 0.8:
            lon, lat = rng.choice(rng.choice(world.reaches))
            points.append((lon + rng.gauss(0, 0.0012), lat + rng.gauss(0, 0.0009)))
        else:
            points.append((rng.uniform(west, east), rng.uniform(south, north)))
    return points


# --- the photo --------------------------------------------------------------------------------------------


def make_photo(target_bytes: int = 2 * 1024 * 1024, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A JPEG of `size` pixels, as close to `target_bytes` as texture allows, with a phone's EXIF."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(3)
    width, height = size
    # Smooth colour fields (water, bank, sky) from an enlarged coarse grid, then grain for the detail.
    coarse = Image.fromarray(rng.integers(30, 220, size=(height // 64, width // 64, 3), dtype=np.uint8))
    base = np.asarray(coarse.resize(size, Image.Resampling.BICUBIC), dtype=np.int16)
    grain = rng.normal(0.0, 1.0, size=(height, width, 1))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "BenchPhone", "BP-12"
    exif[0x8769] = {0x9003: "2026:05:20 09:30:00"}
    exif[0x8825] = {1: "N", 2: (38.0, 6.0, 0.0), 3: "E", 4: (116.0, 12.0, 0.0)}

    def encode(sigma: float) -> bytes:
        pixels = np.clip(base + grain * sigma, 0, 255).astype(np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, "JPEG", quality=85, exif=exif)
        return out.getvalue()

    low, high = 0.0, 40.0
    best = encode(high)
    for _ in range(12):
        sigma = (low + high) / 2
        data = encode(sigma)
        if abs(len(data) - target_bytes) < abs(len(best) - target_bytes):
            best = data
        if abs(len(data) - target_bytes) <= target_bytes * 0.02:
            break
        low, high = (sigma, high) if len(data) < target_bytes else (low, sigma)
    return best


def unique_copy(photo: bytes, tag: str) -> bytes:
    """The same picture with a JPEG comment after the start marker, so that each post is a new file."""
    comment = tag.encode()
    return photo[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + photo[2:]


# --- posting reports over HTTP ----------------------------------------------------------------------------


@dataclass
class Phase:
    label: str
    ok: int = 0
    seconds: float = 0.0
    errors: Counter = field(default_factory=Counter)
    sample_error: str = ""
    cpu: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


class Reports:
    """Builds the n-th report: JSON, or multipart with a fresh copy of the photo."""

    def __init__(self, points, categories, photo: bytes | None, run: str):
        self.points, self.categories, self.photo, self.run = points, categories, photo, run
        self.boundary = "hz" + uuid.uuid4().hex
        self.phones = random.Random(run).randrange(10**8)  # each report its own phone: 139 + 8 digits

    def fields(self, n: int) -> dict:
        lon, lat = self.points[n % len(self.points)]
        return {
            "category": self.categories[n % len(self.categories)],
            "lon": round(lon, 6),
            "lat": round(lat, 6),
            "description": "桥下有人倾倒垃圾，水面有油污",
            "phone": f"139{(self.phones + n) % 10**8:08d}",
            "client_id": f"{self.run}-{n}",
        }

    def body(self, n: int) -> tuple[bytes, str]:
        values = self.fields(n)
        if self.photo is None:
            return json.dumps(values).encode(), "application/json"
        parts = []
        for name, value in values.items():
            parts.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="photos"; filename="IMG_{n:05d}.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
        )
        parts.append(unique_copy(self.photo, f"{self.run}-{n}"))
        parts.append(f"\r\n--{self.boundary}--\r\n".encode())
        return b"".join(parts), f"multipart/form-data; boundary={self.boundary}"


def post_one(
    host: str, port: int, body: bytes, content_type: str, timeout: float = 120.0
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", ENDPOINT, body=body, headers={"Content-Type": content_type})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def post_reports(
    base_url: str,
    reports: Reports,
    *,
    seconds: float,
    threads: int,
    limit: int | None = None,
    label: str = "",
) -> Phase:
    """Post reports from `threads` clients until `seconds` have passed (or `limit` were sent); count the 201s."""
    host, port = base_url.split("//", 1)[1].rstrip("/").split(":")
    phase = Phase(label)
    lock = threading.Lock()
    counter = iter(range(10**9))
    started = time.perf_counter()
    deadline = started + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            with lock:
                n = next(counter)
            if limit is not None and n >= limit:
                return
            body, content_type = reports.body(n)
            try:
                status, answer = post_one(host, int(port), body, content_type)
            except OSError as exc:
                status, answer = 0, repr(exc).encode()
            with lock:
                if status == 201:
                    phase.ok += 1
                else:
                    phase.errors[status] += 1
                    phase.sample_error = phase.sample_error or answer[:300].decode(errors="replace")

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    phase.seconds = time.perf_counter() - started
    return phase


# --- the reference: the same rows inserted directly -------------------------------------------------------


def raw_inserts(world: World, points, *, seconds: float, limit: int | None = None, run: str = "") -> Phase:
    """Case + CaseEvent per report, one transaction each, plain ORM saves: the database's own pace."""
    from django.db import transaction

    from hezhang.cases.models import Case, CaseEvent, CaseState
    from hezhang.registry.models import Office, Reach

    state = CaseState.objects.get(pk="reported")
    reach = Reach.objects.filter(region__parent=world.county).select_related("water_body", "region").first()
    office = Office.objects.get(region=reach.region)
    run = run or uuid.uuid4().hex[:6]
    phase = Phase("raw")
    started = time.perf_counter()
    n = 0
    while time.perf_counter() - started < seconds and (limit is None or n < limit):
        lon, lat = points[n % len(points)]
        with transaction.atomic():
            case = Case.objects.create(
                number=f"RAW-{run}-{n:07d}",
                title="水体污染",
                description="桥下有人倾倒垃圾，水面有油污",
                category_id=world.categories[n % len(world.categories)],
                channel="public",
                lon=lon,
                lat=lat,
                state=state,
                reporter_phone=f"139{n:08d}",
                client_id=f"raw-{run}-{n}",
                region=reach.region,
                water_body=reach.water_body,
                reach=reach,
                office=office,
                routing_note=f"距河段“{reach.name}” 12 米",
            )
            CaseEvent.objects.create(
                case=case,
                action="report",
                to_state=state,
                note=case.description,
                data={"channel": "public", "routing": case.routing_note},
            )
        n += 1
    phase.ok = n
    phase.seconds = time.perf_counter() - started
    return phase


# --- the server -------------------------------------------------------------------------------------------


def start_server(env: dict, port: int, workers: int, log: Path, timeout: float = 180.0) -> subprocess.Popen:
    """`hezhang serve --prod` (migrate, collectstatic, gunicorn) in its own process group, once it answers."""
    command = [sys.executable, "-m", "hezhang.cli", "serve", "--prod", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(
                f"the server stopped (exit {server.returncode}); see {log}:\n{log.read_text()[-2000:]}"
            )
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/public/report/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)  # the group started with it: serve and its gunicorn
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(timeout=10)


# --- where the CPU goes -----------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the state on; the name may hold spaces


def cpu_by_owner(server_group: int | None, postmaster: int | None) -> dict[str, float]:
    """CPU seconds used so far by the server's processes, PostgreSQL's, this process and the whole machine."""
    used = {"server": 0.0, "postgres": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(entry.name)
        if fields is None:
            continue
        ppid, pgrp = int(fields[1]), int(fields[2])
        seconds = (int(fields[11]) + int(fields[12])) / TICK
        if server_group is not None and pgrp == server_group:
            used["server"] += seconds
        elif postmaster is not None and (int(entry.name) == postmaster or ppid == postmaster):
            used["postgres"] += seconds
    own = os.times()
    used["clients"] = own.user + own.system
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    used["machine"] = (sum(values) - values[3] - values[4]) / TICK  # all but idle and iowait
    return used


def postmaster_pid(server: Postgres | None) -> int | None:
    if server is None:
        return None
    try:
        return int((server.directory / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cpu_split(before: dict[str, float], after: dict[str, float], reports: int, seconds: float) -> str:
    """CPU milliseconds per report by owner, and how busy the machine was with anything else."""
    spent = {k: after[k] - before[k] for k in before}
    ours = spent["server"] + spent["postgres"] + spent["clients"]
    other = max(spent["machine"] - ours, 0.0)
    per = {k: spent[k] / max(reports, 1) * 1000 for k in ("server", "postgres", "clients")}
    cores = os.cpu_count() or 1
    return (
        f"CPU per report: gunicorn workers {per['server']:.1f} ms, PostgreSQL {per['postgres']:.1f} ms, "
        f"clients {per['clients']:.1f} ms; machine busy {spent['machine'] / seconds / cores:.0%} "
        f"(other processes {other / seconds / cores:.0%})"
    )


# --- what dominates ---------------------------------------------------------------------------------------

WATCHED = [
    ("photos.py", "inspect", "photo checks (inspect: header, EXIF, JPEG structure)"),
    ("photos.py", "public_copy", "public copy (decode, resize, encode)"),
    ("photos.py", "thumbnail", "thumbnail (decode, resize, encode)"),
    ("storage.py", "save", "writing files (storage.save)"),
    ("routing.py", "route", "routing (reach, region, chiefs, department)"),
    ("intake.py", "create_case", "create_case (routing, rows, photos)"),
    ("reporting.py", "check", "validation (reporting.check)"),
    ("reporting.py", "rate_limited", "rate limits"),
    ("multipartparser.py", "parse", "multipart parsing"),
]


def profile_requests(reports: Reports, count: int) -> list[str]:
    """Profile `count` posts through Django in this process; name the functions the time goes to."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    bodies = [reports.body(10**8 + n) for n in range(2 * count + 1)]
    body, content_type = bodies[0]
    client.generic("POST", ENDPOINT, body, content_type=content_type)  # warm up
    started = time.perf_counter()
    for body, content_type in bodies[count + 1 :]:
        client.generic("POST", ENDPOINT, body, content_type=content_type)
    plain = (time.perf_counter() - started) / count * 1000
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        profiler.enable()
        for body, content_type in bodies[1 : count + 1]:
            client.generic("POST", ENDPOINT, body, content_type=content_type)
        profiler.disable()
    wall = (time.perf_counter() - started) / count * 1000
    stats = pstats.Stats(profiler)
    lines = [
        f"  in-process, one at a time, no HTTP: {plain:.1f} ms per report ({wall:.1f} ms under the profiler), "
        f"{len(queries) / count:.0f} SQL statements per report; cumulative time per report:"
    ]
    for suffix, name, label in WATCHED:
        cumulative = sum(
            value[3]
            for (filename, _line, function), value in stats.stats.items()
            if function == name and filename.endswith(suffix)
        )
        if cumulative:
            lines.append(f"  {cumulative / count * 1000:8.1f} ms  {label}")
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:6]
    lines.append("  own time, top functions:")
    for (filename, line, function), value in top:
        lines.append(f"  {value[2] / count * 1000:8.1f} ms  {function} ({Path(filename).name}:{line})")
    return lines


# --- the run ----------------------------------------------------------------------------------------------


@dataclass
class Results:
    json: Phase
    photo: Phase
    raw: Phase
    photo_bytes: int
    workers: int
    threads: int
    committed: int
    profiles: dict[str, list[str]] = field(default_factory=dict)
    server_error: str = ""
    rendering: tuple[int, float, int] = (0, 0.0, 0)  # photos rendered, seconds, photos still waiting


def last_traceback(log: Path) -> str:
    """The last traceback the server logged (an answer of 500 says nothing more), or ""."""
    text = log.read_text(errors="replace") if log.exists() else ""
    start = text.rfind("Traceback (most recent call last)")
    if start < 0:
        return ""
    lines = text[start:].splitlines()
    # Frames are indented; the first line after them that is not names the exception.
    end = next((i for i, line in enumerate(lines[1:], 1) if line and not line[0].isspace()), len(lines) - 1)
    block = lines[: end + 1]
    return "\n".join([block[0], "  ...", *block[-7:]] if len(block) > 10 else block)


def run(
    *,
    seconds: float,
    workers: int,
    threads: int,
    raw_seconds: float,
    photo_bytes: int,
    photo_size: tuple[int, int] = PHOTO_SIZE,
    profile: bool = True,
    log: Callable[[str], None] = print,
) -> Results:
    """Start what is needed, measure the three rates, stop everything it started."""
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
            ).stdout.split()[2]  # "postgres (PostgreSQL) 15.18 (Debian …)"
            log(f"database: PostgreSQL {version} on 127.0.0.1:{postgres.port} (temporary, fsync off)")
        env = dict(
            os.environ,
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="hezhang.settings",
            HEZHANG_DATA_DIR=str(data_dir),
            HEZHANG_SECRET_KEY=secrets.token_urlsafe(50),
            HEZHANG_DEBUG="0",
            HEZHANG_PUBLIC_REPORTS_PER_IP_HOUR=str(10**9),
            HEZHANG_LOG_LEVEL="ERROR",
        )
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HEZHANG_DATA_DIR")})
        for name in ("HEZHANG_PUBLIC_REPORTS_PER_IP_HOUR", "HEZHANG_LOG_LEVEL"):
            os.environ[name] = env[name]
        import django

        django.setup()
        from django.core.management import call_command

        from hezhang.cases.models import Case

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        world = build_world()
        points = sample_points(world, 5000)
        log(
            f"migrated and loaded a county of {len(world.reaches)} reaches in {time.perf_counter() - started:.1f} s"
        )
        photo = make_photo(photo_bytes, photo_size)
        log(f"photo: {photo_size[0]}x{photo_size[1]} JPEG, {len(photo) / 1024 / 1024:.2f} MB, EXIF with GPS")

        port = free_port()
        started = time.perf_counter()
        server = start_server(env, port, workers, data_dir / "server.log")
        base = f"http://127.0.0.1:{port}"
        log(f"server: gunicorn, {workers} workers on {base} (ready in {time.perf_counter() - started:.1f} s)")
        run_id = uuid.uuid4().hex[:8]
        as_json = Reports(points, world.categories, None, f"j{run_id}")
        with_photo = Reports(points, world.categories, photo, f"p{run_id}")
        before = Case.objects.filter(channel="public").count()
        # Every worker loads its code and opens its connection before the clock starts.
        post_reports(
            base,
            Reports(points, world.categories, None, f"w{run_id}"),
            seconds=60,
            threads=threads,
            limit=workers * 4,
        )
        post_reports(
            base,
            Reports(points, world.categories, photo, f"v{run_id}"),
            seconds=60,
            threads=threads,
            limit=workers * 2,
        )
        warm = Case.objects.filter(channel="public").count() - before
        postmaster = postmaster_pid(postgres)
        phases = []
        for reports, label in ((as_json, "json"), (with_photo, "photo")):
            before_cpu = cpu_by_owner(server.pid, postmaster)
            phase = post_reports(base, reports, seconds=seconds, threads=threads, label=label)
            phase.cpu = cpu_split(before_cpu, cpu_by_owner(server.pid, postmaster), phase.ok, phase.seconds)
            phases.append(phase)
        json_phase, photo_phase = phases
        stop_server(server)
        server = None
        committed = Case.objects.filter(channel="public").count() - before - warm

        rendering = render_backlog(seconds=raw_seconds)
        raw = raw_inserts(world, points, seconds=raw_seconds, run=run_id)
        results = Results(json_phase, photo_phase, raw, len(photo), workers, threads, committed)
        results.rendering = rendering
        results.server_error = last_traceback(data_dir / "server.log")
        if profile:
            from django.test import override_settings

            with override_settings(MEDIA_ROOT=data_dir / "profile-media", ALLOWED_HOSTS=["*"]):
                if json_phase.rate < TARGET_JSON:
                    results.profiles["json"] = profile_requests(
                        Reports(points, world.categories, None, f"q{run_id}"), 100
                    )
                if photo_phase.rate < TARGET_PHOTO:
                    results.profiles["photo"] = profile_requests(
                        Reports(points, world.categories, photo, f"r{run_id}"), 10
                    )
        return results
    finally:
        if server is not None:
            stop_server(server)
        if postgres is not None:
            from django.db import connections

            connections.close_all()
            postgres.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def render_backlog(seconds: float) -> tuple[int, float, int]:
    """Run the background job's rendering in this process for up to `seconds`: (rendered, seconds, left)."""
    from hezhang.cases.intake import render_pending
    from hezhang.cases.models import CasePhoto

    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        batch = render_pending(limit=5)
        done += batch
        if batch == 0:
            break
    elapsed = time.perf_counter() - started
    return done, elapsed, CasePhoto.objects.filter(public="", render_error="").count()


def judge(results: Results, log: Callable[[str], None] = print) -> bool:
    raw = results.raw.rate
    log(
        f"raw insert (Case + CaseEvent, ORM, 1 process): {raw:8.1f} rows/s  ({results.raw.ok} in {results.raw.seconds:.1f} s)"
    )
    ok = True
    for phase, target, what in (
        (results.json, TARGET_JSON, "JSON, no photo"),
        (results.photo, TARGET_PHOTO, f"multipart, {results.photo_bytes / 1024 / 1024:.1f} MB photo"),
    ):
        errors = sum(phase.errors.values())
        passed = phase.rate >= target and errors == 0
        ok &= passed
        log(
            f"public report, {what}: {phase.rate:8.1f} reports/s  ({phase.ok} in {phase.seconds:.1f} s, "
            f"{errors} failed; {phase.rate / raw:.1%} of raw insert) target >= {target:g} -> "
            f"{'PASS' if passed else 'FAIL'}"
        )
        if phase.cpu:
            log(f"  {phase.cpu}")
        if errors:
            first = " ".join(phase.sample_error.split())[:200]
            log(f"  failures by status: {dict(phase.errors)}; first: {first}")
    rendered, render_seconds, waiting = results.rendering
    if rendered:
        log(
            f"  then the background job made the public copies and thumbnails: {rendered / render_seconds:.1f} "
            f"photos/s in one process ({rendered} in {render_seconds:.1f} s, {waiting} still waiting); "
            "intake only checks and stores, so sustained photo intake beyond this rate builds a backlog"
        )
    expected = results.json.ok + results.photo.ok
    if results.committed != expected:
        ok = False
        log(f"committed cases: {results.committed}, but {expected} answers said 201 -> FAIL")
    if results.server_error:
        log("the server's last error:")
        log(results.server_error)
    for kind, lines in results.profiles.items():
        log(f"profile of one {kind} report (what dominates):")
        for line in lines:
            log(line)
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="posting time for each kind of report")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2-4 on this machine)")
    parser.add_argument("--threads", type=int, default=8, help="client threads posting at once")
    parser.add_argument("--raw-seconds", type=float, default=10.0)
    parser.add_argument("--photo-mb", type=float, default=2.0)
    parser.add_argument("--no-profile", action="store_true", help="do not profile a missed target")
    args = parser.parse_args(argv)
    log = lambda line: print(line, flush=True)  # noqa: E731
    log(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the run; "
        f"clients: {args.threads} threads; {args.seconds:g} s per kind"
    )
    results = run(
        seconds=args.seconds,
        workers=args.workers,
        threads=args.threads,
        raw_seconds=args.raw_seconds,
        photo_bytes=int(args.photo_mb * 1024 * 1024),
        profile=not args.no_profile,
        log=log,
    )
    return 0 if judge(results, log) else 1


if __name__ == "__main__":
    sys.exit(main())
