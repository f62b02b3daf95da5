"""Benchmark of OGC API – Features items requests with bbox: our server beside pygeoapi, same data, one run.

Run with:  .venv/bin/python -m bench.bench_features [--reaches 10000] [--seconds 20] [--workers 4] [--threads 8]

A throwaway PostgreSQL is started on loopback (as `bench_intake` does). One database is migrated and given
`--reaches` synthetic meandering reaches (those of `bench_spatial`: 10-40 vertices over lon 114-120, lat 36-42)
through our models; a second database gets PostGIS and the very same reaches, read back from the first (code as
id, the properties our `reaches` collection publishes, the geometry), with a GiST index. Our server runs as
`hezhang serve --prod` does; pygeoapi runs from its own virtualenv (created with pip on first use, so the
project's dependencies are untouched) under gunicorn with the same number of sync workers, with its
PostgreSQL provider, or its GeoJSON provider when PostGIS cannot be had (the output says which).

The same seeded bbox queries go to each server in turn from a pool of client threads for a fixed time (half
in order, half in reverse order): boxes of 3-50 km with limit=100 (judged: ours must serve at least twice
pygeoapi's requests per second), then boxes of 50-150 km with limit=1000 (reported). Before that, a sample of boxes is fetched whole from both and
checked against answers computed here: ours must be exactly the reaches whose bounding box meets the bbox
(that is what our bbox filter promises), pygeoapi's those whose geometry does (ST_Intersects), a subset.
When the target is missed, our request is profiled in-process and what dominates is printed.

Exit status: 0 target met, 1 target missed or a wrong answer, 3 pygeoapi could not be installed or started.
"""

from __future__ import annotations

import argparse
import cProfile
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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_intake import (
    TICK,
    Postgres,
    _stat,
    cpu_by_owner,
    create_database,
    free_port,
    last_traceback,
    postmaster_pid,
    start_postgres,
    start_server,
    stop_server,
)
from bench.bench_spatial import EXTENT, make_reaches

TARGET_RATIO = 2.0
NO_PYGEOAPI = 3  # exit status when pygeoapi cannot be installed or started
PYGEOAPI_VENV = Path(os.environ.get("HEZHANG_PYGEOAPI_VENV", "/tmp/pygeoapi-venv"))
PYGEOAPI_PACKAGES = ["pygeoapi", "gunicorn", "psycopg2-binary", "sqlalchemy", "geoalchemy2"]
ITEMS = "/collections/reaches/items"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
COUNTIES = 12
WATER_BODIES = 50


# --- the layer --------------------------------------------------------------------------------------------


@dataclass
class Layer:
    """The reaches as stored: codes in primary-key order, bounding boxes, coordinates and published properties."""

    codes: list[str]
    boxes: list[tuple[float, float, float, float]]
    lines: list[list[list[float]]]
    properties: list[dict]

    def in_box(self, box: tuple[float, float, float, float]) -> list[str]:
        """What our bbox filter promises: the reaches whose bounding box meets the box."""
        west, south, east, north = box
        return [
            code
            for code, (x0, y0, x1, y1) in zip(self.codes, self.boxes, strict=True)
            if x0 <= east and x1 >= west and y0 <= north and y1 >= south
        ]

    def intersecting(self, box: tuple[float, float, float, float]) -> list[str]:
        """What pygeoapi's PostgreSQL provider answers (ST_Intersects): the reaches whose line meets the box."""
        import shapely

        area = shapely.box(*box)
        by_code = dict(zip(self.codes, self.lines, strict=True))
        return [code for code in self.in_box(box) if shapely.LineString(by_code[code]).intersects(area)]


