"""Frames a surface-water automatic station would send, for the demo and the tests.

Each parameter follows a bounded random walk around its baseline; water temperature, dissolved oxygen and
pH also swing with the day (photosynthesis lifts DO and pH in the afternoon, the water warms after the
sun). An optional episode drives one parameter past its class V limit for a few periods, so an alert has
something to show. The same seed gives the same frames.
"""

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from hezhang.monitoring.hj212 import codes
from hezhang.monitoring.hj212.codec import encode_packets
from hezhang.monitoring.hj212.frame import Frame, Value, flag_value
from hezhang.monitoring.hj212.v2017 import BEIJING, format_qn

# The nine parameters of a national surface-water automatic station: the five routine ones (WT, pH, DO,
# conductivity, turbidity) and CODMn, ammonia, total phosphorus, total nitrogen. Typical of a class III river.
DEFAULT_BASELINE: dict[str, float] = {
    "WT": 18.0,
    "pH": 7.8,
    "DO": 7.2,
    "EC": 450.0,
    "TURB": 15.0,
    "CODMn": 3.8,
    "NH3N": 0.45,
    "TP": 0.12,
    "TN": 1.6,
}

# Amplitude of the daily swing and the hour it peaks.
DIURNAL: dict[str, tuple[float, int]] = {"WT": (1.2, 15), "DO": (1.1, 15), "pH": (0.2, 15)}

# How far the walk may stray from the baseline (a fraction of it) and how far one step may go.
_WALK: dict[str, tuple[float, float]] = {"WT": (0.08, 0.01), "pH": (0.03, 0.004), "DO": (0.15, 0.02)}
_DEFAULT_WALK = (0.2, 0.03)

DECIMALS = {"WT": 1, "pH": 2, "DO": 2, "EC": 1, "TURB": 1, "CODMn": 2, "NH3N": 3, "TP": 3, "TN": 2}

# Where an episode takes a parameter: past the GB 3838-2002 class V limit (DO and pH the other way), far
# enough that the walk and the daily swing cannot bring it back within the limit.
EXCEEDANCE_PEAKS: dict[str, float] = {
    "NH3N": 3.2,  # class V ≤ 2.0 mg/L
    "TP": 0.62,  # class V ≤ 0.4 mg/L (rivers)
    "CODMn": 21.0,  # class V ≤ 15 mg/L
    "COD": 55.0,  # class V ≤ 40 mg/L
    "TN": 3.1,  # class V ≤ 2.0 mg/L
    "DO": 0.6,  # class V ≥ 2 mg/L, and low enough that the afternoon swing stays under it
    "pH": 9.6,  # 6–9 for every class
}

# Time covered by one frame of each data command, and the samples averaged within it.
PERIODS: dict[str, tuple[timedelta, int]] = {
    codes.REAL_TIME: (timedelta(seconds=30), 1),
    codes.MINUTE: (timedelta(minutes=10), 10),
    codes.HOURLY: (timedelta(hours=1), 12),
    codes.DAILY: (timedelta(days=1), 24),
}


