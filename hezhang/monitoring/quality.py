"""Water quality classes by GB 3838-2002 Table 1, evaluated as 环办[2011]22号 (地表水环境质量评价办法（试行）) says.

Pure: no Django import.  The limits are data, transcribed in ``gb3838_2002.json`` beside this module and loaded
once; the rules that need judgement are decided here and said where they are applied:

- An item's class is the best class whose limit the value meets; a shared limit gives the better class; a value
  worse than the class V limit is worse than V (劣V, class 6).  pH 6–9 is class I, outside it 劣V.
- A sample's class (single-factor method) is the worst class among the 21 evaluated items present: all basic items
  but water temperature, total nitrogen and fecal coliform.  Fecal coliform, and total nitrogen in a lake or
  reservoir, are still classed but only for reference ("参考指标单独评价（河流总氮除外）"): they never set the
  sample's class.  Total nitrogen has no class in a river (Table 1 gives it for lakes and reservoirs only).
- Lakes and reservoirs take the lake limits (``limits_lake``) for total phosphorus.
- Main pollutants, when the sample is worse than class III: the three items of the worst classes, ties broken by
  the larger exceedance multiple; cyanide and heavy metals worse than class III are listed as well, after them.
"""

import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "CLASS_LABELS",
    "CLASS_LABELS_EN",
    "BELOW_DETECTION_FLAG",
    "HEAVY_METALS",
    "KINDS",
    "NOT_DETECTED",
    "PARAMETERS",
    "REFERENCE",
    "STATUS_EN",
    "STATUS_WORDS",
    "WORSE_THAN_V",
    "Classification",
    "Parameter",
    "SectionsEvaluation",
    "classify",
    "classify_averaged",
    "evaluate_sections",
    "item_class",
    "limit",
    "meets_target",
    "parse_value",
    "status_word",
]

REFERENCE: Mapping[str, Any] = json.loads(
    Path(__file__).with_name("gb3838_2002.json").read_text(encoding="utf-8")
)

