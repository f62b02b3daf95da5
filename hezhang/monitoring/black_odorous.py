"""Grading an urban black-odorous water body (城市黑臭水体), by the 2015 guide of 住建部 and 环保部.

Pure: no Django import.  Four indicators, keyed as below; other keys of a sample are ignored, so a whole sample
may be passed.  The thresholds are read from gb3838_2002.json (black_odorous_2015):

    key     indicator                          轻度黑臭 (both ends included)   重度黑臭
    SD_cm   transparency, cm                   10–25                           < 10
    DO      dissolved oxygen, mg/L             0.2–2.0                         < 0.2
    ORP     oxidation-reduction potential, mV  -200–50                         < -200
    NH3N    ammonia nitrogen, mg/L             8.0–15                          > 15

A better value than the mild band is not black-odorous on that indicator.  Where the water is shallower than
25 cm (optional key ``depth_cm``), the guide takes the transparency thresholds "as 40 % of the depth"; applied
to both, the mild band shrinks to that one value: below it 重度, at it 轻度, above it not black-odorous.  (The
unscaled table would call anything under 10 cm 重度, so this only ever relaxes the test for shallow water.)

A monitoring point is 重度黑臭 when one indicator has ≥ 60 % of its data at the severe level, or two or more
have ≥ 30 %; otherwise 轻度黑臭 when any datum reaches the mild level, and not black-odorous when none does (the
guide grades points already found black-odorous; "none" is this module's name for the rest).  A water body is
重度 when ≥ 60 % of its points are; ≥ 3 consecutive severe points make the stretch between them severe.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from hezhang.monitoring.quality import REFERENCE

__all__ = [
    "INDICATORS",
    "LEVEL_EN",
    "LEVEL_WORDS",
    "MILD",
    "NONE",
    "SEVERE",
    "Grading",
    "THRESHOLDS",
    "Threshold",
    "WaterBodyGrading",
    "grade_point",
    "grade_sample",
    "grade_water_body",
    "indicator_level",
]

NONE, MILD, SEVERE = 0, 1, 2
LEVEL_WORDS = ("不黑臭", "轻度黑臭", "重度黑臭")
LEVEL_EN = ("not black-odorous", "mildly black-odorous", "severely black-odorous")

SHALLOW_CM = 25.0
SHALLOW_SHARE = 0.4
# Percentages, compared in integers so that 3 of 5 is exactly 60 %.
POINT_ONE_INDICATOR = 60
POINT_TWO_INDICATORS = 30
BODY_SEVERE_SHARE = 60
SEVERE_RUN = 3

# Our keys for the reference's: GB 3838 keys where the unit is the same, SD_cm because TLI's SD is in metres.
_KEYS = {"SD_cm": "SD_cm", "DO": "DO_mgL", "ORP": "ORP_mV", "NH3N": "NH3N_mgL"}
INDICATORS = tuple(_KEYS)


@dataclass(frozen=True)
class Threshold:
    key: str
    mild: tuple[float, float]  # the mild band, low and high, both included
    lower_is_worse: bool  # True for SD, DO and ORP; False for NH3N


def _threshold(key: str) -> Threshold:
    source = REFERENCE["black_odorous_2015"]
    low, high = (float(x) for x in source["mild"][_KEYS[key]])
    severe = str(source["severe"][_KEYS[key]]).strip()
    sign, bound = severe[0], float(severe[1:])
    if (sign, bound) not in (("<", low), (">", high)):
        raise ValueError(f"{key}: the severe threshold {severe!r} does not meet the mild band {low}–{high}")
    return Threshold(key, (low, high), sign == "<")


THRESHOLDS: Mapping[str, Threshold] = MappingProxyType({key: _threshold(key) for key in INDICATORS})


@dataclass(frozen=True)
class Grading:
    """The grade of one sample, or of one monitoring point over its samples."""

    level: int  # NONE, MILD or SEVERE
    word: str  # 不黑臭, 轻度黑臭 or 重度黑臭
    word_en: str
    levels: Mapping[str, int]  # each indicator present: its worst level over the samples
    severe_shares: Mapping[str, float]  # each indicator present: the share (0..1) of its data at SEVERE
    deciding: tuple[str, ...]  # the indicators that set the level (none when not black-odorous)


@dataclass(frozen=True)
class WaterBodyGrading:
    level: int
    word: str
    word_en: str
    severe_share: float  # share (0..1) of the points graded SEVERE
    severe_stretches: tuple[tuple[int, int], ...]  # first and last index of each run of ≥ 3 severe points


def _check(key: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{key}: {value!r} is not a finite number")
    if value < 0 and key != "ORP":
        raise ValueError(f"{key}: {value!r} is negative")


def indicator_level(key: str, value: float, depth_cm: float | None = None) -> int:
    """NONE, MILD or SEVERE for one indicator's value; ``depth_cm`` only matters for SD_cm under 25 cm."""
    threshold = THRESHOLDS.get(key)
    if threshold is None:
        raise ValueError(f"unknown indicator {key!r}: expected one of {', '.join(INDICATORS)}")
    _check(key, value)
    low, high = threshold.mild
    if key == "SD_cm" and depth_cm is not None:
        _check("depth_cm", depth_cm)
        if depth_cm < SHALLOW_CM:
            low = high = SHALLOW_SHARE * depth_cm
    if threshold.lower_is_worse:
        return SEVERE if value < low else MILD if value <= high else NONE
    return SEVERE if value > high else MILD if value >= low else NONE


