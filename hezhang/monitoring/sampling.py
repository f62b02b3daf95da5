"""Writing water quality samples: check the values, class them, store them once, and keep the evaluations current.

Every way in (the entry form, a file import, the API, an HJ 212 station) goes through `record_sample`, so a
sample is classed the same way whatever brought it, and the month and year evaluations of its section follow.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from hezhang.monitoring import quality
from hezhang.monitoring.entry import EntryError, checked_time
from hezhang.monitoring.models import Evaluation, Interval, Period, Sample, Source
from hezhang.monitoring.parameters import check_values

# Which samples a month is judged on, best first: lab samples when there are any, else the station's daily
# means, else its hourly ones. Real-time and minute data are never averaged into an evaluation (they repeat
# what the hourly data already say, thousands of times).
EVALUATION_BASIS = (Interval.SAMPLE, Interval.DAY, Interval.HOUR)


def evaluation_kind(section) -> str:
    """The water body kind the standard distinguishes: rivers, or lakes and reservoirs (their own TP/TN limits)."""
    kind = section.water_body.kind
    if kind in ("lake", "pond"):
        return "lake"
    if kind == "reservoir":
        return "reservoir"
    return "river"


@dataclass
class Recorded:
    sample: Sample
    created: bool


def record_sample(
    section,
    taken_at: datetime.datetime,
    values: dict,
    *,
    source: str = Source.MANUAL,
    interval: str = Interval.SAMPLE,
    flags: dict | None = None,
    station=None,
    note: str = "",
    user=None,
    evaluate: bool = True,
    alert: bool = True,
    merge: bool = False,
) -> Recorded:
    """Store a sample; the same section, time and interval sent again with the same values is a no-op.

    Different values for a time that already has a sample are refused rather than overwriting what was accepted
    (a correction means deleting the old sample first, which leaves a trace in the admin log). With ``merge``
    (a station's message split over several packets), items the stored sample lacks are added to it.
    """
    taken_at = checked_time(taken_at, "taken_at", "采样时间")
    try:
        clean = check_values(values)
    except ValueError as exc:
        raise EntryError("values", str(exc)) from None
    if not clean:
        raise EntryError("values", "至少需要一个监测项目的数值")
    result = quality.classify(clean, evaluation_kind(section))
    sample = Sample(
        section=section,
        station=station,
        taken_at=taken_at,
        source=source,
        interval=interval,
        values=clean,
        flags=flags or {},
        item_classes=dict(result.item_classes),
        water_class=result.water_class,
        main_pollutants=list(result.main_pollutants),
        note=note[:200],
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            sample.save()
    except IntegrityError:
        existing = Sample.objects.filter(section=section, taken_at=taken_at, interval=interval).first()
        if existing is None:
            raise
        clash = {k for k, v in clean.items() if k in existing.values and existing.values[k] != v}
        if merge and not clash and not set(clean) <= set(existing.values):
            return Recorded(_merge(existing, clean, flags or {}, evaluate, alert), False)
        if existing.values != clean and not (merge and not clash):
            raise EntryError(
                "taken_at",
                f"该断面在 {timezone.localtime(taken_at):%Y-%m-%d %H:%M} 已有数据且数值不同；如需更正，请先删除原数据",
            ) from None
        return Recorded(existing, False)
    if alert:
        from hezhang.monitoring.alerts import check_sample

        check_sample(sample)
    if evaluate and interval in EVALUATION_BASIS:
        # Real-time and minute data never enter an evaluation: a station sending every 30 s costs no re-evaluation.
        refresh_evaluations(section, timezone.localtime(taken_at).date())
    return Recorded(sample, True)


def _merge(sample: Sample, values: dict, flags: dict, evaluate: bool, alert: bool) -> Sample:
    with transaction.atomic():
        sample = Sample.objects.select_for_update().get(pk=sample.pk)
        sample.values = {**sample.values, **values}
        sample.flags = {**sample.flags, **flags}
        result = quality.classify(sample.values, evaluation_kind(sample.section))
        sample.item_classes = dict(result.item_classes)
        sample.water_class = result.water_class
        sample.main_pollutants = list(result.main_pollutants)
        sample.save(update_fields=["values", "flags", "item_classes", "water_class", "main_pollutants"])
    if alert:
        from hezhang.monitoring.alerts import check_sample

        check_sample(sample)
    if evaluate and sample.interval in EVALUATION_BASIS:
        refresh_evaluations(sample.section, timezone.localtime(sample.taken_at).date())
    return sample


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _means(rows: list[dict]) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for values in rows:
        for key, value in values.items():
            sums[key] += value
            counts[key] += 1
    return {key: round(sums[key] / counts[key], 6) for key in sums}


def evaluation_row(
    section, period: str, start: datetime.date, values: dict, samples: int, basis: str
) -> Evaluation:
    """An (unsaved) evaluation of mean values against the section's target."""
    result = quality.classify(values, evaluation_kind(section)) if values else None
    water_class = result.water_class if result else None
    target = section.target_class
    return Evaluation(
        section=section,
        period=period,
        start=start,
        values=values,
        item_classes=dict(result.item_classes) if result else {},
        water_class=water_class,
        target_class=target,
        meets_target=None if water_class is None or target is None else water_class <= target,
        main_pollutants=list(result.main_pollutants) if result else [],
        samples=samples,
        basis=basis,
    )


def _store(section, period: str, start: datetime.date, values: dict, samples: int, basis: str) -> Evaluation:
    row = evaluation_row(section, period, start, values, samples, basis)
    fields = ["values", "item_classes", "water_class", "target_class", "meets_target", "main_pollutants"]
    evaluation, _ = Evaluation.objects.update_or_create(
        section=section,
        period=period,
        start=start,
        defaults={name: getattr(row, name) for name in [*fields, "samples", "basis"]},
    )
    return evaluation


def refresh_month(section, day: datetime.date) -> Evaluation | None:
    """Re-evaluate the month holding ``day`` from its samples; None (and no row) when it has none."""
    start = month_start(day)
    rows = Sample.objects.filter(
        section=section, taken_at__gte=_aware(start), taken_at__lt=_aware(_next_month(start))
    )
    for basis in EVALUATION_BASIS:
        values = list(rows.filter(interval=basis).values_list("values", flat=True))
        if values:
            return _store(section, Period.MONTH, start, _means(values), len(values), basis)
    Evaluation.objects.filter(section=section, period=Period.MONTH, start=start).delete()
    return None


def refresh_year(section, year: int) -> Evaluation | None:
    """A year is the mean of its monthly means (each month weighs the same, however often it was sampled)."""
    months = list(
        Evaluation.objects.filter(section=section, period=Period.MONTH, start__year=year).values_list(
            "values", "samples"
        )
    )
    start = datetime.date(year, 1, 1)
    if not months:
        Evaluation.objects.filter(section=section, period=Period.YEAR, start=start).delete()
        return None
    return _store(
        section,
        Period.YEAR,
        start,
        _means([values for values, _ in months]),
        sum(n for _, n in months),
        Interval.SAMPLE,
    )


def refresh_evaluations(section, day: datetime.date) -> Evaluation | None:
    from hezhang.monitoring.alerts import check_boundary

    month = refresh_month(section, day)
    refresh_year(section, day.year)
    if month is not None:
        check_boundary(section, month)
    return month