def build_layer(count: int, seed: int = 20240601) -> Layer:
    """`count` reaches on 50 rivers in 12 counties, saved one by one through the model (bbox, length, pinyin).

    Codes sort as the primary keys do, so both servers page in the same order.
    """
    from django.db import transaction

    from hezhang.history.context import not_recorded
    from hezhang.registry.models import Reach, Region, WaterBody

    west, _south, east, _north = EXTENT
    per_body = math.ceil(count / WATER_BODIES)
    with not_recorded(), transaction.atomic():
        province = Region.objects.filter(code="130000000000").first() or Region.objects.create(
            code="130000000000", name="河北省", level=1
        )
        city = Region.objects.create(code="139800000000", name="要素市", level=2, parent=province)
        counties = [
            Region.objects.create(code=f"1398{c + 1:02d}000000", name=f"要素{c + 1}县", level=3, parent=city)
            for c in range(COUNTIES)
        ]
        bodies = [
            WaterBody.objects.create(
                kind="river", name=f"要素{j + 1}号河", code=f"BFR{j:05d}000L", region=counties[j % COUNTIES]
            )
            for j in range(math.ceil(count / per_body))
        ]
        for i, (_rid, xy) in enumerate(make_reaches(count, seed)):
            coordinates = [[round(lon, 6), round(lat, 6)] for lon, lat in xy.tolist()]
            body, k = bodies[i // per_body], i % per_body + 1
            band = int((coordinates[0][0] - west) / (east - west) * COUNTIES)
            Reach(
                water_body=body,
                region=counties[min(max(band, 0), COUNTIES - 1)],
                name=f"{body.name}第{k}段",
                code=f"{body.code}-{k:04d}",
                start_description=f"{body.name}第{k}段起点",
                end_description=f"{body.name}第{k}段终点",
                geometry={"type": "LineString", "coordinates": coordinates},
            ).save()
    return read_layer()


def read_layer() -> Layer:
    from hezhang.features.collections import COLLECTIONS
    from hezhang.registry.models import Reach

    publish = COLLECTIONS["reaches"].properties
    rows = list(Reach.objects.select_related("water_body", "region").exclude(geometry=None).order_by("pk"))
    return Layer(
        codes=[r.code for r in rows],
        boxes=[(r.min_lon, r.min_lat, r.max_lon, r.max_lat) for r in rows],
        lines=[r.geometry["coordinates"] for r in rows],
        properties=[publish(r) for r in rows],
    )


def load_postgis(url: str, layer: Layer) -> str:
    """The layer as a PostGIS table `reaches` with a GiST index; returns PostGIS's version.

    Raises psycopg.Error when the extension is not installed.
    """
    import psycopg

    columns = [k for k in layer.properties[0] if k != "code"]
    kinds = {k: "double precision" if isinstance(layer.properties[0][k], float) else "text" for k in columns}
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE EXTENSION postgis")
        definition = ", ".join(f'"{k}" {kinds[k]}' for k in columns)
        connection.execute(
            f"CREATE TABLE reaches (code text PRIMARY KEY, {definition}, geom geometry(LineString, 4326) NOT NULL)"
        )
        names = ", ".join(f'"{k}"' for k in ["code", *columns])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO reaches ({names}, geom) VALUES ({', '.join(['%s'] * (len(columns) + 1))}, "
                "ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326))",
                [
                    [code, *(p[k] for k in columns), json.dumps({"type": "LineString", "coordinates": line})]
                    for code, p, line in zip(layer.codes, layer.properties, layer.lines, strict=True)
                ],
            )
        connection.execute("CREATE INDEX reaches_geom ON reaches USING gist (geom)")
        connection.execute("ANALYZE reaches")
        return connection.execute("SELECT postgis_lib_version()").fetchone()[0]


def write_geojson(path: Path, layer: Layer) -> None:
    features = [
        {
            "type": "Feature",
            "id": code,
            "geometry": {"type": "LineString", "coordinates": line},
            "properties": {k: v for k, v in p.items() if k != "code"},
        }
        for code, p, line in zip(layer.codes, layer.properties, layer.lines, strict=True)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))


# --- pygeoapi ---------------------------------------------------------------------------------------------


