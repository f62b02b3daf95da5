"""Patrols planned and judged as the scorer would judge them, for hundreds of thousands of patrols at once.

For the province-scale history, where walking, sealing and scoring millions of tracks would take hours. The
plan is `schedule.plan_walk`'s and the times are `schedule.patrol_times`', drawn for whole arrays with numpy: how
long, how far, how fast and how much of the reach each patrol goes. The scorer's checks are comparisons of those
figures with the rule, so the verdict follows from the plan, with the spread a real track adds (pauses, GPS noise
at the turning points). No Django here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hezhang.patrols.demo.schedule import CAREFUL, KINDS, SLOPPY

__all__ = ["MODES", "REASONS", "Judged", "Limits", "judge", "kinds", "start_times"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DAY = 86400.0
CHINA_OFFSET = 8 * 3600.0  # UTC+8 all year
VALID, UNCHECKED, SHORT, DRIVING, ASTRAY = (
    KINDS.index(k) for k in ("valid", "unchecked", "short", "driving", "astray")
)
MODES = ("walk", "ride", "drive")
# The scorer's reasons, in the order it finds them.
REASONS = ("too_short", "too_little_distance", "too_fast", "low_coverage", "checklist_empty")


def start_times(
    rng: np.random.Generator, counts: IntArray, spans: FloatArray, start: float, end: float
) -> tuple[IntArray, FloatArray]:
    """(patroller index, epoch seconds) of `counts[i]` patrols spread over `spans[i]` days from `start`.

    As `patrol_times`: evenly spread with some jitter, in the morning, the afternoon or early evening China time;
    the few that fall outside [start, end) are dropped.
    """
    who = np.repeat(np.arange(len(counts)), counts)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    k = np.arange(len(who)) - np.repeat(first, counts)
    n = len(who)
    day = (k + 0.5 + rng.uniform(-0.35, 0.35, n)) * spans[who] / counts[who]
    local_day = np.floor((start + day * DAY + CHINA_OFFSET) / DAY)
    roll = rng.random(n)
    hour = np.where(
        roll < 0.55,
        rng.uniform(8, 11.5, n),
        np.where(roll < 0.95, rng.uniform(14, 17.5, n), rng.uniform(18, 19, n)),
    )
    clock = np.floor(hour) * 3600 + np.floor(hour % 1 * 60) * 60 + rng.integers(0, 60, n)
    t = local_day * DAY - CHINA_OFFSET + clock
    keep = (t >= start) & (t < end)
    return who[keep], t[keep]


def kinds(rng: np.random.Generator, sloppy: BoolArray) -> IntArray:
    """How each patrol turns out (an index into `KINDS`), as `kind_of` draws it."""
    bounds = np.where(sloppy[:, None], np.cumsum(SLOPPY), np.cumsum(CAREFUL))
    bounds[:, -1] = np.inf
    return (rng.random(len(sloppy))[:, None] >= bounds).sum(axis=1)


@dataclass(frozen=True, slots=True)
class Limits:
    """Each patrol's rule: what decides whether it counts (see PatrolRule)."""

    min_duration_s: FloatArray
    min_distance_m: FloatArray
    min_coverage: FloatArray
    max_speed_mps: FloatArray
    require_checklist: BoolArray


@dataclass(frozen=True, slots=True)
class Judged:
    """The scorer's figures of each patrol; `failed[:, j]` and `values[:, j]` are about `REASONS[j]`."""

    duration_s: FloatArray
    distance_m: FloatArray
    coverage: FloatArray
    max_speed_mps: FloatArray
    mode: IntArray  # an index into MODES
    point_count: IntArray
    covered_from: FloatArray  # metres along the reach: the stretch walked near enough the water
    covered_to: FloatArray
    failed: BoolArray
    values: FloatArray

    @property
    def is_valid(self) -> BoolArray:
        return ~self.failed.any(axis=1)


