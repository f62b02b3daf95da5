"""The trophic level index (综合营养状态指数, TLI) of a lake or reservoir.

Pure: no Django import.  The method of 中国环境监测总站, as annexed to 环办[2011]22号: chlorophyll a is the
reference parameter; each parameter j has a sub-index TLI(j) and a weight W_j = r_ij² / Σ r_ij², where r_ij is its
correlation with chlorophyll a in Chinese lakes; TLI(Σ) = Σ W_j · TLI(j).

    TLI(chla)  = 10 (2.5   + 1.086 ln chla)     chla in mg/m³
    TLI(TP)    = 10 (9.436 + 1.624 ln TP)       mg/L
    TLI(TN)    = 10 (5.453 + 1.694 ln TN)       mg/L
    TLI(SD)    = 10 (5.118 - 1.94  ln SD)       transparency (Secchi depth) in m
    TLI(CODMn) = 10 (0.109 + 2.661 ln CODMn)    mg/L

r_ij: chla 1, TP 0.84, TN 0.82, SD -0.83, CODMn 0.83.  These are the widely published values; they could not be
checked against a primary copy of the method here, and agree with the project's transcription
(gb3838_2002.json, evaluation_2011.lake_TLI), from which the correlations are read.

Grades: TLI < 30 贫营养; 30 ≤ TLI ≤ 50 中营养; 50 < TLI ≤ 60 轻度富营养; 60 < TLI ≤ 70 中度富营养; > 70 重度富营养.

The method uses all five parameters.  When some are missing the weights are renormalised over those present,
as monitoring reports commonly do; ``complete`` says whether all five were there.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from hezhang.monitoring.quality import REFERENCE

__all__ = [
    "CORRELATION",
    "GRADE_EN",
    "PARTS",
    "TrophicState",
    "sub_index",
    "trophic_grade",
    "trophic_level_index",
    "weights",
]

PARTS = ("chla", "TP", "TN", "SD", "CODMn")
CORRELATION: Mapping[str, float] = MappingProxyType(
    {key: float(REFERENCE["evaluation_2011"]["lake_TLI"]["r_ij"][key]) for key in PARTS}
)
# TLI(j) = 10 (a + b ln value): (a, b) per parameter.
_COEFFICIENTS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "chla": (2.5, 1.086),
        "TP": (9.436, 1.624),
        "TN": (5.453, 1.694),
        "SD": (5.118, -1.94),
        "CODMn": (0.109, 2.661),
    }
)
GRADE_EN: Mapping[str, str] = MappingProxyType(
    {
        "贫营养": "oligotrophic",
        "中营养": "mesotrophic",
        "轻度富营养": "slightly eutrophic",
        "中度富营养": "moderately eutrophic",
        "重度富营养": "severely eutrophic",
    }
)


@dataclass(frozen=True)
class TrophicState:
    index: float  # TLI(Σ), 0..100 in practice
    parts: Mapping[str, float]  # TLI(j) of each parameter present, in PARTS order
    weights: Mapping[str, float]  # W_j used, summing to 1
    grade: str  # 贫营养, 中营养, 轻度富营养, 中度富营养 or 重度富营养
    grade_en: str
    eutrophic: bool  # TLI > 50
    complete: bool  # all five parameters were present


def sub_index(key: str, value: float) -> float:
    """TLI(j) of one parameter; ValueError for an unknown key or a value that is not a positive finite number."""
    if key not in _COEFFICIENTS:
        raise ValueError(f"unknown trophic parameter {key!r}: expected one of {', '.join(PARTS)}")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{key}: {value!r} must be a positive number (the index takes its logarithm)")
    a, b = _COEFFICIENTS[key]
    return 10 * (a + b * math.log(value))


def weights(keys: Sequence[str] = PARTS) -> dict[str, float]:
    """W_j = r_ij² / Σ r_ij² over the given parameters."""
    total = sum(CORRELATION[key] ** 2 for key in keys)
    return {key: CORRELATION[key] ** 2 / total for key in keys}


def trophic_grade(index: float) -> str:
    if index < 30:
        return "贫营养"
    if index <= 50:
        return "中营养"
    if index <= 60:
        return "轻度富营养"
    if index <= 70:
        return "中度富营养"
    return "重度富营养"


def trophic_level_index(values: Mapping[str, float]) -> TrophicState:
    """TLI(Σ) from any of chla (mg/m³), TP, TN, CODMn (mg/L) and SD (m); other keys are ignored.

    ValueError when none of the five is present, or one is not a positive number.
    """
    present = [key for key in PARTS if key in values]
    if not present:
        raise ValueError(f"the trophic index needs at least one of {', '.join(PARTS)}")
    parts = {key: sub_index(key, values[key]) for key in present}
    used = weights(present)
    index = sum(used[key] * parts[key] for key in present)
    grade = trophic_grade(index)
    return TrophicState(
        index=index,
        parts=MappingProxyType(parts),
        weights=MappingProxyType(used),
        grade=grade,
        grade_en=GRADE_EN[grade],
        eutrophic=index > 50,
        complete=len(present) == len(PARTS),
    )