def ensure_pygeoapi(venv: Path, log: Callable[[str], None]) -> str:
    """pygeoapi's version, installing it into its own virtualenv first if needed; RuntimeError if that fails."""
    if not (venv / "bin" / "pygeoapi").exists() or not (venv / "bin" / "gunicorn").exists():
        log(f"installing {', '.join(PYGEOAPI_PACKAGES)} into {venv} (first run only)")
        for command in (
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "pip"), "install", "-q", *PYGEOAPI_PACKAGES],
        ):
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed:\n{(done.stdout + done.stderr)[-1500:]}")
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import pygeoapi; print(pygeoapi.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pygeoapi in {venv} does not import:\n{done.stderr[-1500:]}")
    return done.stdout.strip()


def pygeoapi_config(port: int, provider: dict, extent: Sequence[float]) -> dict:
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "pretty_print": False,
            "gzip": False,
            "limits": {"default_items": 100, "max_items": 10_000},
            "map": {"url": "http://127.0.0.1/tiles/{z}/{x}/{y}.png", "attribution": "none"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "bench",
                "description": "bench",
                "keywords": ["bench"],
                "terms_of_service": "http://127.0.0.1/",
                "url": "http://127.0.0.1/",
            },
            "license": {"name": "CC-BY 4.0", "url": "http://127.0.0.1/"},
            "provider": {"name": "bench", "url": "http://127.0.0.1/"},
            "contact": {"name": "bench", "email": "bench@example.org", "url": "http://127.0.0.1/"},
        },
        "resources": {
            "reaches": {
                "type": "collection",
                "title": "Reaches",
                "description": "River reaches",
                "keywords": ["reach"],
                "extents": {"spatial": {"bbox": list(extent), "crs": CRS84}},
                "providers": [provider],
            }
        },
    }


def start_pygeoapi(
    venv: Path, config: dict, directory: Path, workers: int, timeout: float = 120.0
) -> subprocess.Popen:
    """gunicorn with pygeoapi's Flask app and `workers` sync workers, in its own process group, once it answers."""
    config_file, openapi = directory / "pygeoapi-config.yml", directory / "pygeoapi-openapi.yml"
    config_file.write_text(json.dumps(config))  # JSON is YAML
    env = dict(os.environ, PYGEOAPI_CONFIG=str(config_file), PYGEOAPI_OPENAPI=str(openapi))
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(name, None)
    done = subprocess.run(
        [
            str(venv / "bin" / "pygeoapi"),
            "openapi",
            "generate",
            str(config_file),
            "--output-file",
            str(openapi),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pygeoapi openapi generate failed:\n{(done.stdout + done.stderr)[-1500:]}")
    port = config["server"]["bind"]["port"]
    command = [str(venv / "bin" / "gunicorn"), "pygeoapi.flask_app:APP", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "180", "--access-logfile", "-"]  # as `serve --prod`
    log = directory / "pygeoapi.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            command, env=env, cwd=directory, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"pygeoapi stopped (exit {server.returncode}):\n{log.read_text()[-2000:]}")
        try:
            if fetch("127.0.0.1", port, "/collections/reaches?f=json")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"pygeoapi did not answer within {timeout:.0f} s; see {log}")


# --- the queries and the load -----------------------------------------------------------------------------


def make_boxes(
    count: int, low_km: float, high_km: float, seed: int, extent: Sequence[float] = EXTENT
) -> list[tuple[float, float, float, float]]:
    """Map views: sizes log-uniform between `low_km` and `high_km`, a little wider than high, anywhere."""
    from hezhang.geo.spatial import metres_per_degree

    rng = random.Random(seed)
    lon0, lat0, lon1, lat1 = extent
    boxes = []
    for _ in range(count):
        width = math.exp(rng.uniform(math.log(low_km), math.log(high_km))) * 1000
        height = width * rng.uniform(0.6, 1.0)
        lon, lat = rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)
        kx, ky = metres_per_degree(lat)
        dx, dy = width / kx / 2, height / ky / 2
        boxes.append((round(lon - dx, 5), round(lat - dy, 5), round(lon + dx, 5), round(lat + dy, 5)))
    return boxes


def items_path(prefix: str, box: Sequence[float], limit: int) -> str:
    return f"{prefix}{ITEMS}?bbox={','.join(repr(v) for v in box)}&limit={limit}&f=json"