def judge(rng: np.random.Generator, kind: IntArray, length_m: FloatArray, limits: Limits) -> Judged:
    """Plan each patrol of `kind` on a reach `length_m` long as `plan_walk` does, and judge it against `limits`."""
    n = len(kind)
    walking = rng.uniform(1.0, 1.5, n)
    step = rng.integers(5, 11, n).astype(np.float64)
    pauses = rng.choice(np.array([0, 0, 0, 1, 1, 2]), n)
    bank = rng.uniform(5, 20, n)
    least = np.maximum(limits.min_duration_s, 600.0)
    speed = walking.copy()
    mode = np.zeros(n, dtype=np.int64)

    # Out for a while, along as much of the reach as that allows (and at least enough of it), or by bicycle.
    moving = np.maximum(rng.uniform(1.1, 1.6, n) * least, rng.uniform(15, 30, n) * 60)
    enough = np.minimum(1.0, limits.min_coverage + rng.uniform(0.08, 0.2, n)) * length_m
    leg = np.maximum(enough, np.minimum(rng.uniform(0.5, 1.0, n) * length_m, walking * moving))
    distance = np.maximum.reduce([walking * moving, limits.min_distance_m * rng.uniform(1.1, 1.4, n), leg])
    ride = leg / walking > 3600
    speed[ride] = rng.uniform(3.0, 4.5, int(ride.sum()))
    mode[ride] = MODES.index("ride")
    distance[ride] = np.maximum.reduce(
        [leg[ride], limits.min_distance_m[ride] * 1.2, speed[ride] * least[ride] * 1.1]
    )
    astray = kind == ASTRAY  # along the village road, out of sight of the water
    bank[astray] = rng.uniform(110, 250, int(astray.sum()))

    short = kind == SHORT
    leg[short] = np.minimum(
        length_m[short], walking[short] * rng.uniform(0.25, 0.7, int(short.sum())) * least[short]
    )
    distance[short] = leg[short]
    speed[short] = walking[short]
    mode[short] = 0
    pauses[short] = 0

    driving = kind == DRIVING
    leg[driving] = length_m[driving] * rng.uniform(0.6, 1.0, int(driving.sum()))
    distance[driving] = leg[driving]
    speed[driving] = rng.uniform(10, 15, int(driving.sum()))
    mode[driving] = MODES.index("drive")

    leg = np.minimum(leg, length_m)
    distance = np.maximum(distance, leg)
    start = rng.random(n) * (length_m - leg)

    # What the track would show: pauses of one to four minutes, a little more distance (noise), faster peaks.
    pause_s = rng.uniform(60, 240, n) * (pauses >= 1) + rng.uniform(60, 240, n) * (pauses >= 2)
    moving_s = distance / speed
    duration = moving_s + pause_s
    walked = distance * rng.uniform(1.0, 1.04, n)
    pace = walked / moving_s
    coverage = np.minimum(1.0, leg / np.maximum(length_m, 1.0) * rng.uniform(0.95, 1.0, n))
    coverage[astray] = rng.uniform(0.0, 0.06, int(astray.sum()))
    covered_to = np.where(astray, start + coverage * length_m, start + leg)
    answered = (kind != UNCHECKED) & (kind != DRIVING)

    values = np.stack([duration, walked, pace, coverage, np.zeros(n)], axis=1)
    failed = np.stack(
        [
            duration < limits.min_duration_s,
            walked < limits.min_distance_m,
            pace > limits.max_speed_mps,
            coverage < limits.min_coverage,
            limits.require_checklist & ~answered,
        ],
        axis=1,
    )
    return Judged(
        duration_s=np.round(duration, 1),
        distance_m=np.round(walked, 1),
        coverage=np.round(coverage, 4),
        max_speed_mps=np.round(speed * rng.uniform(1.3, 1.9, n), 2),
        mode=mode,
        point_count=(duration / step).astype(np.int64) + 1,
        covered_from=np.round(start, 1),
        covered_to=np.round(covered_to, 1),
        failed=failed,
        values=np.round(values, 4),
    )
