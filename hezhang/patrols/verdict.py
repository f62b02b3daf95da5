"""The scorer's reasons and flags as sentences a chief understands, in the active language."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _minutes(seconds: float | None) -> str:
    return f"{(seconds or 0) / 60:.0f}"


def _metres(metres: float | None) -> str:
    return f"{metres or 0:.0f}"


def _kmh(mps: float | None) -> str:
    return f"{(mps or 0) * 3.6:.0f}"


def _pct(fraction: float | None) -> str:
    return f"{(fraction or 0) * 100:.0f}"


def describe(reason: dict) -> str:
    """One reason ({code, value, limit}) as a sentence with the figures that decided it."""
    code, value, limit = reason.get("code"), reason.get("value"), reason.get("limit")
    if code == "empty_track":
        return _("没有有效的轨迹点")
    if code == "too_short":
        return _("巡河时长 %(value)s 分钟，少于要求的 %(limit)s 分钟") % {
            "value": _minutes(value),
            "limit": _minutes(limit),
        }
    if code == "too_little_distance":
        return _("巡河距离 %(value)s 米，少于要求的 %(limit)s 米") % {
            "value": _metres(value),
            "limit": _metres(limit),
        }
    if code == "too_fast":
        return _("平均速度 %(value)s 公里/时，超过 %(limit)s 公里/时，像是乘车经过") % {
            "value": _kmh(value),
            "limit": _kmh(limit),
        }
    if code == "far_from_reach":
        return _("起点离河段 %(value)s 米，超过 %(limit)s 米") % {
            "value": _metres(value),
            "limit": _metres(limit),
        }
    if code == "no_reach":
        return _("轨迹附近没有本人负责的河段")
    if code == "low_coverage":
        return _("河段覆盖率 %(value)s%%，低于要求的 %(limit)s%%") % {
            "value": _pct(value),
            "limit": _pct(limit),
        }
    if code == "checklist_empty":
        return _("未填写巡查清单（巡而不查）")
    if code == "teleport":
        return _("轨迹有 %(value)s 米的跳点，疑似虚拟定位") % {"value": _metres(value)}
    if code == "long_gap":
        return _("轨迹中断超过 10 分钟")
    return str(code)


MODES = {
    "walk": gettext_lazy("步行"),
    "ride": gettext_lazy("骑行"),
    "drive": gettext_lazy("乘车"),
    "none": gettext_lazy("无"),
}
