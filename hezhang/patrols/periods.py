"""The calendar of patrol rules: which rule periods (week, 旬, month…) a date range touches, and their names.

A rule's periods are calendar periods: weeks run Monday to Sunday, a 旬 is the 1st–10th, 11th–20th or 21st to the
end of the month, half months split after the 15th, quarters and half years start in January. A seasonal rule
(one with months) only applies in its months, so a patroller's periods are the calendar periods of whichever rule
applies in each month, cut where the rule changes: a week that straddles the start of the flood season is cut at
the 1st, and each piece asks for the piece's rule's full `times`.

No Django here: a rule is anything with `period` and `times`, found per month by the caller.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

__all__ = [
    "PERIODS",
    "RulePeriod",
    "calendar_period",
    "month_start",
    "period_label",
    "rule_periods",
]

PERIODS = ("week", "ten_days", "half_month", "month", "quarter", "half_year", "year")
DAY = datetime.timedelta(days=1)


class HasFrequency(Protocol):
    period: str
    times: int


R = TypeVar("R", bound=HasFrequency)


@dataclass(frozen=True, slots=True)
class RulePeriod(Generic[R]):
    """One period of a rule (both ends included) in which `rule.times` valid patrols are required."""

    start: datetime.date
    end: datetime.date
    rule: R


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month_end(day: datetime.date) -> datetime.date:
    return _add_months(month_start(day), 1) - DAY


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def calendar_period(period: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calendar period of kind `period` that contains `day`, as (first day, last day)."""
    if period == "week":
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if period == "ten_days":
        if day.day <= 10:
            return day.replace(day=1), day.replace(day=10)
        if day.day <= 20:
            return day.replace(day=11), day.replace(day=20)
        return day.replace(day=21), _month_end(day)
    if period == "half_month":
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), _month_end(day)
    if period == "month":
        return month_start(day), _month_end(day)
    months = {"quarter": 3, "half_year": 6, "year": 12}.get(period)
    if months is None:
        raise ValueError(f"unknown patrol period {period!r}")
    first = datetime.date(day.year, (day.month - 1) // months * months + 1, 1)
    return first, _add_months(first, months) - DAY


def rule_periods(
    rule_in_month: Callable[[int], R | None], start: datetime.date, end: datetime.date
) -> list[RulePeriod[R]]:
    """Every rule period that overlaps `start`..`end` (both included), whole, under the rule of each month.

    A period that only partly overlaps the range is still returned whole: whether a patroller met a 旬 or a month
    is decided on the whole 旬 or month, never on the part that happens to fall in the range asked about. So a
    monthly report lists the weeks that straddle its first and last days, and "this week" asks of a chief with a
    monthly rule whether this month is met. `rule_in_month(m)` is the rule in force in month m (1..12), or None.
    """
    if end < start:
        return []
    # Calendar periods are at most a year and aligned to it, so a year either side holds every period that
    # overlaps the range, and where its rule's run of months begins and ends.
    first = _add_months(datetime.date(start.year, 1, 1), -12)
    last = datetime.date(end.year + 1, 12, 31)
    periods: list[RulePeriod[R]] = []
    run_start = first
    while run_start <= last:
        rule = rule_in_month(run_start.month)
        run_end = _month_end(run_start)
        while run_end < last and rule_in_month((run_end + DAY).month) == rule:
            run_end = _month_end(run_end + DAY)
        if rule is not None and run_start <= end and run_end >= start:
            periods.extend(_cut(rule, max(run_start, start), min(run_end, end), run_start, run_end))
        run_start = run_end + DAY
    return periods


def _cut(
    rule: R, start: datetime.date, end: datetime.date, run_start: datetime.date, run_end: datetime.date
) -> list[RulePeriod[R]]:
    """The calendar periods of `rule` overlapping start..end, cut to the months the rule applies in."""
    out: list[RulePeriod[R]] = []
    day = start
    while day <= end:
        a, b = calendar_period(rule.period, day)
        out.append(RulePeriod(max(a, run_start), min(b, run_end), rule))
        day = b + DAY
    return out


CHINESE_NUMBERS = "一二三四五六七八九十"


def period_label(period: str, start: datetime.date, end: datetime.date) -> str:
    """A period as people name it: 2024年5月中旬, 2024年第二季度, 5月13日至5月19日 (message text, not translated)."""
    whole = calendar_period(period, start) == (start, end)
    if whole and period == "ten_days":
        return f"{start.year}年{start.month}月{'上中下'[min(start.day // 10, 2)]}旬"
    if whole and period == "half_month":
        return f"{start.year}年{start.month}月{'上下'[start.day > 15]}半月"
    if whole and period == "month":
        return f"{start.year}年{start.month}月"
    if whole and period == "quarter":
        return f"{start.year}年第{CHINESE_NUMBERS[(start.month - 1) // 3]}季度"
    if whole and period == "half_year":
        return f"{start.year}年{'上下'[start.month > 6]}半年"
    if whole and period == "year":
        return f"{start.year}年"
    if start.year == end.year:
        return f"{start.year}年{start.month}月{start.day}日至{end.month}月{end.day}日"
    return f"{start:%Y}年{start.month}月{start.day}日至{end:%Y}年{end.month}月{end.day}日"
