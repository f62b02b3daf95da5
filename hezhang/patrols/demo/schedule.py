"""When each patroller goes out and how each patrol goes: habits, dates, hours and the walk of every patrol.

Most people patrol a little more often than their rule asks and most patrols count; some patrol less, a few stop
half way through the season or never start (the blank spots a county wants to find), and a sloppy few often cut a
patrol short, drive past, walk the village road instead of the bank, or skip the checklist. No Django here.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hezhang.patrols.demo.walks import Walk

__all__ = ["CHINA", "KINDS", "Demands", "Habit", "draw_habit", "kind_of", "patrol_times", "plan_walk"]

CHINA = ZoneInfo("Asia/Shanghai")
PERIOD_DAYS = {
    "week": 7,
    "ten_days": 10,
    "half_month": 15,
    "month": 30.4,
    "quarter": 91.3,
    "half_year": 182.6,
    "year": 365.2,
}
# What a patrol turns out to be, and how often, for most people and for the sloppy few.
KINDS = ("valid", "unchecked", "short", "driving", "astray")
CAREFUL = (0.84, 0.05, 0.05, 0.03, 0.03)
SLOPPY = (0.45, 0.2, 0.15, 0.1, 0.1)
MINUTE = 60.0


@dataclass(frozen=True, slots=True)
class Demands:
    """The parts of a patroller's rule the schedule needs (see PatrolRule)."""

    period: str
    times: int
    min_duration_s: float
    min_distance_m: float
    min_coverage: float

    @property
    def per_day(self) -> float:
        return self.times / PERIOD_DAYS.get(self.period, 30.4)


@dataclass(frozen=True, slots=True)
class Habit:
    """How one patroller patrols: how often against their rule, until when, and how carefully."""

    rate: float  # patrols per required patrol
    stops_at: float  # share of the season after which they stop (1: they keep going)
    sloppy: bool


def draw_habit(rng: random.Random) -> Habit:
    roll = rng.random()
    if roll < 0.03:
        return Habit(0.0, 0.0, False)  # never patrols
    if roll < 0.08:
        return Habit(rng.uniform(0.9, 1.2), rng.uniform(0.3, 0.6), False)  # stopped a while ago
    if roll < 0.2:
        return Habit(rng.uniform(0.3, 0.65), 1.0, rng.random() < 0.3)  # patrols too rarely
    return Habit(rng.uniform(0.95, 1.35), 1.0, rng.random() < 0.08)


def patrol_times(
    rng: random.Random,
    demands: Demands,
    habit: Habit,
    start: datetime.datetime,
    end: datetime.datetime,
    at_least: int = 0,
) -> list[datetime.datetime]:
    """Start times spread over [start, end) at the habit's pace, in daytime hours China time."""
    days = (end - start).total_seconds() / 86400
    expected = days * demands.per_day * habit.rate * habit.stops_at
    n = int(expected + rng.random())
    if habit.rate > 0:
        n = max(n, at_least)
    span = days * max(habit.stops_at, 0.2)
    out = []
    for k in range(n):
        day = (k + 0.5 + rng.uniform(-0.35, 0.35)) * span / n
        local = (start + datetime.timedelta(days=day)).astimezone(CHINA)
        roll = rng.random()
        hour = (
            rng.uniform(8, 11.5)
            if roll < 0.55
            else rng.uniform(14, 17.5)
            if roll < 0.95
            else rng.uniform(18, 19)
        )
        when = local.replace(
            hour=int(hour), minute=int(hour % 1 * 60), second=rng.randrange(60), microsecond=0
        )
        if start <= when < end:
            out.append(when)
    return out


def kind_of(rng: random.Random, habit: Habit) -> str:
    return rng.choices(KINDS, SLOPPY if habit.sloppy else CAREFUL)[0]


def plan_walk(
    rng: random.Random, kind: str, length_m: float, demands: Demands, t0: float, seed: int
) -> tuple[Walk, str]:
    """The walk of one patrol of `kind` on a reach `length_m` long; returns it and how they moved."""
    walking = rng.uniform(1.0, 1.5)
    step = float(rng.randint(5, 10))
    pauses = rng.choice((0, 0, 0, 1, 1, 2))
    bank = rng.uniform(5, 20)
    least = max(demands.min_duration_s, 10 * MINUTE)
    how = "walk"
    if kind == "short":
        minutes = rng.uniform(0.25, 0.7) * least / MINUTE
        leg = min(length_m, walking * minutes * MINUTE)
        distance, speed, pauses = leg, walking, 0
    elif kind == "driving":
        leg = length_m * rng.uniform(0.6, 1.0)
        distance, speed, bank, how = leg, rng.uniform(10, 15), rng.uniform(15, 40), "drive"
    else:
        # Out for a while, along as much of the reach as that allows (and at least enough of it), or by bicycle.
        moving = max(rng.uniform(1.1, 1.6) * least, rng.uniform(15, 30) * MINUTE)
        enough = min(1.0, demands.min_coverage + rng.uniform(0.08, 0.2)) * length_m
        leg = max(enough, min(rng.uniform(0.5, 1.0) * length_m, walking * moving))
        distance = max(walking * moving, demands.min_distance_m * rng.uniform(1.1, 1.4), leg)
        speed = walking
        if leg / walking > 60 * MINUTE:  # a long reach: by (electric) bicycle
            speed, how = rng.uniform(3.0, 4.5), "ride"
            distance = max(leg, demands.min_distance_m * 1.2, speed * least * 1.1)
        if kind == "astray":  # along the village road, out of sight of the water
            bank = rng.uniform(110, 250)
    leg = min(leg, length_m)
    start = rng.uniform(0, length_m - leg)
    ends = (start, start + leg) if rng.random() < 0.5 else (start + leg, start)
    walk = Walk(
        t0=t0,
        start_m=ends[0],
        end_m=ends[1],
        distance_m=max(distance, leg),
        speed_mps=speed,
        step_s=step,
        bank_m=bank,
        noise_m=rng.uniform(2.0, 4.0),
        pauses=pauses,
        both_banks=kind != "astray",
        seed=seed,
    )
    return walk, how
