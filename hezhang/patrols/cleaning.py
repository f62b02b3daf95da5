"""Removing a phone's GPS noise from a patrol track before it is scored.

Phones record three kinds of nonsense: fixes whose own accuracy estimate is
poor (indoors, under a bridge, the first fix after a cold start), single
fixes far off the path (multipath near buildings, a stale cached position),
and a cloud of fixes around a chief who is standing still, which would add
metres of "walking" to the distance and make a ten-minute stop look like a
stroll.  `clean()` drops the first two and collapses the third; every dropped
point comes back with a reason code, because the raw track is kept for audit
and an office must be able to see why a fix did not count.

Speed jumps.  A fix implying more than `max_speed_mps` from the last kept
fix is an outlier only if the track does not stay there: when the next
`confirm_points` fixes agree with it (and not with the old position), the
jump is real and kept, and the scorer decides what it means (a genuine gap
while the phone had no signal is kept as a long, slow segment anyway; a
persistent impossible jump is flagged "teleport" by the scorer, since mock
location apps produce exactly that).  If the jump is confirmed while fewer
than `confirm_points` fixes have been kept, it is those first fixes that
were wrong (typically a stale position from before the patrol), and they are
dropped instead.

Jitter.  A fix within `jitter_m` of the last kept fix is held back; when the
chief moves on (or the track ends), the last held-back fix is restored, so
a stop keeps its duration but none of its jitter.  No Django here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from hezhang.geo.spatial import metres_per_degree
from hezhang.patrols.points import TrackPoint

__all__ = ["DEFAULT_CLEANING", "REASONS", "Cleaned", "CleaningRules", "Dropped", "clean"]

REASONS = ("duplicate", "poor_accuracy", "speed_jump", "jitter")


@dataclass(frozen=True, slots=True)
class CleaningRules:
    # Phones report about 3-10 m outdoors; beyond 50 m the fix is from cell
    # towers or Wi-Fi and says little about which bank the chief is on.
    max_accuracy_m: float = 50.0
    # 45 m/s (162 km/h) is beyond any vehicle a patrol uses; below it a fast
    # car between two fixes would be mistaken for noise.
    max_speed_mps: float = 45.0
    # How many following fixes must agree before a jump is believed.
    confirm_points: int = 3
    # Standing still, phones scatter by a few metres; walking at 1 Hz moves
    # about 1.3 m a fix, so a walk is merely thinned to one fix per 5 m.
    jitter_m: float = 5.0


DEFAULT_CLEANING = CleaningRules()


@dataclass(frozen=True, slots=True)
class Dropped:
    point: TrackPoint
    reason: str  # one of REASONS


@dataclass(frozen=True, slots=True)
class Cleaned:
    kept: tuple[TrackPoint, ...]  # sorted by time, one per time
    dropped: tuple[Dropped, ...]  # sorted by time

    @property
    def counts(self) -> dict[str, int]:
        """Points kept and dropped, with every reason present (zero when unused) for stable JSON."""
        by_reason = Counter(d.reason for d in self.dropped)
        return {
            "raw": len(self.kept) + len(self.dropped),
            "kept": len(self.kept),
            **{r: by_reason.get(r, 0) for r in REASONS},
        }


class _Frame:
    """Metres east and north in an equirectangular frame at the track's first latitude."""

    def __init__(self, points: Sequence[TrackPoint]) -> None:
        kx, ky = metres_per_degree(points[0].lat) if points else (1.0, 1.0)
        self.x = [p.lon * kx for p in points]
        self.y = [p.lat * ky for p in points]

    def distance(self, i: int, j: int) -> float:
        return math.hypot(self.x[i] - self.x[j], self.y[i] - self.y[j])


def clean(points: Sequence[TrackPoint], rules: CleaningRules = DEFAULT_CLEANING) -> Cleaned:
    """Drop duplicates, inaccurate fixes and speed jumps, and collapse standing-still jitter."""
    dropped: list[Dropped] = []
    # Of fixes with the same time, the most accurate comes first and stays.
    ordered = sorted(points, key=lambda p: (p.t, math.inf if p.accuracy is None else p.accuracy))
    usable: list[TrackPoint] = []
    for p in ordered:
        if usable and p.t == usable[-1].t:
            dropped.append(Dropped(p, "duplicate"))
        elif p.accuracy is not None and not p.accuracy <= rules.max_accuracy_m:
            dropped.append(Dropped(p, "poor_accuracy"))
        else:
            usable.append(p)

    frame = _Frame(usable)
    speed = rules.max_speed_mps

    def too_fast(i: int, j: int) -> bool:
        return frame.distance(i, j) > speed * (usable[j].t - usable[i].t)

    def confirmed(anchor: int, jump: int) -> bool:
        following = range(jump + 1, min(jump + 1 + rules.confirm_points, len(usable)))
        return len(following) > 0 and all(
            frame.distance(jump, j) <= speed * (usable[j].t - usable[jump].t) + rules.jitter_m
            and too_fast(anchor, j)
            for j in following
        )

    kept: list[int] = []
    held: int | None = None  # the latest fix held back as jitter
    for i in range(len(usable)):
        if not kept:
            kept.append(i)
            continue
        anchor = kept[-1]
        if too_fast(anchor, i):
            if not confirmed(anchor, i):
                dropped.append(Dropped(usable[i], "speed_jump"))
                continue
            if len(kept) + (held is not None) < rules.confirm_points:
                stale = kept + ([held] if held is not None else [])
                dropped.extend(Dropped(usable[k], "speed_jump") for k in stale)
                kept, held = [i], None
                continue
        elif frame.distance(anchor, i) < rules.jitter_m:
            if held is not None:
                dropped.append(Dropped(usable[held], "jitter"))
            held = i
            continue
        if held is not None:
            kept.append(held)
            held = None
        kept.append(i)
    if held is not None:
        kept.append(held)

    dropped.sort(key=lambda d: d.point.t)
    return Cleaned(kept=tuple(usable[i] for i in kept), dropped=tuple(dropped))
