"""Does a patrol count?  Duration, distance, speed and coverage of the reach, judged against rules.

A province re-scores millions of patrols whenever its rules change, so
`score()` is a short, fixed run of numpy calls per track (each costs about a
microsecond whatever its size, which at 720 fixes is as much as the
arithmetic), with plain Python where there are only a handful of values.
bench/bench_scoring.py measures it on 720-point hours against prepared
reaches and checks coverage against a shapely buffer.

Length and speeds are measured in a local equirectangular frame at the
track's middle fix; over a patrol's few kilometres this is within 0.1 % of
the geodesic.  Coverage (the share of the reach within `buffer_m` of the
track) is the geometry of hezhang.patrols.coverage, whose `ReachLine` is
re-exported here as the prepared reach callers pass in.  No Django here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.coverage import ReachLine, samples_along
from hezhang.patrols.points import TrackPoint

__all__ = [
    "DEFAULT_RULES",
    "PatrolScore",
    "Reason",
    "ReachCoverage",
    "ReachLine",
    "ScoringRules",
    "Track",
    "score",
]

FloatArray = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex128]

# Modes by the average speed while moving.  Brisk walking stays under 9 km/h;
# China's electric-bicycle standard (GB 17761-2018) caps assisted speed at
# 25 km/h, so anything faster is taken to be a motor vehicle.
WALK_MAX_MPS = 2.5
RIDE_MAX_MPS = 25 / 3.6
# A segment slower than this is standing still (after cleaning, which has
# already collapsed most GPS jitter), and does not count as moving time.
MOVING_MIN_MPS = 0.3
# A pause longer than this between fixes is reported (not held against the patrol).
LONG_GAP_S = 600.0


@dataclass(frozen=True, slots=True)
class ScoringRules:
    """What a valid patrol (有效巡河) must show; per region these come from configuration rows.

    Defaults follow the moderate end of published local rules.  County rules
    commonly ask for at least 30 minutes or 1 km of patrol (some 20 min and
    2 km); village-level chiefs on small reaches are often held to 10-15 min
    and 300-500 m.  We take 10 min, 500 m and 30 % of the reach, a floor that
    a real walk along the river passes easily and a stroll past does not.
    """

    buffer_m: float = 50.0  # how far from the reach line the patrol may walk (bank, dyke road)
    min_duration_s: float = 600.0
    min_distance_m: float = 500.0
    min_coverage: float = 0.3  # of the total length of the reaches scored
    max_avg_speed_mps: float = RIDE_MAX_MPS  # average while moving; faster is driving past
    max_jump_m: float = 200.0  # a fix this far from the previous one ...
    teleport_speed_mps: float = 45.0  # ... at this implied speed is a teleport (mock location)
    max_start_distance_m: float = 500.0  # the start must be this close to one of the reaches
    require_checklist: bool = False  # 巡而不查: a patrol with no checklist answer is not valid


DEFAULT_RULES = ScoringRules()


@dataclass(frozen=True, slots=True)
class Reason:
    """One failed rule: a stable code, what was measured and the limit (units by code)."""

    code: str
    value: float | None = None
    limit: float | None = None

    def describe(self) -> str:
        if self.value is None or self.limit is None:
            return self.code
        return f"{self.code} ({self.value:.4g} against a limit of {self.limit:.4g})"


@dataclass(frozen=True, slots=True)
class ReachCoverage:
    """How one reach was covered; intervals are metres along the reach from its first vertex."""

    reach_id: Any
    length_m: float
    covered_m: float
    coverage: float
    intervals: tuple[tuple[float, float], ...]
    start_distance_m: float | None
    end_distance_m: float | None


@dataclass(frozen=True, slots=True)
class PatrolScore:
    duration_s: float
    distance_m: float
    avg_speed_mps: float  # distance over duration, stops included
    moving_speed_mps: float  # distance over the time spent moving; judges too_fast and the mode
    max_speed_mps: float
    mode: str  # "walk", "ride", "drive", or "none" for fewer than two points
    point_count: int
    coverage: float  # covered length over the length of all reaches
    reaches: tuple[ReachCoverage, ...]
    flags: tuple[str, ...]  # every finding, including informational ones such as "long_gap"
    reasons: tuple[Reason, ...]  # the findings that make the patrol invalid
    is_valid: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        verdict = "valid" if self.is_valid else "not valid: " + "; ".join(r.describe() for r in self.reasons)
        return (
            f"{self.duration_s / 60:.1f} min, {self.distance_m:.0f} m, {self.mode} at "
            f"{self.moving_speed_mps * 3.6:.1f} km/h, coverage {self.coverage:.1%} -> {verdict}"
        )


@dataclass(frozen=True, slots=True, eq=False)
class Track:
    """A patrol's fixes as arrays, sorted by time: `t` in epoch seconds, `lonlat` as lon + 1j * lat."""

    t: FloatArray
    lonlat: ComplexArray

    @classmethod
    def from_arrays(cls, t: Any, lon: Any, lat: Any) -> Track:
        times = np.asarray(t, dtype=np.float64)
        lonlat = np.asarray(lon, dtype=np.float64) + 1j * np.asarray(lat, dtype=np.float64)
        if times.size > 1 and bool((np.diff(times) < 0).any()):
            order = np.argsort(times, kind="stable")
            times, lonlat = times[order], lonlat[order]
        return cls(times, lonlat)

    @classmethod
    def from_points(cls, points: Sequence[TrackPoint]) -> Track:
        n = len(points)
        return cls.from_arrays(
            np.fromiter([p.t for p in points], np.float64, n),
            np.fromiter([p.lon for p in points], np.float64, n),
            np.fromiter([p.lat for p in points], np.float64, n),
        )

    def __len__(self) -> int:
        return len(self.t)


