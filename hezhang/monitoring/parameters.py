"""The parameters a sample may carry: the GB 3838-2002 basic items, and a few more stations and lakes report.

Pure: no Django import. Keys are stable codes used in samples, imports, the API and HJ 212 mapping.
"""

import math
from dataclasses import dataclass

from hezhang.monitoring import quality


@dataclass(frozen=True)
class Parameter:
    key: str
    name: str
    name_en: str
    unit: str
    classed: bool  # has GB 3838-2002 class limits
    low: float | None = 0.0  # smallest plausible value (None: no bound)
    high: float | None = None  # largest plausible value


# Not classed by GB 3838-2002 but needed for the trophic index, black-odorous grading and station data.
_EXTRA = [
    Parameter("chla", "叶绿素a", "chlorophyll a", "mg/m³", False),
    Parameter("SD", "透明度", "transparency (Secchi depth)", "m", False, 0.0, 100.0),
    Parameter("ORP", "氧化还原电位", "oxidation-reduction potential", "mV", False, -2000.0, 2000.0),
    Parameter("EC", "电导率", "conductivity", "μS/cm", False),
    Parameter("TURB", "浊度", "turbidity", "NTU", False),
]

_BOUNDS = {"pH": (0.0, 14.0), "WT": (-5.0, 60.0), "DO": (0.0, 30.0)}


def _from_standard() -> list[Parameter]:
    rows = []
    for key, item in quality.PARAMETERS.items():
        low, high = _BOUNDS.get(key, (0.0, None))
        rows.append(Parameter(key, item.name_zh, item.name_en, item.unit, item.key != "WT", low, high))
    return rows


PARAMETERS: dict[str, Parameter] = {p.key: p for p in [*_from_standard(), *_EXTRA]}


def label(key: str) -> str:
    parameter = PARAMETERS.get(key)
    return parameter.name if parameter else key


def check_values(values: dict) -> dict[str, float]:
    """The values as floats keyed by known parameters; ValueError naming every bad item otherwise.

    Blank values (None or "") are dropped: a lab sheet leaves untested items empty.
    """
    if not isinstance(values, dict):
        raise ValueError("监测值应为“项目: 数值”的对象")
    clean: dict[str, float] = {}
    problems: list[str] = []
    for key, raw in values.items():
        parameter = PARAMETERS.get(key)
        if parameter is None:
            problems.append(f"未知的监测项目“{key}”")
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if isinstance(raw, bool):
            problems.append(f"{parameter.name}（{key}）不是数值")
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{parameter.name}（{key}）不是数值：{raw!r}")
            continue
        if not math.isfinite(value):
            problems.append(f"{parameter.name}（{key}）不是有限数值")
            continue
        if parameter.low is not None and value < parameter.low:
            problems.append(f"{parameter.name}（{key}）不能小于 {parameter.low:g}")
            continue
        if parameter.high is not None and value > parameter.high:
            problems.append(f"{parameter.name}（{key}）不能大于 {parameter.high:g}")
            continue
        clean[key] = value
    if problems:
        raise ValueError("；".join(problems))
    return clean