KINDS = ("river", "lake", "reservoir")
WORSE_THAN_V = 6
CLASS_LABELS = MappingProxyType({1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"})
CLASS_LABELS_EN = MappingProxyType({1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "worse than V"})
_ROMAN = ("I", "II", "III", "IV", "V")

# The English words of China's environmental bulletins for the five status words.
STATUS_EN = MappingProxyType(
    {
        "优": "excellent",
        "良好": "good",
        "轻度污染": "slightly polluted",
        "中度污染": "moderately polluted",
        "重度污染": "heavily polluted",
    }
)
_SECTION_STATUS = REFERENCE["evaluation_2011"]["section_status"]
STATUS_WORDS = MappingProxyType({cls: _SECTION_STATUS[CLASS_LABELS[cls]] for cls in range(1, 7)})

# "当氰化物或铅、铬等重金属超标时，也作为主要污染指标列出": the metals (and arsenic, regulated with them) of Table 1.
# Selenium is a non-metal and stays out.
HEAVY_METALS = frozenset({"Cu", "Zn", "As", "Hg", "Cd", "Cr6", "Pb"})
_ALWAYS_LISTED = HEAVY_METALS | {"CN"}
_MAIN_POLLUTANTS = 3
# Table 1 heads total nitrogen "湖、库": it has no class in a river.
_LAKE_ONLY = frozenset({"TN"})


@dataclass(frozen=True)
class Parameter:
    """One basic item of GB 3838-2002 Table 1."""

    key: str
    name_zh: str
    name_en: str
    unit: str
    direction: str  # "max" (a ceiling), "min" (a floor: DO), "range" (pH) or "special" (water temperature)
    evaluated: bool  # one of the 21 items that set a sample's class
    exceedance_computed: bool  # an exceedance multiple is given when worse than class III
    limits: tuple[float, ...] | None  # classes I..V, for max and min items
    limits_lake: tuple[float, ...] | None  # classes I..V in lakes and reservoirs, where they differ
    bounds: tuple[float, float] | None  # the range of a range item, the same for every class

    def limits_for(self, kind: str) -> tuple[float, ...] | None:
        if kind == "river":
            return None if self.key in _LAKE_ONLY else self.limits
        return self.limits_lake or self.limits


def _parameter(item: Mapping[str, Any]) -> Parameter:
    direction = item["direction"]
    raw = item["limits"]
    limits: tuple[float, ...] | None = None
    lake: tuple[float, ...] | None = None
    bounds: tuple[float, float] | None = None
    if direction == "range":
        ranges = {tuple(raw[label]) for label in _ROMAN}
        if len(ranges) != 1:
            raise ValueError(f"{item['key']}: a range item needs the same range in every class")
        low, high = ranges.pop()
        bounds = (float(low), float(high))
    elif direction in ("max", "min"):
        limits = tuple(float(raw[label]) for label in _ROMAN)
        if "limits_lake" in item:
            lake = tuple(float(item["limits_lake"][label]) for label in _ROMAN)
        for row in filter(None, (limits, lake)):
            ordered = sorted(row, reverse=direction == "min")
            if list(row) != ordered:
                raise ValueError(f"{item['key']}: the class limits are out of order: {row}")
    return Parameter(
        key=item["key"],
        name_zh=item["name_zh"],
        name_en=item["name_en"],
        unit=item["unit"],
        direction=direction,
        evaluated=item["in_21_eval_items"],
        exceedance_computed=item["exceedance_multiple_computed"],
        limits=limits,
        limits_lake=lake,
        bounds=bounds,
    )


# Table order: classify() reports items, and breaks the last ties between main pollutants, in this order.
PARAMETERS: Mapping[str, Parameter] = MappingProxyType(
    {item["key"]: _parameter(item) for item in REFERENCE["items"]}
)


@dataclass(frozen=True)
class Classification:
    """The class of one sample (or of a set of sections' mean values) and what made it so."""

    kind: str
    item_classes: Mapping[str, int]  # every classed item present, in Table 1 order
    reference: tuple[str, ...]  # keys in item_classes classed for reference only (FC; TN in lakes)
    water_class: int | None  # 1..6 by the evaluated items; None when none of them is present
    status: str | None  # 优, 良好, 轻度污染, 中度污染 or 重度污染
    status_en: str | None
    exceedance: Mapping[str, float]  # (C - C_III) / C_III of the evaluated items worse than III
    main_pollutants: tuple[str, ...]

    @property
    def label(self) -> str | None:
        """The class as written in reports: I … V or 劣V."""
        return None if self.water_class is None else CLASS_LABELS[self.water_class]


@dataclass(frozen=True)
class SectionsEvaluation:
    """A reach, river or basin by the share of its sections in each class (2011 method, for five or more)."""

    sections: int
    counts: tuple[int, ...]  # sections in class I, II, III, IV, V, 劣V
    good_share: float  # share (0..1) of sections in classes I–III (优良比例)
    worse_than_v_share: float  # share (0..1) of sections worse than V
    status: str  # 优, 良好, 轻度污染, 中度污染 or 重度污染
    status_en: str
    by_share: bool  # five or more sections: the status is the 2011 method's; fewer: only indicative


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of water body {kind!r}: expected river, lake or reservoir")


def _check_class(cls: int, what: str = "class") -> None:
    if isinstance(cls, bool) or not isinstance(cls, int) or not 1 <= cls <= WORSE_THAN_V:
        raise ValueError(f"{what} must be 1..6 (6 = worse than V), not {cls!r}")


def _check_value(parameter: Parameter, value: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{parameter.key} ({parameter.name_zh}): {value!r} is not a finite number")
    # Water temperature is not classed and may dip below zero; every classed item is a concentration or pH.
    if value < 0 and parameter.direction != "special":
        raise ValueError(f"{parameter.key} ({parameter.name_zh}): {value!r} is negative")


def item_class(key: str, value: float, kind: str = "river") -> int | None:
    """The class (1..6) of one item's value; None for an item without classes (water temperature; TN in rivers).

    ValueError for an unknown key or kind, a negative value or one that is not a finite number.
    """
    _check_kind(kind)
    parameter = PARAMETERS.get(key)
    if parameter is None:
        raise ValueError(f"unknown parameter {key!r}")
    _check_value(parameter, value)
    if parameter.bounds is not None:
        low, high = parameter.bounds
        return 1 if low <= value <= high else WORSE_THAN_V
    limits = parameter.limits_for(kind)
    if limits is None:
        return None
    for cls, bound in enumerate(limits, start=1):
        if (value >= bound) if parameter.direction == "min" else (value <= bound):
            return cls
    return WORSE_THAN_V


def limit(key: str, cls: int, kind: str = "river") -> float | None:
    """The class limit of an item: the ceiling (or DO's floor) a value must meet to be in class ``cls``.

    None where the standard gives no single number: unknown keys, water temperature, pH (a 6–9 range), TN in a
    river, and class 6 (worse than V has no limit).
    """
    _check_class(cls)
    _check_kind(kind)
    parameter = PARAMETERS.get(key)
    limits = parameter.limits_for(kind) if parameter else None
    if limits is None or cls == WORSE_THAN_V:
        return None
    return limits[cls - 1]


def status_word(cls: int) -> str:
    """优 (I, II), 良好 (III), 轻度污染 (IV), 中度污染 (V), 重度污染 (劣V); English in STATUS_EN."""
    _check_class(cls)
    return STATUS_WORDS[cls]


def meets_target(cls: int, target: int) -> bool:
    """A class meets a target class when it is that class or better."""
    _check_class(cls)
    _check_class(target, "target")
    return cls <= target


def _exceedance(parameter: Parameter, value: float, kind: str) -> float:
    limits = parameter.limits_for(kind)
    assert limits is not None
    class_iii = limits[2]
    return (value - class_iii) / class_iii


def _main_pollutants(classes: Mapping[str, int], exceedance: Mapping[str, float]) -> tuple[str, ...]:
    worse = [key for key, cls in classes.items() if cls > 3]
    # Worst class first; within a class the larger multiple; items without a multiple (pH, DO) after those with
    # one, as they cannot be compared; then Table 1 order (list.sort is stable).
    worse.sort(key=lambda key: (-classes[key], key not in exceedance, -exceedance.get(key, 0.0)))
    chosen = worse[:_MAIN_POLLUTANTS]
    chosen += [key for key in worse[_MAIN_POLLUTANTS:] if key in _ALWAYS_LISTED]
    return tuple(chosen)


def classify(values: Mapping[str, float], kind: str) -> Classification:
    """Class a sample by the single-factor method.  Keys not in Table 1 (chla, SD, ORP, …) are ignored.

    ValueError for an unknown kind, or a negative or non-finite value of a Table 1 item.
    """
    _check_kind(kind)
    item_classes: dict[str, int] = {}
    reference: list[str] = []
    exceedance: dict[str, float] = {}
    for key, parameter in PARAMETERS.items():
        if key not in values:
            continue
        cls = item_class(key, values[key], kind)
        if cls is None:
            continue
        item_classes[key] = cls
        if not parameter.evaluated:
            reference.append(key)
        elif cls > 3 and parameter.exceedance_computed:
            exceedance[key] = _exceedance(parameter, values[key], kind)
    evaluated = {key: cls for key, cls in item_classes.items() if key not in reference}
    water_class = max(evaluated.values(), default=None)
    status = None if water_class is None else STATUS_WORDS[water_class]
    main = _main_pollutants(evaluated, exceedance) if water_class is not None and water_class > 3 else ()
    return Classification(
        kind=kind,
        item_classes=MappingProxyType(item_classes),
        reference=tuple(reference),
        water_class=water_class,
        status=status,
        status_en=None if status is None else STATUS_EN[status],
        exceedance=MappingProxyType(exceedance),
        main_pollutants=main,
    )


def classify_averaged(samples: Sequence[Mapping[str, float]], kind: str) -> Classification:
    """Class the mean of each item over several sections or lake points, then by the single-factor method.

    The 2011 method evaluates a river of fewer than five sections this way, and a lake or reservoir with several
    points always.  An item is averaged over the samples that have it.
    """
    if not samples:
        raise ValueError("no samples to average")
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for values in samples:
        for key, value in values.items():
            if key in PARAMETERS:
                _check_value(PARAMETERS[key], value)
                sums[key] = sums.get(key, 0.0) + value
                counts[key] = counts.get(key, 0) + 1
    return classify({key: sums[key] / counts[key] for key in sums}, kind)


def evaluate_sections(classes: Sequence[int]) -> SectionsEvaluation:
    """A reach, river or basin by the share of its sections in each class (断面水质类别比例法).

    I–III ≥ 90 % 优; 75–90 % 良好; below 75 %: 轻度污染 when under 20 % are 劣V, 中度污染 under 40 %, else 重度污染.
    (Some copies of the method write "I–III < 60 %" for 重度污染; that leaves exactly 60 % I–III with 40 % 劣V
    without a status, so the reference's "< 75 %" is used.)

    The method applies to five or more sections.  With fewer it classes the mean concentrations instead
    (classify_averaged); given only classes, the status here is computed the same way for a dashboard, and
    ``by_share`` is False to say it is not the method's.  ValueError without any section.
    """
    for cls in classes:
        _check_class(cls, "a section's class")
    total = len(classes)
    if not total:
        raise ValueError("no sections to evaluate")
    counts = tuple(sum(1 for cls in classes if cls == k) for k in range(1, 7))
    good, worst = sum(counts[:3]), counts[5]
    # Integer comparisons: 9 sections of 10 are exactly 90 %, whatever floating point would say.
    if good * 100 >= 90 * total:
        status = "优"
    elif good * 100 >= 75 * total:
        status = "良好"
    elif worst * 100 < 20 * total:
        status = "轻度污染"
    elif worst * 100 < 40 * total:
        status = "中度污染"
    else:
        status = "重度污染"
    return SectionsEvaluation(
        sections=total,
        counts=counts,
        good_share=good / total,
        worse_than_v_share=worst / total,
        status=status,
        status_en=STATUS_EN[status],
        by_share=total >= 5,
    )


_BELOW_DETECTION = re.compile(r"<\s*(?P<limit>.+)|(?P<limit_l>[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*[lL]")
NOT_DETECTED = frozenset({"nd", "n.d.", "n.d", "未检出"})
BELOW_DETECTION_FLAG = "<"


def parse_value(raw: object) -> tuple[float, str | None]:
    """A lab result as written → (value, flag); flag "<" when it was below the detection limit.

    "<0.01" and "0.01L" (the notation of the Chinese monitoring standards) count as half the limit, as the
    technical specifications for surface water monitoring have statistics treat values below detection; "ND" or
    "未检出" without a limit counts as 0, the standard methods' detection limits lying below the class I limits.
    "> x" is refused: the value is unknown upwards and a class from it would flatter the sample.  Full-width
    characters read as their ASCII forms.  Negative numbers pass (water temperature, ORP): callers check ranges.
    ValueError, with a message for the person who typed it, otherwise.
    """
    if isinstance(raw, bool):
        raise ValueError(f"“{raw}”不是数值")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError(f"“{raw}”不是有限数值")
        return float(raw), None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text.lower() in NOT_DETECTED:
        return 0.0, BELOW_DETECTION_FLAG
    if text.startswith(">"):
        raise ValueError(f"“{text}”只给出下限，请填写实测值")
    match = _BELOW_DETECTION.fullmatch(text)
    if match:
        limit_text = (match["limit"] or match["limit_l"]).strip()
        value = _finite(limit_text)
        if value <= 0:
            raise ValueError(f"检出限“{limit_text}”应为正数")
        return value / 2, BELOW_DETECTION_FLAG
    return _finite(text), None


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"“{text}”不是数值") from None
    if not math.isfinite(value):
        raise ValueError(f"“{text}”不是有限数值")
    return value
