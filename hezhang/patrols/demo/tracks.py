"""Each demo patrol's track, from plan to verdict: walked, cleaned, scored and sealed, in worker processes.

This is where the demo's time goes (about 2.5 ms a patrol, most of it in `clean`, `seal` and `score`, the
production functions a re-score runs), so the work is spread over the machine's cores when it can fork. The reach
geometries reach the workers by inheritance at fork, never pickled per patrol; each worker prepares a reach's
`ReachLine` once. No Django here.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hezhang.patrols.cleaning import clean
from hezhang.patrols.demo.walks import Bank, Walk, walk
from hezhang.patrols.scoring import ReachLine, ScoringRules, score
from hezhang.patrols.sealing import seal

__all__ = ["Done", "Job", "run"]

# Below this many patrols the pool costs more than it saves.
POOL_FROM = 400
MAX_WORKERS = 8


@dataclass(frozen=True, slots=True)
class Job:
    reach_id: int
    walk: Walk
    rules: ScoringRules
    answered: int


@dataclass(frozen=True, slots=True)
class Done:
    """A patrol's sealed track, its extent, and the verdict as `score_patrol` stores it."""

    track: bytes
    point_count: int
    first_t: float
    last_t: float
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    verdict: dict[str, Any]


_reaches: dict[int, tuple[Bank, Mapping[str, Any]]] = {}
_lines: dict[int, ReachLine] = {}


def one(job: Job) -> Done:
    bank, geometry = _reaches[job.reach_id]
    points = walk(bank, job.walk)
    if job.reach_id not in _lines:
        _lines[job.reach_id] = ReachLine.from_geojson(geometry, job.reach_id)
    cleaned = clean(points)
    result = score(cleaned.kept, [_lines[job.reach_id]], job.rules, checklist_answered=job.answered)
    detail = result.as_dict()
    detail["cleaning"] = cleaned.counts
    lons = [p.lon for p in points]
    lats = [p.lat for p in points]
    return Done(
        track=seal(points),
        point_count=len(points),
        first_t=points[0].t,
        last_t=points[-1].t,
        bbox=(min(lons), min(lats), max(lons), max(lats)),
        verdict={
            "is_valid": result.is_valid,
            "duration_s": result.duration_s,
            "distance_m": result.distance_m,
            "coverage": result.coverage,
            "max_speed_mps": result.max_speed_mps,
            "mode": result.mode,
            "reasons": [{"code": r.code, "value": r.value, "limit": r.limit} for r in result.reasons],
            "flags": list(result.flags),
            "score": detail,
        },
    )


def _workers(jobs: int) -> int:
    if jobs < POOL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def run(jobs: Sequence[Job], reaches: Mapping[int, tuple[Bank, Mapping[str, Any]]]) -> list[Done]:
    """Every job's result, in order; `reaches` maps a reach id to its bank and GeoJSON line."""
    _reaches.clear()
    _reaches.update(reaches)
    _lines.clear()
    workers = _workers(len(jobs))
    if workers == 1:
        return [one(job) for job in jobs]
    # Forked, the workers see `_reaches` as it is now; they import no Django and touch no database.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(one, jobs, chunksize=max(50, len(jobs) // (workers * 8)))
