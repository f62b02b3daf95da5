"""A patrol's fixes along a reach, as a phone records them: on the bank, with GPS noise, pauses and a fix every few s.

A walk goes along the reach from one point to another and, when that is too short for the rule, back along the
other bank and out again, legs alternating banks as chiefs walk up one dyke road and down the other. Positions are
kept to the precision a sealed track keeps (1e-7 degree, milliseconds, hundredths), so the verdict computed here is
the one a re-score of the sealed track computes. Pure numpy, no Django.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.points import TrackPoint

__all__ = ["Bank", "Walk", "walk"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Bank:
    """A reach's line in local metres (east x, north y of its first vertex) with the distance along it."""

    lon0: float
    lat0: float
    kx: float
    ky: float
    x: FloatArray
    y: FloatArray
    s: FloatArray  # metres along the line at each vertex

    @classmethod
    def from_geojson(cls, geometry: Mapping[str, Any]) -> Bank | None:
        """The line of a LineString, or the longest part of a MultiLineString; None for anything else."""
        kind = geometry.get("type")
        if kind == "LineString":
            parts = [geometry["coordinates"]]
        elif kind == "MultiLineString":
            parts = list(geometry["coordinates"])
        else:
            return None
        best: Bank | None = None
        for coords in parts:
            if len(coords) < 2:
                continue
            xy = np.asarray(coords, dtype=np.float64)[:, :2]
            lon0, lat0 = float(xy[0, 0]), float(xy[0, 1])
            kx, ky = metres_per_degree(lat0)
            x, y = (xy[:, 0] - lon0) * kx, (xy[:, 1] - lat0) * ky
            s = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
            keep = np.concatenate(([True], np.diff(s) > 0))
            bank = cls(lon0, lat0, kx, ky, x[keep], y[keep], s[keep])
            if len(bank.s) >= 2 and (best is None or bank.length > best.length):
                best = bank
        return best

    @property
    def length(self) -> float:
        return float(self.s[-1])

    def place(self, d: FloatArray, side: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Points `d` metres along the line, `side` metres to its left (negative: right)."""
        x = np.interp(d, self.s, self.x)
        y = np.interp(d, self.s, self.y)
        seg = np.clip(np.searchsorted(self.s, d, side="right") - 1, 0, len(self.s) - 2)
        dx, dy = self.x[seg + 1] - self.x[seg], self.y[seg + 1] - self.y[seg]
        norm = np.hypot(dx, dy)
        return x - dy / norm * side, y + dx / norm * side


@dataclass(frozen=True, slots=True)
class Walk:
    """How one patrol moves: from `start_m` to `end_m` along the line, then back and forth until `distance_m`."""

    t0: float  # epoch seconds of the first fix
    start_m: float
    end_m: float
    distance_m: float  # along the route; at least the first leg
    speed_mps: float
    step_s: float  # the phone's fix interval
    bank_m: float = 12.0  # how far from the centre line the path runs
    noise_m: float = 3.0  # GPS error, standard deviation per axis
    pauses: int = 0  # stops to look or take a photo, one to four minutes each
    both_banks: bool = True  # back along the other bank (over a bridge); False: back the same way
    seed: int = 0


def _route(w: Walk) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Knots of the route: metres walked, position along the line, and the bank side of each leg."""
    leg = abs(w.end_m - w.start_m)
    if leg <= 0:
        return np.array([0.0, 1.0]), np.array([w.start_m, w.start_m]), np.array([1.0])
    legs = max(1, math.ceil(w.distance_m / leg - 1e-9))
    walked = np.arange(legs + 1) * leg
    walked[-1] = max(w.distance_m, walked[-2] + 1.0) if legs > 1 else leg
    ends = np.where(np.arange(legs + 1) % 2 == 0, w.start_m, w.end_m).astype(np.float64)
    if legs > 1:  # the last leg may stop part way
        ends[-1] = ends[-2] + (ends[-1] - ends[-2]) * (walked[-1] - walked[-2]) / leg
    sides = np.where((np.arange(legs) % 2 == 0) | (not w.both_banks), 1.0, -1.0)
    return walked, ends, sides


def walk(bank: Bank, w: Walk) -> list[TrackPoint]:
    """The fixes of one walk along `bank`."""
    rng = np.random.default_rng(w.seed)
    walked, ends, sides = _route(w)
    total = float(walked[-1])
    # Enough fixes for the slowest pace drawn below, plus the pauses.
    pause_fixes = [int(rng.uniform(60, 240) / w.step_s) for _ in range(w.pauses)]
    n = int(total / (0.7 * w.speed_mps * w.step_s)) + sum(pause_fixes) + 3
    pace = w.speed_mps * np.clip(
        1 + 0.12 * np.cumsum(rng.normal(0, 0.15, n)) / np.sqrt(np.arange(1, n + 1)), 0.75, 1.3
    )
    for length in pause_fixes:
        at = int(rng.integers(2, max(3, n - length - 2)))
        pace[at : at + length] = 0.0
    dt = w.step_s + rng.normal(0, 0.15, n).clip(-0.5, 0.5)
    dt[0] = 0.0
    r = np.cumsum(pace * dt)
    last = int(np.searchsorted(r, total)) + 1
    r, dt, pace = np.minimum(r[:last], total), dt[:last], pace[:last]
    leg = np.clip(np.searchsorted(walked, r, side="right") - 1, 0, len(sides) - 1)
    d = np.interp(r, walked, ends)
    x, y = bank.place(d, sides[leg] * w.bank_m)
    # GPS error wanders rather than jumping from fix to fix: smoothed noise, plus a little of its own per fix.
    window = np.ones(5) / math.sqrt(5)
    drift = [
        np.convolve(rng.normal(0, 1, last + 4), window, "valid") * w.noise_m * 0.8
        + rng.normal(0, w.noise_m * 0.4, last)
        for _axis in range(2)
    ]
    x, y = x + drift[0], y + drift[1]
    accuracy = rng.uniform(3.0, 12.0, last)
    bad = rng.random(last) < 0.01
    accuracy[bad] = rng.uniform(30.0, 80.0, int(bad.sum()))
    t = np.rint((w.t0 + np.cumsum(dt)) * 1000) / 1000
    lon = np.rint((bank.lon0 + x / bank.kx) * 1e7) / 1e7
    lat = np.rint((bank.lat0 + y / bank.ky) * 1e7) / 1e7
    acc = np.rint(accuracy * 100) / 100
    speed = np.rint(np.abs(pace + rng.normal(0, 0.2, last)) * 100) / 100
    return [
        TrackPoint(t=a, lon=b, lat=c, accuracy=e, speed=f, seq=i)
        for i, (a, b, c, e, f) in enumerate(
            zip(t.tolist(), lon.tolist(), lat.tolist(), acc.tolist(), speed.tolist(), strict=True)
        )
    ]