@dataclass(frozen=True)
class Episode:
    """`parameter` goes to `peak` (default: EXCEEDANCE_PEAKS) over `length` frames from frame `start`."""

    parameter: str
    start: int
    length: int = 6
    peak: float | None = None

    def weight(self, index: int) -> float:
        """0 outside the episode; rises to 1, holds, falls back (a trapezoid over `length` frames)."""
        k = index - self.start
        if not 0 <= k < self.length:
            return 0.0
        ramp = max(1, self.length // 3)
        return min(1.0, (k + 1) / ramp, (self.length - k) / ramp)


def default_episode(parameter: str, count: int) -> Episode:
    """An episode a third of the way in, lasting up to six frames, so the run shows before and after."""
    if parameter not in EXCEEDANCE_PEAKS:
        raise ValueError(f"no exceedance defined for {parameter!r} (known: {', '.join(EXCEEDANCE_PEAKS)})")
    return Episode(parameter, start=count // 3, length=max(1, min(6, count // 3)))


def _rounded(parameter: str, value: float) -> float:
    if parameter in DECIMALS:
        return round(value, DECIMALS[parameter])
    if value == 0:
        return 0.0
    # Three significant figures, so trace metals (0.00004 mg/L) do not round away to nothing.
    return round(value, max(0, 2 - math.floor(math.log10(abs(value)))))


def _diurnal(parameter: str, moment: datetime) -> float:
    if parameter not in DIURNAL:
        return 0.0
    amplitude, peak_hour = DIURNAL[parameter]
    hours = moment.hour + moment.minute / 60 + moment.second / 3600
    return amplitude * math.cos(2 * math.pi * (hours - peak_hour) / 24)


class SimulatedStation:
    """One station's simulated water. The walk carries on from one call to the next, so a reproducible run
    wants a fresh instance with the same seed."""

    def __init__(
        self,
        mn: str,
        pw: str,
        *,
        baseline: Mapping[str, float] | None = None,
        seed: int = 0,
        episode: Episode | None = None,
        st: str = codes.SURFACE_WATER,
    ) -> None:
        self.mn = mn
        self.pw = pw
        self.st = st
        self.baseline = dict(DEFAULT_BASELINE if baseline is None else baseline)
        for parameter in self.baseline:
            codes.code_for(parameter)  # KeyError now rather than a silent gap in every frame
        self.episode = episode
        self.random = random.Random(seed)
        self.drift = {parameter: 0.0 for parameter in self.baseline}

    def _step(self) -> None:
        for parameter, drift in self.drift.items():
            bound, step = _WALK.get(parameter, _DEFAULT_WALK)
            # Pulled back towards the baseline, so the walk wanders without running away.
            moved = 0.9 * drift + self.random.gauss(0.0, step)
            self.drift[parameter] = max(-bound, min(bound, moved))

    def _sample(self, parameter: str, moment: datetime, weight: float) -> float:
        level = self.baseline[parameter]
        if weight and self.episode is not None and self.episode.parameter == parameter:
            peak = EXCEEDANCE_PEAKS[parameter] if self.episode.peak is None else self.episode.peak
            level += (peak - level) * weight
        value = level * (1 + self.drift[parameter]) + _diurnal(parameter, moment)
        value += self.random.gauss(0.0, abs(level) * 0.01)
        if parameter == "pH":
            return min(14.0, max(0.0, value))
        return max(0.0, value)

    def readings(
        self, cn: str, start: datetime, count: int
    ) -> list[tuple[datetime, dict[str, dict[str, Value]]]]:
        """`count` periods from `start`: (DataTime, {parameter: {"Avg", "Min", "Max", "Flag"}}) per period, or
        {"Rtd", "Flag"} for real-time data."""
        if cn not in PERIODS:
            raise ValueError(f"CN {cn} is not a data upload (use one of {', '.join(PERIODS)})")
        period, samples = PERIODS[cn]
        if start.tzinfo is None:
            start = start.replace(tzinfo=BEIJING)
        rows = []
        for index in range(count):
            self._step()
            moment = start + index * period
            weight = self.episode.weight(index) if self.episode else 0.0
            values: dict[str, dict[str, Value]] = {}
            for parameter in self.baseline:
                taken = [
                    self._sample(parameter, moment + period * i / samples, weight) for i in range(samples)
                ]
                if cn == codes.REAL_TIME:
                    values[parameter] = {"Rtd": _rounded(parameter, taken[0]), "Flag": codes.NORMAL}
                else:
                    values[parameter] = {
                        "Min": _rounded(parameter, min(taken)),
                        "Avg": _rounded(parameter, sum(taken) / samples),
                        "Max": _rounded(parameter, max(taken)),
                        "Flag": codes.NORMAL,
                    }
            rows.append((moment, values))
        return rows

    def frames(self, cn: str, start: datetime, count: int, *, answer: bool = True) -> list[bytes]:
        """The frames for `count` periods from `start`, each asking for an answer unless `answer` is False."""
        rows = self.readings(cn, start, count)
        period, _ = PERIODS[cn]
        sent: list[bytes] = []
        for moment, values in rows:
            # Aggregates are sent once their period is over; real-time values at once.
            sent_at = moment if cn == codes.REAL_TIME else moment + period
            frame = Frame(
                qn=format_qn(sent_at),
                st=self.st,
                cn=cn,
                pw=self.pw,
                mn=self.mn,
                flag=flag_value(1, answer=answer),
                datatime=moment,
                values=codes.to_codes(values),
            )
            sent.extend(encode_packets(frame))
        return sent


def simulate(
    mn: str,
    pw: str,
    *,
    start: datetime,
    count: int,
    cn: str = codes.HOURLY,
    baseline: Mapping[str, float] | None = None,
    seed: int = 0,
    exceed: str | None = None,
    answer: bool = True,
) -> list[bytes]:
    """Frames for one station; `exceed` names a parameter to push past class V for a few periods."""
    episode = default_episode(exceed, count) if exceed else None
    station = SimulatedStation(mn, pw, baseline=baseline, seed=seed, episode=episode)
    return station.frames(cn, start, count, answer=answer)