def grade_point(samples: Sequence[Mapping[str, float]]) -> Grading:
    """Grade a monitoring point over its samples (each may carry ``depth_cm``).  ValueError when no sample has
    any of the four indicators."""
    seen: dict[str, list[int]] = {}
    for values in samples:
        depth = values.get("depth_cm")
        for key in INDICATORS:
            if key in values:
                seen.setdefault(key, []).append(indicator_level(key, values[key], depth))
    if not seen:
        raise ValueError(f"no black-odorous indicator given: expected any of {', '.join(INDICATORS)}")
    levels = {key: max(found) for key, found in seen.items()}
    shares = {key: found.count(SEVERE) / len(found) for key, found in seen.items()}

    def at_least(percent: int) -> list[str]:
        return [key for key, found in seen.items() if found.count(SEVERE) * 100 >= percent * len(found)]

    most = at_least(POINT_ONE_INDICATOR)
    several = at_least(POINT_TWO_INDICATORS)
    if len(several) >= 2:
        level, deciding = SEVERE, several
    elif most:
        level, deciding = SEVERE, most
    else:
        deciding = [key for key, worst in levels.items() if worst >= MILD]
        level = MILD if deciding else NONE
    return Grading(
        level=level,
        word=LEVEL_WORDS[level],
        word_en=LEVEL_EN[level],
        levels=MappingProxyType(levels),
        severe_shares=MappingProxyType(shares),
        deciding=tuple(deciding),
    )


def grade_sample(values: Mapping[str, float]) -> Grading:
    """Grade one sample: its worst indicator sets the level (the point rule over a single datum)."""
    return grade_point([values])


def grade_water_body(point_levels: Sequence[int]) -> WaterBodyGrading:
    """Grade a water body from its points' levels, in order along the water body."""
    if not point_levels:
        raise ValueError("no monitoring points to grade")
    for level in point_levels:
        if level not in (NONE, MILD, SEVERE):
            raise ValueError(f"a point's level must be {NONE}, {MILD} or {SEVERE}, not {level!r}")
    stretches: list[tuple[int, int]] = []
    start = None
    for index, level in enumerate([*point_levels, NONE]):
        if level == SEVERE and start is None:
            start = index
        elif level != SEVERE and start is not None:
            if index - start >= SEVERE_RUN:
                stretches.append((start, index - 1))
            start = None
    severe = sum(1 for level in point_levels if level == SEVERE)
    if severe * 100 >= BODY_SEVERE_SHARE * len(point_levels):
        level = SEVERE
    else:
        level = MILD if any(level != NONE for level in point_levels) else NONE
    return WaterBodyGrading(
        level=level,
        word=LEVEL_WORDS[level],
        word_en=LEVEL_EN[level],
        severe_share=severe / len(point_levels),
        severe_stretches=tuple(stretches),
    )