def _as_reach(reach: ReachLine | Mapping[str, Any] | tuple[Any, Mapping[str, Any]]) -> ReachLine:
    if isinstance(reach, ReachLine):
        return reach
    if isinstance(reach, tuple):
        return ReachLine.from_geojson(reach[1], reach[0])
    return ReachLine.from_geojson(reach)


def score(
    points: Sequence[TrackPoint] | Track,
    reaches: Sequence[ReachLine | Mapping[str, Any] | tuple[Any, Mapping[str, Any]]],
    rules: ScoringRules = DEFAULT_RULES,
    *,
    checklist_answered: int | None = None,
) -> PatrolScore:
    """Score a (cleaned) track against the reaches it is a patrol of.

    `reaches` holds prepared `ReachLine`s (fastest: reuse them), GeoJSON
    geometries or Features, or `(id, geometry)` pairs.  `checklist_answered`
    is how many checklist items the chief answered, None when unknown.
    """
    track = points if isinstance(points, Track) else Track.from_points(points)
    lines = [_as_reach(r) for r in reaches]
    n = len(track)
    b = rules.buffer_m
    duration = distance = avg = moving_speed = max_speed = 0.0
    mode = "none"
    flags: list[Reason] = []
    notes: list[str] = []
    if n:
        # Any fix's latitude will do for the frame: a patrol spans kilometres.
        lonlat = track.lonlat
        kx, ky = metres_per_degree(float(lonlat[n // 2].imag))
        moves = lonlat[1:] - lonlat[:-1]
        moves.real *= kx
        moves.imag *= ky
        step = np.abs(moves)
        distance = float(step.sum())
        duration = float(track.t[-1] - track.t[0])
        avg = distance / duration if duration > 0 else 0.0
        samples = samples_along(lonlat, step, b)
    if n > 1:
        dt = track.t[1:] - track.t[:-1]
        speed = step / np.maximum(dt, 0.1)
        max_speed = float(speed.max())
        moving = speed > MOVING_MIN_MPS
        # Dot products with the mask are sums over the moving segments
        # without gathering them first.
        moving_time = float(np.dot(dt, moving))
        moving_speed = float(np.dot(step, moving)) / moving_time if moving_time > 0 else 0.0
        mode = "walk" if moving_speed <= WALK_MAX_MPS else "ride" if moving_speed <= RIDE_MAX_MPS else "drive"
        if max_speed > rules.teleport_speed_mps:
            jumps = (step > rules.max_jump_m) & (speed > rules.teleport_speed_mps)
            if jumps.any():
                flags.append(Reason("teleport", float(step[jumps].max()), rules.max_jump_m))
        if float(dt.max()) > LONG_GAP_S:
            notes.append("long_gap")

    covered_total = length_total = 0.0
    per_reach: list[ReachCoverage] = []
    for line in lines:
        intervals: tuple[tuple[float, float], ...] = ()
        start_d: float | None = None
        end_d: float | None = None
        if n:
            if len(line.a):
                found = line.cover(samples, b)
                intervals = tuple(zip(found.from_m.tolist(), found.to_m.tolist(), strict=True))
                start_d, end_d = found.start_distance_m, found.end_distance_m
            else:
                start_d = end_d = math.inf
        # Merged stretches are few (two on average on the benchmark), so
        # Python sums them faster than numpy would.
        covered = sum((end - start for start, end in intervals), 0.0)
        covered_total += covered
        length_total += line.length_m
        per_reach.append(
            ReachCoverage(
                reach_id=line.id,
                length_m=line.length_m,
                covered_m=covered,
                coverage=covered / line.length_m if line.length_m > 0 else 0.0,
                intervals=intervals,
                start_distance_m=start_d,
                end_distance_m=end_d,
            )
        )
    coverage = covered_total / length_total if length_total > 0 else 0.0

    if n == 0:
        flags.append(Reason("empty_track", 0, 1))
    if duration < rules.min_duration_s:
        flags.append(Reason("too_short", duration, rules.min_duration_s))
    if distance < rules.min_distance_m:
        flags.append(Reason("too_little_distance", distance, rules.min_distance_m))
    if moving_speed > rules.max_avg_speed_mps:
        flags.append(Reason("too_fast", moving_speed, rules.max_avg_speed_mps))
    starts = [r.start_distance_m for r in per_reach if r.start_distance_m is not None]
    if starts and min(starts) > rules.max_start_distance_m:
        flags.append(Reason("far_from_reach", min(starts), rules.max_start_distance_m))
    if not lines:
        flags.append(Reason("no_reach"))
    elif coverage < rules.min_coverage:
        flags.append(Reason("low_coverage", coverage, rules.min_coverage))
    if rules.require_checklist and not checklist_answered:
        flags.append(Reason("checklist_empty", float(checklist_answered or 0), 1))
    return PatrolScore(
        duration_s=duration,
        distance_m=distance,
        avg_speed_mps=avg,
        moving_speed_mps=moving_speed,
        max_speed_mps=max_speed,
        mode=mode,
        point_count=n,
        coverage=coverage,
        reaches=tuple(per_reach),
        flags=tuple([r.code for r in flags] + notes),
        reasons=tuple(flags),
        is_valid=not flags,
    )