def fetch(host: str, port: int, path: str, timeout: float = 120.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "application/geo+json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class Load:
    ok: int = 0
    seconds: float = 0.0
    body_bytes: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    sample_error: str = ""
    cpu: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def load(port: int, paths: Sequence[str], *, seconds: float, threads: int, limit: int | None = None) -> Load:
    """GET `paths` in order, round and round, from `threads` clients until `seconds` pass (or `limit` are sent)."""
    result = Load()
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
            begun = time.perf_counter()
            try:
                status, body = fetch("127.0.0.1", port, paths[n % len(paths)])
            except OSError as exc:
                status, body = 0, repr(exc).encode()
            took = time.perf_counter() - begun
            with lock:
                if status == 200:
                    result.ok += 1
                    result.body_bytes += len(body)
                    result.latencies.append(took)
                else:
                    result.errors[status] += 1
                    result.sample_error = result.sample_error or body[:300].decode(errors="replace")

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.seconds = time.perf_counter() - started
    return result


def cpu_now(server_group: int, postmaster: int | None) -> dict[str, float]:
    """`bench_intake.cpu_by_owner`, plus what PostgreSQL's exited backends used (the postmaster reaped them)."""
    used = cpu_by_owner(server_group, postmaster)
    fields = _stat(str(postmaster)) if postmaster is not None else None
    if fields is not None:
        used["postgres"] += (int(fields[13]) + int(fields[14])) / TICK  # cutime + cstime
    return used


def cpu_line(before: dict[str, float], after: dict[str, float], requests: int, seconds: float) -> str:
    spent = {k: after[k] - before[k] for k in before}
    per = {k: spent[k] / max(requests, 1) * 1000 for k in ("server", "postgres", "clients")}
    other = max(spent["machine"] - spent["server"] - spent["postgres"] - spent["clients"], 0.0)
    cores = os.cpu_count() or 1
    return (
        f"CPU per request: server workers {per['server']:.1f} ms, PostgreSQL {per['postgres']:.1f} ms, "
        f"clients {per['clients']:.1f} ms; machine busy {spent['machine'] / seconds / cores:.0%} "
        f"(other processes {other / seconds / cores:.0%})"
    )


# --- the answers ------------------------------------------------------------------------------------------


def check_answers(
    ours: int, theirs: int | None, layer: Layer, boxes: Sequence[tuple[float, float, float, float]]
) -> tuple[list[str], list[str]]:
    """Fetch each box whole from both; (our wrong answers, notes on pygeoapi's and on the difference)."""
    wrong, notes = [], []
    extra = answered = 0
    compared = False
    for box in boxes:
        status, body = fetch("127.0.0.1", ours, items_path("/ogc", box, 10_000))
        answer = json.loads(body) if status == 200 else {}
        got = [f["id"] for f in answer.get("features", [])]
        expected = layer.in_box(box)
        if status != 200 or got != expected or answer.get("numberMatched") != len(expected):
            wrong.append(f"bbox {box}: ours answered {status}, {len(got)} ids, expected {len(expected)}")
            continue
        if theirs is None:
            continue
        status, body = fetch("127.0.0.1", theirs, items_path("", box, 10_000))
        reference = json.loads(body) if status == 200 else {}
        their_ids = [str(f["id"]) for f in reference.get("features", [])]
        exact = layer.intersecting(box)
        if (
            status != 200
            or sorted(their_ids) != sorted(exact)
            or reference.get("numberMatched") != len(exact)
        ):
            notes.append(
                f"bbox {box}: pygeoapi answered {status}, {len(their_ids)} ids, ST_Intersects {len(exact)}"
            )
        if not set(their_ids) <= set(got):
            wrong.append(
                f"bbox {box}: pygeoapi found reaches ours did not: {sorted(set(their_ids) - set(got))[:5]}"
            )
        extra += len(set(got) - set(their_ids))
        answered += len(got)
        if not compared and their_ids:
            compared = True
            mine = {f["id"]: f for f in answer["features"]}
            for feature in reference["features"]:
                own = mine[str(feature["id"])]
                props = {k: v for k, v in own["properties"].items() if k != "code"}
                same_geometry = all(
                    math.isclose(a, b, abs_tol=1e-9)
                    for p, q in zip(
                        own["geometry"]["coordinates"], feature["geometry"]["coordinates"], strict=True
                    )
                    for a, b in zip(p, q, strict=True)
                )
                if props != feature["properties"] or not same_geometry:
                    wrong.append(
                        f"feature {feature['id']}: properties or geometry differ between the servers"
                    )
                    break
    if theirs is not None and answered:
        notes.append(
            f"over {len(boxes)} boxes fetched whole ours answered {answered} reaches, pygeoapi {answered - extra}: "
            f"ours adds {extra} ({extra / answered:.1%}) whose bounding box meets the bbox but whose line does not"
        )
    return wrong, notes


# --- what dominates ---------------------------------------------------------------------------------------

WATCHED = [
    ("features/views.py", "items", "the items view"),
    ("models/query.py", "count", "numberMatched (QuerySet.count)"),
    ("models/query.py", "_fetch_all", "the page: SQL, rows and model instances"),
    ("backends/utils.py", "_execute", "SQL execution (both statements)"),
    ("fields/json.py", "from_db_value", "geometry JSON decoding (JSONField.from_db_value)"),
    ("features/views.py", "_feature", "building features"),
    ("features/views.py", "_answer", "JSON encoding of the answer"),
    ("features/views.py", "_has_bbox_columns", "_has_bbox_columns"),
    ("handlers/base.py", "get_response", "Django's request handling (middleware + view)"),
]


def profile_requests(paths: Sequence[str], count: int) -> list[str]:
    """Our items requests through Django in this process, one at a time: where the time goes."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for path in paths[:5]:
        client.get(path)  # warm up
    chosen = paths[5 : 5 + count]
    started = time.perf_counter()
    for path in chosen:
        client.get(path)
    plain = (time.perf_counter() - started) / len(chosen) * 1000
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        profiler.enable()
        for path in chosen:
            client.get(path)
        profiler.disable()
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) / len(chosen) * 1000
    stats = pstats.Stats(profiler)
    total = sum(value[2] for value in stats.stats.values()) / len(chosen) * 1000
    lines = [
        f"  in-process, one at a time, no HTTP: {plain:.1f} ms per request ({total:.1f} ms under the profiler), "
        f"{len(queries) / len(chosen):.0f} SQL statements taking {sql_ms:.1f} ms as Django times them; "
        "cumulative time per request:"
    ]
    for suffix, name, label in WATCHED:
        cumulative = sum(
            value[3]
            for (filename, _line, function), value in stats.stats.items()
            if function == name and filename.endswith(suffix)
        )
        if cumulative:
            lines.append(f"  {cumulative / len(chosen) * 1000:8.2f} ms  {label}")
    lines.append("  own time, top functions:")
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:10]
    for (filename, line, function), value in top:
        lines.append(f"  {value[2] / len(chosen) * 1000:8.2f} ms  {function} ({Path(filename).name}:{line})")
    return lines


# --- the run ----------------------------------------------------------------------------------------------


@dataclass
class Phase:
    label: str
    limit: int
    low_km: float
    high_km: float
    judged: bool
    seed: int

    def boxes(self, count: int = 2000) -> list[tuple[float, float, float, float]]:
        return make_boxes(count, self.low_km, self.high_km, seed=self.seed)


PHASES = [
    Phase("bbox 3-50 km, limit=100", 100, 3.0, 50.0, True, seed=100),
    Phase("bbox 50-150 km, limit=1000", 1000, 50.0, 150.0, False, seed=101),
]


@dataclass
class Server:
    label: str
    port: int
    prefix: str  # where its OGC API starts
    process: subprocess.Popen


def pygeoapi_provider(postgres: Postgres, layer: Layer, directory: Path, log) -> tuple[dict, str]:
    """pygeoapi's PostgreSQL provider on a PostGIS copy of the layer, else its GeoJSON provider on a file."""
    try:
        postgis = load_postgis(create_database(postgres, "pygeoapi_bench"), layer)
    except Exception as exc:  # noqa: BLE001 - whatever keeps PostGIS away, the fallback is the same
        log(f"PostGIS is not available ({str(exc).splitlines()[0]}): install postgresql-15-postgis-3")
        write_geojson(directory / "reaches.geojson", layer)
        provider = {"type": "feature", "name": "GeoJSON", "data": str(directory / "reaches.geojson")}
        return provider | {
            "id_field": "code"
        }, "GeoJSON provider (FALLBACK: no PostGIS; reads the file per request)"
    data = {"host": "127.0.0.1", "port": postgres.port, "dbname": "pygeoapi_bench", "user": "postgres"}
    provider = {"type": "feature", "name": "PostgreSQL", "data": data, "id_field": "code", "table": "reaches"}
    return provider | {"geom_field": "geom"}, f"PostgreSQL provider on a PostGIS {postgis} table, GiST index"


def measure(servers: Sequence[Server], phase: Phase, args, postmaster: int | None, log) -> list[Load]:
    """Warm every worker, then load each server for `args.seconds`: half in order, half in reverse order, so
    that other work on the machine drifting over the run weighs on both alike. Prints and returns the loads."""
    paths = {s.label: [items_path(s.prefix, box, phase.limit) for box in phase.boxes()] for s in servers}
    for server in servers:
        load(
            server.port, paths[server.label][::-1], seconds=60, threads=args.threads, limit=args.workers * 10
        )
    totals = {s.label: Load() for s in servers}
    spent = {s.label: dict.fromkeys(("server", "postgres", "clients", "machine"), 0.0) for s in servers}
    for order in (servers, servers[::-1]):
        for server in order:
            before = cpu_now(server.process.pid, postmaster)
            part = load(server.port, paths[server.label], seconds=args.seconds / 2, threads=args.threads)
            after = cpu_now(server.process.pid, postmaster)
            for key in spent[server.label]:
                spent[server.label][key] += after[key] - before[key]
            total = totals[server.label]
            total.ok, total.seconds = total.ok + part.ok, total.seconds + part.seconds
            total.body_bytes += part.body_bytes
            total.latencies += part.latencies
            total.errors += part.errors
            total.sample_error = total.sample_error or part.sample_error
    for server in servers:
        result = totals[server.label]
        errors = sum(result.errors.values())
        log(
            f"  {server.label:8} {result.rate:8.1f} requests/s  p50 {result.percentile(0.5):6.1f} ms  "
            f"p95 {result.percentile(0.95):6.1f} ms  {errors} errors  ({result.ok} in {result.seconds:.1f} s, "
            f"{result.body_bytes / max(result.ok, 1) / 1024:.1f} KB per answer)"
        )
        zero = dict.fromkeys(spent[server.label], 0.0)
        log(f"           {cpu_line(zero, spent[server.label], result.ok, result.seconds)}")
        if errors:
            first = " ".join(result.sample_error.split())[:200]
            log(f"           failures by status: {dict(result.errors)}; first: {first}")
    return [totals[s.label] for s in servers]


def start_ours(env: dict, directory: Path, workers: int, log) -> Server:
    port, started = free_port(), time.perf_counter()
    process = start_server(env, port, workers, directory / "server.log")
    log(
        f"ours: hezhang serve --prod, gunicorn {workers} workers (ready in {time.perf_counter() - started:.1f} s)"
    )
    return Server("ours", port, "/ogc", process)


def setup_database(postgres: Postgres, directory: Path, count: int, log) -> tuple[dict, Layer]:
    """Our database, migrated and given the layer; the environment our server runs with."""
    env = dict(
        os.environ,
        DATABASE_URL=create_database(postgres, "hezhang_bench"),
        DJANGO_SETTINGS_MODULE="hezhang.settings",
        HEZHANG_DATA_DIR=str(directory),
        HEZHANG_SECRET_KEY=secrets.token_urlsafe(50),
        HEZHANG_DEBUG="0",
        HEZHANG_LOG_LEVEL="ERROR",
    )
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HEZHANG_DATA_DIR")})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    layer = build_layer(count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(
        f"database: PostgreSQL on 127.0.0.1:{postgres.port} (temporary, fsync off); {len(layer.codes):,} "
        f"reaches ({sum(len(line) for line in layer.lines):,} vertices) saved through the models in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return env, layer


def run(args: argparse.Namespace, log: Callable[[str], None]) -> int:
    venv = Path(args.pygeoapi_venv)
    version = ""
    if not args.no_pygeoapi:
        try:
            version = ensure_pygeoapi(venv, log)
        except RuntimeError as exc:
            log(f"pygeoapi is not available, so nothing to compare with: {exc}")
            return NO_PYGEOAPI
    directory = Path(tempfile.mkdtemp(prefix="hezhang-bench-features."))
    postgres: Postgres | None = None
    servers: list[Server] = []
    try:
        postgres = start_postgres()
        env, layer = setup_database(postgres, directory, args.reaches, log)
        servers.append(start_ours(env, directory, args.workers, log))
        if not args.no_pygeoapi:
            provider, described = pygeoapi_provider(postgres, layer, directory, log)
            port, started = free_port(), time.perf_counter()
            try:
                process = start_pygeoapi(
                    venv, pygeoapi_config(port, provider, EXTENT), directory, args.workers
                )
            except RuntimeError as exc:
                log(f"pygeoapi could not be started: {exc}")
                return NO_PYGEOAPI
            servers.append(Server("pygeoapi", port, "", process))
            log(
                f"pygeoapi {version}: gunicorn {args.workers} workers, {described} "
                f"(ready in {time.perf_counter() - started:.1f} s)"
            )
        theirs = servers[1].port if len(servers) > 1 else None
        sample = make_boxes(args.check, 3.0, 150.0, seed=3)
        wrong, notes = check_answers(servers[0].port, theirs, layer, sample)
        verdict = "WRONG" if wrong else "exactly the reaches whose bounding box meets the bbox"
        log(f"answers: {len(sample)} boxes fetched whole from each; ours {verdict}")
        for line in wrong[:10] + notes[:10]:
            log(f"  {line}")

        ok, missed = not wrong, False
        postmaster = postmaster_pid(postgres)
        for phase in PHASES:
            sample = phase.boxes(200)
            line = f"{phase.label}{' (judged)' if phase.judged else ''}: features per answer "
            line += (
                f"{sum(min(len(layer.in_box(b)), phase.limit) for b in sample) / len(sample):.1f} from ours"
            )
            if theirs is not None:
                mean = sum(min(len(layer.intersecting(b)), phase.limit) for b in sample) / len(sample)
                line += f", {mean:.1f} from pygeoapi"
            log(line)
            measured = measure(servers, phase, args, postmaster, log)
            ok = ok and not measured[0].errors
            if len(measured) == 2:
                ratio = measured[0].rate / measured[1].rate if measured[1].rate else math.inf
                passed = ratio >= TARGET_RATIO
                verdict = ("PASS" if passed else "FAIL") if phase.judged else "reported, not judged"
                log(f"  ours / pygeoapi: {ratio:.2f}x  target >= {TARGET_RATIO:g}x -> {verdict}")
                missed = missed or (phase.judged and not passed)
        for server in servers:
            stop_server(server.process)
        for server in servers:
            error = last_traceback(directory / ("server.log" if server.label == "ours" else "pygeoapi.log"))
            if error:
                log(f"{server.label}: the last error logged:\n{error}")
        servers.clear()
        if args.profile or missed:
            from django.test import override_settings

            for phase in PHASES if args.profile else PHASES[:1]:
                log(f"profile of our items request, {phase.label} (what dominates):")
                with override_settings(ALLOWED_HOSTS=["*"]):
                    paths = [items_path("/ogc", box, phase.limit) for box in phase.boxes()]
                    for line in profile_requests(paths, 200):
                        log(line)
        return 0 if ok and not missed else 1
    finally:
        for server in servers:
            stop_server(server.process)
        if postgres is not None:
            from django.db import connections

            connections.close_all()
            postgres.stop()
        shutil.rmtree(directory, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reaches", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="load time per server and phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of each server")
    parser.add_argument("--threads", type=int, default=8, help="client threads requesting at once")
    parser.add_argument("--check", type=int, default=30, help="boxes fetched whole from both and checked")
    parser.add_argument("--pygeoapi-venv", default=str(PYGEOAPI_VENV), help="created with pip when missing")
    parser.add_argument("--no-pygeoapi", action="store_true", help="ours only: nothing compared or judged")
    parser.add_argument("--profile", action="store_true", help="profile our requests even when on target")
    args = parser.parse_args(argv)
    log = lambda line: print(line, flush=True)  # noqa: E731
    log(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the run; "
        f"clients: {args.threads} threads; {args.seconds:g} s per server and phase"
    )
    return run(args, log)


if __name__ == "__main__":
    sys.exit(main())
