"""Benchmark of the statistics pages on the province-scale data set.

Run with:  .venv/bin/python -m bench.bench_statistics [--repeat 20] [--rebuild]

The data set is `hezhang demo --scale province` (~170 counties, >= 50 000 chiefs, 6.5 million patrols of the last
year, scored, without tracks) plus ~50 000 cases written here in bulk, because the demo builds its 240 cases one by
one through the workflow and only in the demo county (see `add_cases`). Building takes about ten minutes on two
cores, so the PostgreSQL cluster is kept in `--data` (/tmp/hezhang-bench-province) with a marker saying what was
built; later runs start that cluster again and measure at once. `--rebuild` throws it away first.

Each page is requested in-process through Django's test `Client` (DEBUG off, logged in as the demo's province
administrator), so the figures are the view, its queries and the template, without HTTP or gunicorn:

  /statistics/          the whole province, a city and a county, for this week, month, quarter and year, and the
                        last 30 days (a custom range)
  /patrols/rates/       the same
  /patrols/blank-spots/ the same

Each combination is requested once to warm up and then `--repeat` times; p50 and p95 are printed beside the target,
300 ms at p95, and each level (province, city, county) PASSes when all its pages do. The pages read the patrols
app's summaries (`RegionDay`, `ReachDay`, `PatrollerYear`: per region and day, reach and day, patroller and year),
kept with every patrol and built by the migration that adds them, its roster of patrollers (`PatrollerTerm`) and
kept standings (`PatrollerStanding`), and the statistics page counts its patrol and case figures at once on their
own connections (hezhang/parallel.py). Beside them, measured in the same run, what the
pages are compared against: the time of a bare `SELECT count(*)` of the patrol table, of one straightforward
aggregate of the year's patrols of the province (count, valid, distance: a single pass over the rows a page would
read without pre-aggregation), of the valid patrols per patroller and day of the year (what the patrol rate read
before the summaries), and of blank spots by counting every reach's patrols; then whether the summaries agree with
that plain aggregate, and the statistics functions one by one for the province, to show what dominates. When a page
misses the target, one request is profiled: its SQL, slowest first, with times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_intake import Postgres, free_port, postgres_bin

TARGET_MS = 300.0
DATA = Path("/tmp/hezhang-bench-province")
PAGES = ["/statistics/", "/patrols/rates/", "/patrols/blank-spots/"]
# The calendar periods containing today, and a custom range: the last 30 days.
PERIODS = ["week", "month", "quarter", "year", "custom"]
CUSTOM_DAYS = 30


def date_range(period: str):
    """(start, end) of a period as the pages take it."""
    import datetime

    from django.utils import timezone

    from hezhang.patrols.periods import calendar_period

    today = timezone.localdate()
    if period == "custom":
        return today - datetime.timedelta(days=CUSTOM_DAYS - 1), today
    return calendar_period(period, today)


def page_query(period: str, region) -> dict:
    query = {"period": period, "region": region.pk}
    if period == "custom":
        start, end = date_range(period)
        query.update(start=start.isoformat(), end=end.isoformat())
    return query


MARK = "bench-"  # the client id of every case added here


# --- the cluster, kept between runs -----------------------------------------------------------------------


def _runner(directory: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    import pwd

    owner = "postgres"
    try:
        pwd.getpwnam(owner)
    except KeyError:
        owner = "nobody"
    shutil.chown(directory, owner)
    return ["runuser", "-u", owner, "--"]


def start_cluster(directory: Path, *, fresh: bool) -> Postgres:
    """Start the cluster in `directory` (initdb first when `fresh`), on loopback, fsync off (a benchmark's data)."""
    binary = postgres_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL server programs (initdb, pg_ctl) are not installed")
    directory.mkdir(parents=True, exist_ok=True)
    runner = _runner(directory)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    if fresh:
        subprocess.run(
            [*runner, str(binary / "initdb"), "-D", str(directory / "data"), "-U", "postgres", "--auth=trust"]
            + ["-E", "UTF8", "--locale=C.UTF-8"],
            **quiet,
        )
    port = free_port()
    # A larger shared_buffers and work_mem than initdb's defaults, as any production server would have.
    options = (
        f"-h 127.0.0.1 -p {port} -k {directory} -F -c max_connections=50 -c shared_buffers=1GB"
        " -c work_mem=64MB -c maintenance_work_mem=512MB -c max_wal_size=8GB"
    )
    subprocess.run(
        [*runner, str(binary / "pg_ctl"), "-D", str(directory / "data"), "-l", str(directory / "log"), "-w"]
        + ["-o", options, "start"],
        **quiet,
    )
    return Postgres(directory=directory, port=port, bin=binary, runner=runner)


def stop_cluster(server: Postgres) -> None:
    """Stop, keeping the data (`Postgres.stop` removes its directory)."""
    subprocess.run(
        [
            *server.runner,
            str(server.bin / "pg_ctl"),
            "-D",
            str(server.directory / "data"),
            "-m",
            "fast",
            "stop",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def _setup_django(url: str, data_dir: Path) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="hezhang.settings",
        HEZHANG_DATA_DIR=str(data_dir),
        HEZHANG_DEBUG="0",
        HEZHANG_LOG_LEVEL="ERROR",
    )
    import django

    django.setup()


# --- the data -----------------------------------------------------------------------------------------------


def build(*, patrols: int, cases: int, seed: int = 7, log: Callable[[str], None] = print) -> dict:
    """`hezhang demo --scale province --no-serve --patrols N`, then `add_cases`; returns what was built."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("demo", scale="province", no_serve=True, patrols=patrols, seed=seed, stdout=_Lines(log))
    demo_s = time.perf_counter() - started
    started = time.perf_counter()
    added = add_cases(cases, seed=seed)
    cases_s = time.perf_counter() - started
    log(f"  {added:,} cases added in bulk in {cases_s:.1f} s")
    started = time.perf_counter()
    _after_load()
    log(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    return {
        "patrols": patrols,
        "cases": cases,
        "seed": seed,
        "demo_s": round(demo_s),
        "cases_s": round(cases_s),
    }


def migrate(log: Callable[[str], None] = print) -> None:
    """Bring a data set kept from an older checkout up to date: new tables, and whatever data migrations fill (the
    patrol summaries are built from the patrols by theirs, once)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _after_load()
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan)
    log(f"  migrated ({names}) in {time.perf_counter() - started:.1f} s")


def _after_load() -> None:
    """What any loaded database gets: statistics for the planner and a visibility map (index-only scans)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


class _Lines:
    """A stdout for call_command that hands each line to `log`."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log

    def write(self, text: str) -> None:
        for line in text.rstrip("\n").splitlines():
            self.log(line)

    def flush(self) -> None:
        pass


def add_cases(total: int, seed: int = 7, batch: int = 5000) -> int:
    """Top the province up to `total` cases, written with bulk_create: no events, photos, routing or notices.

    Each case lies in a random township of the province (under its county's office, with one of the county's
    departments for the assigned ones), reported at a random moment of the last year, and has moved as far
    along the workflow as its age makes likely: most older cases are closed, the newest are mostly open. Only
    the columns the statistics read are filled with any care. Returns how many were added.
    """
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from hezhang.cases.models import Case, CaseCategory, Channel
    from hezhang.registry.models import Department, Office, Region

    have = Case.objects.count()
    if have >= total:
        return 0
    rng = random.Random(seed * 31 + 5)
    offices = {o.region.path: o.pk for o in Office.objects.select_related("region").filter(region__level=3)}
    departments: dict[str, list[int]] = {}
    for pk, path in Department.objects.filter(region__level=3).values_list("pk", "region__path"):
        departments.setdefault(path, []).append(pk)
    places = []
    for pk, path in Region.objects.filter(level=4).values_list("pk", "path"):
        county = next((p for p in offices if path.startswith(p)), None)
        if county is not None:
            places.append((pk, offices[county], departments.get(county, [])))
    categories = list(CaseCategory.objects.filter(region=None).values_list("pk", flat=True))
    channels = [c.value for c in Channel]
    channel_weights = [30, 40, 10, 3, 8, 3, 3, 3]
    now = timezone.now()
    added = 0
    with transaction.atomic():
        for first in range(have, total, batch):
            rows = []
            for n in range(first, min(total, first + batch)):
                region, office, depts = rng.choice(places)
                created = now - datetime.timedelta(seconds=rng.uniform(0, 365 * 86400))
                age_days = (now - created).total_seconds() / 86400
                accepted = created + datetime.timedelta(hours=rng.uniform(0.2, 30))
                done_in = datetime.timedelta(days=rng.uniform(1, 25))
                closed = created + done_in if age_days > done_in.days + 2 and rng.random() < 0.92 else None
                if closed is not None:
                    state = "closed"
                elif accepted > now:
                    state = "reported"
                else:
                    state = rng.choice(["accepted", "assigned", "in_progress", "in_progress", "completed"])
                assigned = state in ("assigned", "in_progress", "completed", "closed")
                rows.append(
                    Case(
                        number=f"B{n:09d}",
                        title="河道问题",
                        category_id=rng.choice(categories),
                        channel=rng.choices(channels, channel_weights)[0],
                        lon=115 + rng.random() * 4,
                        lat=37 + rng.random() * 4,
                        state_id=state,
                        client_id=f"{MARK}{n}",
                        region_id=region,
                        office_id=office,
                        department_id=rng.choice(depts) if assigned and depts else None,
                        deadline=created + datetime.timedelta(days=7) if assigned else None,
                        rating=rng.choice(["", "", "satisfied", "satisfied", "fair", "unsatisfied"])
                        if closed
                        else "",
                        created_at=created,
                        accepted_at=accepted if state != "reported" else None,
                        completed_at=closed,
                        closed_at=closed,
                    )
                )
            Case.objects.bulk_create(rows)
            added += len(rows)
    # bulk_create goes around the signals that keep the cases' rows a day: added to them here, as the demo does.
    from hezhang.cases.summary import add

    add(Case.objects.filter(client_id__startswith=MARK))
    return added


def counts() -> dict:
    from hezhang.accounts.models import Role, User
    from hezhang.cases.models import Case
    from hezhang.patrols.models import Patrol
    from hezhang.registry.models import Reach, Region

    return {
        "regions": Region.objects.count(),
        "reaches": Reach.objects.count(),
        "chiefs": User.objects.filter(role=Role.CHIEF).count(),
        "patrols": Patrol.objects.count(),
        "cases": Case.objects.count(),
    }


# --- measuring ----------------------------------------------------------------------------------------------


@dataclass
class Timing:
    page: str
    where: str
    period: str
    ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def met(self) -> bool:
        return self.p95 < TARGET_MS


def places() -> list[tuple[str, object]]:
    """(label, region): the province, the demo city and the demo county."""
    from hezhang.registry.demo.county import CITY_CODE, PROVINCE_CODE
    from hezhang.registry.models import Region

    province = Region.objects.get(code=PROVINCE_CODE)
    city = Region.objects.get(code=CITY_CODE)
    county = Region.objects.filter(parent=city).order_by("code").first()
    return [("province", province), ("city", city), ("county", county)]


def login_client(username: str = "admin"):
    from django.test import Client

    from hezhang.accounts.models import User

    client = Client()
    user = User.objects.filter(username=username).first() or User.objects.filter(is_superuser=True).first()
    if user is None:
        raise RuntimeError(f"no user {username!r} and no superuser to log in as")
    client.force_login(user)
    return client, user


def time_pages(
    client,
    where: list[tuple[str, object]],
    *,
    repeat: int,
    budget: float = 20.0,
    pages: Sequence[str] = PAGES,
    periods: Sequence[str] = PERIODS,
    log=print,
) -> list[Timing]:
    timings = []
    for page in pages:
        for label, region in where:
            for period in periods:
                query = page_query(period, region)
                response = client.get(page, query)
                if response.status_code != 200:
                    raise RuntimeError(f"{page} {query}: HTTP {response.status_code}")
                timing = Timing(page, label, period)
                began = time.perf_counter()
                # A page seconds slow is timed at least 3 times, not `repeat`: its p95 is plain enough.
                while len(timing.ms) < repeat and (
                    len(timing.ms) < 3 or time.perf_counter() - began < budget
                ):
                    started = time.perf_counter()
                    client.get(page, query)
                    timing.ms.append((time.perf_counter() - started) * 1000)
                log(
                    f"  {page:<22} {label:<9} {period:<8} n {len(timing.ms):>2}  p50 {timing.p50:7.1f} ms  p95 {timing.p95:7.1f} ms"
                    f"  {'ok' if timing.met else 'MISSED'}"
                )
                timings.append(timing)
    return timings


def _best(call: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _this_year():
    from django.utils import timezone

    from hezhang.patrols.models import Patrol
    from hezhang.patrols.periods import calendar_period
    from hezhang.statistics.figures import _window

    start, end = calendar_period("year", timezone.localdate())
    since, until = _window(start, end)
    return start, end, Patrol.objects.filter(started_at__gte=since, started_at__lte=until)


def reference(repeat: int = 5) -> dict[str, float]:
    """What the pages are compared against, in ms (best of `repeat`; the slowest, of at most two): reading the
    patrols themselves, as the pages did before the summaries."""
    from django.db import connection
    from django.db.models import Count, Q, Sum
    from django.db.models.functions import TruncDate

    from hezhang.patrols.frequency import reach_counts
    from hezhang.patrols.models import Patrol

    def count():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {Patrol._meta.db_table}")
            cursor.fetchone()

    start, end, year = _this_year()
    # What the patrol rate read before: every patroller's valid patrols a day (here for everyone, as for the
    # province, whose patrollers are everyone).
    per_day = (
        year.filter(is_valid=True)
        .annotate(day=TruncDate("started_at"))
        .values_list("patroller_id", "day")
        .annotate(n=Count("pk"))
        .order_by("patroller_id", "day")
    )
    return {
        "count(*) of the patrol table": _best(count, repeat),
        "one aggregate of this year's patrols (no pre-aggregation)": _best(
            lambda: year.aggregate(
                n=Count("id"), valid=Count("id", filter=Q(is_valid=True)), km=Sum("distance_m")
            ),
            repeat,
        ),
        "valid patrols per patroller and day this year (what the patrol rate read before)": _best(
            lambda: len(per_day.all()), min(repeat, 2)
        ),
        # Blank spots as they were first written: every reach's valid patrols counted, then the zeros kept.
        "blank spots of this year by counting every reach's patrols": _best(
            lambda: reach_counts(None, start, end).filter(valid_patrols=0).count(), min(repeat, 2)
        ),
    }


def agreement() -> tuple[bool, str]:
    """Whether the summaries hold what the patrols do: this year's patrols everywhere, counted both ways."""
    from django.db.models import Count, Q, Sum

    from hezhang.patrols.models import RegionDay

    start, end, year = _this_year()
    valid = Q(is_valid=True)
    plain = year.aggregate(n=Count("id"), valid=Count("id", filter=valid), m=Sum("distance_m", filter=valid))
    summed = RegionDay.objects.filter(region_path="", day__gte=start, day__lte=end).aggregate(
        n=Sum("patrols"), valid=Sum("valid"), m=Sum("valid_distance_m")
    )
    same = (plain["n"], plain["valid"]) == (summed["n"], summed["valid"]) and round(plain["m"] or 0) == round(
        summed["m"] or 0
    )
    return same, (
        f"this year's patrols {plain['n']:,} ({plain['valid']:,} valid, {(plain['m'] or 0) / 1000:,.0f} km); "
        f"summed by day {summed['n'] or 0:,} ({summed['valid'] or 0:,} valid, {(summed['m'] or 0) / 1000:,.0f} km)"
    )


def breakdown(region, period: str, repeat: int = 3) -> dict[str, float]:
    """The statistics functions one by one for `region` and `period`, in ms (best of `repeat`): what dominates."""

    from hezhang.patrols.frequency import (
        blank_spots,
        patrol_status,
        rate_by_level,
        rate_by_subregion,
        standing,
    )
    from hezhang.patrols.standings import kept
    from hezhang.statistics.figures import case_figures, patrol_figures, trend

    start, end = date_range(period)
    parts: dict[str, Callable[[], object]] = {
        "standing": lambda: standing(region, start, end, names=True),
        # What the rate tables read instead for a current period (None, and nothing saved, for a custom range).
        "kept standings": lambda: kept(region, start, end),
        "rate_by_level+subregion": None,
        # Every patroller made into a status with all their periods (what the pages did before): for comparison.
        "patrol_status": lambda: patrol_status(region, start, end),
        "blank_spots.count": lambda: blank_spots(region, start, end).count(),
        "patrol_figures": lambda: patrol_figures(region, start, end),
        "case_figures": lambda: case_figures(region, start, end),
        "trend": lambda: trend(region, start, end),
    }
    everyone = standing(region, start, end, names=True)
    parts["rate_by_level+subregion"] = lambda: (rate_by_level(everyone), rate_by_subregion(everyone, region))
    out = {}
    for name, call in parts.items():
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
        out[name] = best * 1000
    return out


def profile_request(client, page: str, region, period: str) -> list[str]:
    """The SQL of one request, slowest first, with its time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        client.get(page, page_query(period, region))
        total = (time.perf_counter() - started) * 1000
    rows = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
    sql_ms = sum(float(q["time"]) for q in rows) * 1000
    lines = [f"{page} {region.name} {period}: {total:.0f} ms, {len(rows)} queries, {sql_ms:.0f} ms in SQL"]
    for q in rows[:6]:
        lines.append(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:220]}")
    return lines


# --- the run ------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, log: Callable[[str], None] = print) -> bool:
    directory = Path(args.data)
    marker = directory / "built.json"
    wanted = {"patrols": args.patrols, "cases": args.cases, "seed": args.seed}
    built = json.loads(marker.read_text()) if marker.exists() else None
    if args.rebuild or built is None or {k: built.get(k) for k in wanted} != wanted:
        shutil.rmtree(directory, ignore_errors=True)
        built = None
    pg = directory / "pg"
    server = start_cluster(pg, fresh=built is None)
    try:
        if built is None:
            from bench.bench_intake import create_database

            url = create_database(server, "hezhang_bench")
        else:
            url = server.url("hezhang_bench")
        _setup_django(url, directory / "var")
        if built is None:
            log(f"building the province data set in {directory} (minutes; kept for later runs) …")
            built = build(patrols=args.patrols, cases=args.cases, seed=args.seed, log=log)
            marker.write_text(json.dumps(built))
        else:
            log(
                f"province data set from {marker} (built: demo {built['demo_s']} s, cases {built['cases_s']} s)"
            )
            migrate(log)
        if args.build_only:
            return True
        return measure(args, log)
    finally:
        from django.db import connections

        connections.close_all()
        stop_cluster(server)


def measure(args: argparse.Namespace, log: Callable[[str], None] = print) -> bool:
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    sizes = counts()
    log("data: " + ", ".join(f"{v:,} {k}" for k, v in sizes.items()))
    client, user = login_client()
    log(
        f"requests: Django test Client in-process (DEBUG off), logged in as {user.username}; {args.repeat} each"
    )
    # The machine is shared: what else ran meanwhile shows in the load, printed before and after.
    log(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    from hezhang.patrols import standings

    if standings.stale():
        # What the job patrols.standings does once a day begins (or the rules changed): the pages read the kept
        # standings of the current week, month, quarter and year only when they were judged today.
        started = time.perf_counter()
        rows = standings.rebuild()
        log(
            f"patrol standings judged for today (the job patrols.standings): {rows:,} rows in"
            f" {time.perf_counter() - started:.1f} s"
        )
    where = [(label, region) for label, region in places() if label in args.places]
    timings = time_pages(client, where, repeat=args.repeat, periods=args.periods, log=log)
    log("compared against (same run):")
    for label, ms in reference().items():
        log(f"  {label}: {ms:.1f} ms")
    same, counted = agreement()
    log(f"  summaries {'agree' if same else 'DISAGREE'} with the patrols: {counted}")
    for label, region in where[:1]:
        for period in args.periods:
            parts = breakdown(region, period, repeat=1)
            log(f"  functions, {label} {period}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in parts.items()))
    missed = [t for t in timings if not t.met]
    worst = max(timings, key=lambda t: t.p95)
    log(
        f"target p95 < {TARGET_MS:.0f} ms: {len(timings) - len(missed)} of {len(timings)} met;"
        f" worst {worst.page} {worst.where} {worst.period} p95 {worst.p95:.0f} ms"
    )
    for line in by_level(timings):
        log(line)
    log(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if missed and args.profile:
        regions = dict(where)
        for timing in sorted(missed, key=lambda t: -t.p95)[:3]:
            for line in profile_request(client, timing.page, regions[timing.where], timing.period):
                log(line)
    return not missed


def by_level(timings: Sequence[Timing]) -> list[str]:
    """PASS or MISS for each level (province, city, county): every page and period of it under the target."""
    lines = []
    for where in dict.fromkeys(t.where for t in timings):
        mine = [t for t in timings if t.where == where]
        worst = max(mine, key=lambda t: t.p95)
        verdict = "PASS" if all(t.met for t in mine) else "MISS"
        lines.append(
            f"  {where:<9} {verdict}: {sum(t.met for t in mine)} of {len(mine)} under {TARGET_MS:.0f} ms,"
            f" worst {worst.page} {worst.period} p95 {worst.p95:.0f} ms"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DATA), help=f"where the cluster is kept (default {DATA})")
    parser.add_argument("--rebuild", action="store_true", help="throw the kept data set away and build again")
    parser.add_argument(
        "--build-only", action="store_true", help="build (or find) the data set, measure nothing"
    )
    parser.add_argument("--patrols", type=int, default=6_500_000, help="patrols of history (default 6500000)")
    parser.add_argument("--cases", type=int, default=50_000, help="cases in all (default 50000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page, region and period")
    parser.add_argument("--places", nargs="+", default=["province", "city", "county"], metavar="PLACE")
    parser.add_argument("--periods", nargs="+", default=PERIODS, choices=PERIODS)
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    args = parser.parse_args(argv)
    return 0 if run(args) else 1


if __name__ == "__main__":
    sys.exit(main())
