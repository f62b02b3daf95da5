"""Figures for the monitoring pages: each section's latest class, a region's sections by class, series for charts.

Reusable by statistics and assessment (they read monitoring; monitoring reads none of them).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from hezhang.monitoring import black_odorous, quality, trophic
from hezhang.monitoring.models import Evaluation, Interval, Period, Sample
from hezhang.monitoring.sampling import evaluation_kind

CLASS_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}
# The colours environmental agencies use for water quality classes (I … worse than V).
CLASS_COLOURS = {1: "#7ecbf5", 2: "#2f8fd8", 3: "#3cb44b", 4: "#f2c200", 5: "#f08a00", 6: "#e02020"}


def class_name(value: int | None) -> str:
    return CLASS_NAMES.get(value, "—") if value else "—"


def class_colour(value: int | None) -> str:
    return CLASS_COLOURS.get(value, "#9aa5b1") if value else "#9aa5b1"


@dataclass
class Latest:
    """A section's most recent sample and month, for maps and lists."""

    section_id: int
    water_class: int | None
    taken_at: datetime.datetime | None
    month_class: int | None = None
    month: datetime.date | None = None
    meets_target: bool | None = None

    @property
    def name(self) -> str:
        return class_name(self.water_class)

    @property
    def colour(self) -> str:
        return class_colour(self.water_class)


def latest_by_section(section_ids) -> dict[int, Latest]:
    """Latest sample class (hourly or lab, not real-time noise) and latest monthly evaluation of each section."""
    ids = list(section_ids)
    if not ids:
        return {}
    newest = (
        Sample.objects.filter(section_id__in=ids)
        .exclude(interval__in=[Interval.REALTIME, Interval.MINUTE])
        .values("section_id")
        .annotate(last=Max("taken_at"))
    )
    result: dict[int, Latest] = {}
    last_times = {row["section_id"]: row["last"] for row in newest}
    if last_times:
        rows = Sample.objects.filter(
            section_id__in=last_times, taken_at__in=set(last_times.values())
        ).exclude(interval__in=[Interval.REALTIME, Interval.MINUTE])
        for sample in rows.only("section_id", "taken_at", "water_class"):
            if last_times.get(sample.section_id) == sample.taken_at:
                result[sample.section_id] = Latest(sample.section_id, sample.water_class, sample.taken_at)
    months = Evaluation.objects.filter(section_id__in=ids, period=Period.MONTH).filter(
        start=Subquery(
            Evaluation.objects.filter(section_id=OuterRef("section_id"), period=Period.MONTH)
            .order_by("-start")
            .values("start")[:1]
        )
    )
    for evaluation in months:
        latest = result.setdefault(evaluation.section_id, Latest(evaluation.section_id, None, None))
        latest.month_class = evaluation.water_class
        latest.month = evaluation.start
        latest.meets_target = evaluation.meets_target
    return result


@dataclass
class RegionPicture:
    month: datetime.date | None
    sections: int = 0
    evaluated: int = 0
    by_class: dict[int, int] = field(default_factory=dict)
    targeted: int = 0
    meeting: int = 0
    rows: list = field(default_factory=list)  # (section, evaluation or None), worst first
    status: str = ""
    good_share: float | None = None

    @property
    def meeting_share(self) -> str:
        return f"{self.meeting / self.targeted:.0%}" if self.targeted else "—"

    @property
    def not_meeting(self) -> int:
        return self.targeted - self.meeting

    @property
    def bars(self) -> list[dict]:
        return [
            {"cls": c, "name": CLASS_NAMES[c], "count": self.by_class.get(c, 0), "colour": CLASS_COLOURS[c]}
            for c in range(1, 7)
        ]


def latest_month(sections) -> datetime.date | None:
    return (
        Evaluation.objects.filter(section__in=sections, period=Period.MONTH)
        .aggregate(last=Max("start"))
        .get("last")
    )


def region_picture(sections, month: datetime.date | None) -> RegionPicture:
    """Sections by class in a month, the share meeting their target, and the 2011-method status of the whole."""
    sections = list(sections.select_related("water_body", "region"))
    picture = RegionPicture(month=month, sections=len(sections))
    evaluations = {}
    if month is not None:
        evaluations = {
            e.section_id: e
            for e in Evaluation.objects.filter(
                section__in=[s.pk for s in sections], period=Period.MONTH, start=month
            )
        }
    classes = []
    for section in sections:
        evaluation = evaluations.get(section.pk)
        picture.rows.append((section, evaluation))
        if evaluation is None or evaluation.water_class is None:
            continue
        picture.evaluated += 1
        classes.append(evaluation.water_class)
        if evaluation.meets_target is not None:
            picture.targeted += 1
            picture.meeting += evaluation.meets_target
    picture.by_class = dict(Counter(classes))
    picture.rows.sort(key=lambda row: (-(row[1].water_class or 0) if row[1] else 1, row[0].code))
    if classes:
        overall = quality.evaluate_sections(classes)
        picture.status = overall.status
        picture.good_share = overall.good_share
        if not overall.by_share:
            # Fewer than five sections: the 2011 method classes the mean concentrations instead.
            evaluated = [(s, e) for s, e in picture.rows if e is not None and e.water_class is not None]
            kinds = {evaluation_kind(s) for s, _ in evaluated}
            if len(kinds) == 1:
                averaged = quality.classify_averaged([e.values for _, e in evaluated], kinds.pop())
                picture.status = averaged.status or picture.status
    return picture


def month_choices(sections, limit: int = 24) -> list[datetime.date]:
    return list(
        Evaluation.objects.filter(section__in=sections, period=Period.MONTH)
        .values_list("start", flat=True)
        .distinct()
        .order_by("-start")[:limit]
    )


def series(section, keys: list[str], since: datetime.datetime | None = None) -> dict:
    """Values over time per parameter for the charts: lab samples and hourly/daily station data, oldest first."""
    rows = Sample.objects.filter(section=section).exclude(interval__in=[Interval.REALTIME, Interval.MINUTE])
    if since is not None:
        rows = rows.filter(taken_at__gte=since)
    out: dict[str, list] = {key: [] for key in keys}
    for taken_at, values in rows.order_by("taken_at").values_list("taken_at", "values"):
        stamp = timezone.localtime(taken_at).strftime("%Y-%m-%d %H:%M")
        for key in keys:
            if key in values:
                out[key].append([stamp, values[key]])
    return out


def trophic_state(sample, kind: str):
    """A lake's or reservoir's trophic level index from a sample with chlorophyll a or transparency."""
    if sample is None or kind == "river" or not ({"chla", "SD"} & set(sample.values)):
        return None
    try:
        return trophic.trophic_level_index(sample.values)
    except ValueError:
        return None


def black_odorous_grade(sample):
    """The black-odorous grading, for samples taken for it (transparency or ORP measured)."""
    if sample is None or not ({"ORP", "SD"} & set(sample.values)):
        return None
    values = {key: sample.values[key] for key in ("DO", "ORP", "NH3N") if key in sample.values}
    if "SD" in sample.values:
        values["SD_cm"] = sample.values["SD"] * 100
    try:
        return black_odorous.grade_sample(values)
    except ValueError:
        return None
