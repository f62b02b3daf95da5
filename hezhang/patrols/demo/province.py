"""Province-scale patrol history for benchmarks: millions of scored patrols, written in minutes, not hours.

`build_province_patrols()` gives every current chief of the province (`build_province`) a year of patrols of
their responsible reaches, at their rule's frequency and their habit (`schedule`), each with a verdict as if scored:
about four in five valid, the others too short, too little distance, too fast, low coverage or checklist empty.

These rows exist to make statistics and rates realistic at scale. They have no track (`track` is NULL, the point
count is what the walk would have recorded), no checklist answers and no events, and they were never scored:
their verdict is worked out from each walk's plan (`verdicts.judge`), since walking, sealing and scoring 6.5
million tracks would take hours. The tracks and verdicts of real patrols, and of the demo county's patrols
(`build_patrols`), come from the scorer.

Every row's client id is `prov-<seed>-<n>`: a second call (whatever its seed) finds them and adds nothing. The
province has no grid members, so the chiefs' pace is scaled by one common factor until the total is about `total`
(Hebei records about 6.5 million patrols a year); each patroller keeps their own habit relative to the others.
`score` holds only what the patrol page shows (the reach's covered stretch), not the scorer's full detail.

Speed: the rows are drawn with numpy for ~200 000 patrols at a time (about 140 000 a second) and written with
COPY on PostgreSQL, `executemany` on SQLite (`loading`), patrols and their reach links alike, every index left in
place, all in one transaction so that an interrupted build leaves nothing behind. Measured on two cores with
PostgreSQL 15: 6.5 million patrols in 7.6 minutes (14 000 a second; 2 of those minutes are the commit, where
PostgreSQL checks the deferred foreign keys); SQLite writes about 17 000 a second.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

import numpy as np
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from hezhang.accounts.models import User
from hezhang.patrols.demo.loading import Loader
from hezhang.patrols.demo.schedule import PERIOD_DAYS, draw_habit
from hezhang.patrols.demo.verdicts import MODES, REASONS, Limits, judge, kinds, start_times
from hezhang.patrols.models import Patrol, PatrolRole, PatrolRule, Source
from hezhang.patrols.rules import role_of, rule_for
from hezhang.patrols.summary import add as add_to_summaries
from hezhang.registry.models import ChiefAssignment, Reach, Region

__all__ = ["MARK", "build_province_patrols", "summary"]

MARK = "prov-"
CHUNK = 200_000
SOURCES = np.array([Source.APP.value, Source.TRACKER.value, Source.GPX.value], dtype=object)
SOURCE_SHARES = np.cumsum([0.9, 0.07, 0.03])
COLUMNS = (
    "id",
    "client_id",
    "patroller_id",
    "role",
    "chief_level",
    "region_id",
    "source",
    "device_id",
    "started_at",
    "ended_at",
    "last_point_at",
    "note",
    "track",
    "point_count",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "rule_id",
    "scored_at",
    "is_valid",
    "duration_s",
    "distance_m",
    "coverage",
    "max_speed_mps",
    "mode",
    "reasons",
    "flags",
    "score",
)


class Rules:
    """Which rule applies to each kind of patrol: a row per (role, level, ruled ancestors), a column per month."""

    def __init__(self) -> None:
        self.ruled = sorted(
            set(PatrolRule.objects.exclude(region=None).values_list("region__path", flat=True))
        )
        self.rows: dict[tuple, int] = {}
        self.table: list[list[int]] = []  # row -> the index in `rules` of each month's rule
        self.rules: list[PatrolRule | None] = []
        self.index: dict[int | None, int] = {}

    def row(self, role: str, level: int | None, region_id: int, path: str) -> int:
        # Only the regions with rules of their own tell two places apart (looking up ancestors is slow).
        key = (role, level, *(p for p in self.ruled if path.startswith(p)))
        if key not in self.rows:
            region = Region.objects.get(pk=region_id)
            months = []
            for month in range(1, 13):
                rule = rule_for(role, level, region, datetime.datetime(2024, month, 15, tzinfo=datetime.UTC))
                pk = rule.pk if rule is not None else None
                if pk not in self.index:
                    self.index[pk] = len(self.rules)
                    self.rules.append(rule)
                months.append(self.index[pk])
            self.rows[key] = len(self.table)
            self.table.append(months)
        return self.rows[key]

    def per_day(self, row: int, month: int) -> float:
        rule = self.rules[self.table[row][month - 1]]
        return 1 / 30.4 if rule is None else rule.times / PERIOD_DAYS.get(rule.period, 30.4)

    def limits(self, index: np.ndarray) -> Limits:
        """The thresholds of the rules at `index` (positions in `rules`; no rule: the scorer's defaults)."""
        rows = [
            (600.0, 500.0, 0.3, 25 / 3.6, True)
            if r is None
            else (
                r.min_duration_min * 60.0,
                float(r.min_distance_m),
                r.min_coverage_pct / 100,
                r.max_speed_kmh / 3.6,
                r.require_checklist,
            )
            for r in self.rules
        ]
        columns = [np.array(c) for c in zip(*rows, strict=True)]
        return Limits(*(c[index] for c in columns))


class Province:
    """Every current chief of the province with their line reaches, habits and rules, as arrays."""

    def __init__(self, seed: int, now: datetime.datetime, months: float, total: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed * 7919 + 3)
        self.start = (now - datetime.timedelta(days=round(months * 30.44))).timestamp()
        self.end = (now - datetime.timedelta(hours=3)).timestamp()
        self.rules = Rules()
        self._load(random.Random(seed * 7919 + 3), now.month)
        days = (self.end - self.start) / 86400
        expected = days * self.per_day * self.rate * self.stops_at
        self.pace = total / expected.sum() if expected.sum() else 0.0
        counts = np.floor(expected * self.pace + self.rng.random(len(expected))).astype(np.int64)
        self.counts = np.where(self.rate > 0, np.maximum(counts, self.at_least), counts)
        self.spans = days * np.maximum(self.stops_at, 0.2)
        self.n = 0

    def _load(self, habits: random.Random, month: int) -> None:
        lines = {}
        by_water: dict[int, list[int]] = defaultdict(list)
        fields = (
            "pk",
            "water_body_id",
            "region_id",
            "region__path",
            "length_m",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
        )
        for row in Reach.objects.exclude(length_m=None).order_by("pk").values_list(*fields):
            lines[row[0]] = row
            by_water[row[1]].append(row[0])
        # What `responsible_reaches` gives each current chief, lines only, for all of them at once.
        mine: dict[int, dict[int, None]] = defaultdict(dict)
        assignments = (
            ChiefAssignment.objects.current().filter(chief__is_active=True).order_by("chief_id", "pk")
        )
        for chief, reach, water, path in assignments.values_list(
            "chief_id", "reach_id", "water_body_id", "region__path"
        ):
            if reach is not None:
                found = [reach] if reach in lines else []
            else:
                found = [pk for pk in by_water.get(water, []) if lines[pk][3].startswith(path)]
            mine[chief].update(dict.fromkeys(found))
        users = User.objects.filter(pk__in=[pk for pk, found in mine.items() if found]).order_by("pk")
        people, reaches = [], []
        for pk, role, level in users.values_list("pk", "role", "chief_level"):
            kind = role_of(_User(role))
            level = level if kind == PatrolRole.CHIEF else None
            first = len(reaches)
            for reach in mine[pk]:
                line = lines[reach]
                reaches.append(
                    (reach, line[2], line[4], *line[5:9], self.rules.row(kind, level, line[2], line[3]))
                )
            habit = draw_habit(habits)
            # Leaders above the township patrol at least once a season; county chiefs often monthly.
            at_least = 1 if level in (1, 2) else habits.randint(1, 3) if level == 3 else 0
            per_day = self.rules.per_day(reaches[first][-1], month)
            people.append(
                (
                    pk,
                    kind,
                    level,
                    first,
                    len(reaches) - first,
                    per_day,
                    habit.rate,
                    habit.stops_at,
                    habit.sloppy,
                    at_least,
                )
            )
        columns = list(zip(*people, strict=True)) or [()] * 10
        self.pk, self.first, self.owned = (
            np.array(c, dtype=np.int64) for c in (columns[0], columns[3], columns[4])
        )
        self.role, self.level = np.array(columns[1], dtype=object), np.array(columns[2], dtype=object)
        self.per_day, self.rate, self.stops_at = (np.array(c, dtype=np.float64) for c in columns[5:8])
        self.sloppy, self.at_least = np.array(columns[8], dtype=bool), np.array(columns[9], dtype=np.int64)
        reach_columns = list(zip(*reaches, strict=True)) or [()] * 8
        self.reach_pk, self.reach_region = (np.array(c, dtype=np.int64) for c in reach_columns[:2])
        self.length_m = np.array(reach_columns[2], dtype=np.float64)
        self.bbox = np.array(reach_columns[3:7], dtype=object).T.reshape(-1, 4)
        self.rule_row = np.array(reach_columns[7], dtype=np.int64)
        self.rule_pk = np.array([r.pk if r is not None else None for r in self.rules.rules], dtype=object)

    def __len__(self) -> int:
        return len(self.pk)

    def chunks(self, loader: Loader) -> Iterator[list[tuple]]:
        """Patrol rows, about CHUNK at a time, patroller by patroller; each row's reach id is its last value."""
        ends = np.cumsum(self.counts)
        bounds = [0, *np.searchsorted(ends, np.arange(CHUNK, ends[-1] if len(ends) else 0, CHUNK)), len(ends)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            if b > a:
                yield self.chunk(loader, a, b)

    def chunk(self, loader: Loader, a: int, b: int) -> list[tuple]:
        rng = self.rng
        who, t0 = start_times(rng, self.counts[a:b], self.spans[a:b], self.start, self.end)
        who += a
        n = len(who)
        j = self.first[who] + np.floor(rng.random(n) * self.owned[who]).astype(np.int64)
        month = (
            (t0 + 8 * 3600).astype("int64").astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
        ) % 12
        rule = np.array(self.rules.table, dtype=np.int64)[self.rule_row[j], month]
        limits = self.rules.limits(rule)
        done = judge(rng, kinds(rng, self.sloppy[who]), self.length_m[j], limits)
        valid = done.is_valid
        ended = t0 + done.duration_s
        ids = loader.ids(Patrol._meta.db_table, n)
        first = self.n + 1
        self.n += n
        reasons, flags = _reasons(done, limits, valid)
        reach = self.reach_pk[j].tolist()
        score = [
            f'{{"reaches": [{{"reach_id": {r}, "length_m": {length}, "coverage": {c}, "intervals": [[{lo}, {hi}]]}}], '
            f'"cleaning": {{}}}}'
            for r, length, c, lo, hi in zip(
                reach,
                self.length_m[j].tolist(),
                done.coverage.tolist(),
                done.covered_from.tolist(),
                done.covered_to.tolist(),
                strict=True,
            )
        ]
        ends = loader.stamps(ended)
        bbox = self.bbox[j].T
        blank = [""] * n
        columns = [
            ids,
            [f"{MARK}{self.seed}-{k:08d}" for k in range(first, first + n)],
            self.pk[who].tolist(),
            self.role[who].tolist(),
            self.level[who].tolist(),
            self.reach_region[j].tolist(),
            SOURCES[np.searchsorted(SOURCE_SHARES, rng.random(n) * SOURCE_SHARES[-1])].tolist(),
            blank,
            loader.stamps(t0),
            ends,
            ends,
            blank,
            [None] * n,
            done.point_count.tolist(),
            *(c.tolist() for c in bbox),
            self.rule_pk[rule].tolist(),
            loader.stamps(ended + rng.uniform(1, 30, n)),
            valid.tolist(),
            done.duration_s.tolist(),
            done.distance_m.tolist(),
            done.coverage.tolist(),
            done.max_speed_mps.tolist(),
            np.array(MODES, dtype=object)[done.mode].tolist(),
            reasons,
            flags,
            score,
            reach,
        ]
        return list(zip(*columns, strict=True))


def _reasons(done, limits: Limits, valid: np.ndarray) -> tuple[list[str], list[str]]:
    """The `reasons` and `flags` JSON of every patrol, as `score_patrol` stores them."""
    n = len(valid)
    reasons, flags = ["[]"] * n, ["[]"] * n
    limit = np.stack(
        [limits.min_duration_s, limits.min_distance_m, limits.max_speed_mps, limits.min_coverage, np.ones(n)],
        axis=1,
    )
    for i in np.flatnonzero(~valid).tolist():
        codes = [k for k in range(len(REASONS)) if done.failed[i, k]]
        reasons[i] = (
            "["
            + ", ".join(
                f'{{"code": "{REASONS[k]}", "value": {float(done.values[i, k])}, "limit": {_number(limit[i, k])}}}'
                for k in codes
            )
            + "]"
        )
        flags[i] = "[" + ", ".join(f'"{REASONS[k]}"' for k in codes) + "]"
    return reasons, flags


def _number(x: float) -> float | int:
    return int(x) if x == int(x) else float(x)


class _User:
    """What `role_of` reads of a user."""

    def __init__(self, role: str) -> None:
        self.role = role


def build_province_patrols(
    seed: int = 7, log: Callable[[str], None] | None = print, total: int = 6_500_000, months: float = 12
) -> dict:
    """Add about `total` patrols of the last `months` to the province's chiefs unless they are there.

    Returns {"built", "total", "valid", "invalid", "open", "reasons"} like `build_patrols`' summary.
    """
    say = log or (lambda _text: None)
    if total <= 0 or Patrol.objects.filter(client_id__startswith=MARK).exists():
        return summary(built=False)
    started = time.perf_counter()
    valid = 0
    reasons: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        loader = Loader()
        province = Province(seed, timezone.now(), months, total)
        say(
            f"  全省巡河 province patrols: {len(province):,} patrollers, about {total:,} patrols of {months:g} months "
            f"(x{province.pace:.2f} their rules' pace) …"
        )
        table, through = Patrol._meta.db_table, Patrol.reaches.through._meta.db_table
        for rows in province.chunks(loader):
            loader.write(table, COLUMNS, [row[:-1] for row in rows])
            loader.write(through, ("patrol_id", "reach_id"), [(row[0], row[-1]) for row in rows])
            for row in rows:
                if row[20]:
                    valid += 1
                else:
                    for code in REASONS:
                        if f'"{code}"' in row[27]:
                            reasons[code] += 1
            seconds = time.perf_counter() - started
            say(f"    {province.n:>10,} patrols  {seconds:7.1f} s  {province.n / seconds:>9,.0f}/s")
        # COPY goes around the signals that keep the patrol summaries: add the rows to them, set-based.
        summed = time.perf_counter()
        add_to_summaries(Patrol.objects.filter(client_id__startswith=MARK))
        say(
            f"    summaries (per region and day, reach and day, patroller and year) {time.perf_counter() - summed:.1f} s"
        )
    seconds = time.perf_counter() - started
    say(
        f"  全省巡河 province patrols: {province.n:,} in {seconds:.1f} s ({province.n / max(seconds, 1e-9):,.0f}/s)"
    )
    return {
        "built": True,
        "total": province.n,
        "valid": valid,
        "invalid": province.n - valid,
        "open": 0,
        "reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
    }


def summary(built: bool) -> dict:
    """Counts of the province patrols there are (reasons are counted only while building: too slow to recount)."""
    counts = Patrol.objects.filter(client_id__startswith=MARK).aggregate(
        total=Count("pk"),
        valid=Count("pk", filter=Q(is_valid=True)),
        invalid=Count("pk", filter=Q(is_valid=False)),
    )
    return {"built": built, **counts, "open": 0, "reasons": {}}
