"""Importing lab results and hydrological records from xlsx or CSV, all or nothing, with a reason for each bad cell.

A samples file has a section code column, a sampling time column and one column per parameter (its key, e.g.
``NH3N``, or its Chinese name, with or without a unit: ``氨氮(mg/L)``). A readings file has a station code, an
observation time and any of water level, flow and rainfall. Rows already imported with the same values are
skipped, so a file can be imported twice without harm.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from hezhang.accounts.jurisdiction import visible
from hezhang.monitoring.entry import EntryError
from hezhang.monitoring.models import Interval, Source, Station
from hezhang.monitoring.parameters import PARAMETERS
from hezhang.monitoring.quality import parse_value
from hezhang.monitoring.sampling import record_sample, refresh_evaluations
from hezhang.monitoring.stations import record_reading
from hezhang.registry.importing import Problem
from hezhang.registry.models import Section
from hezhang.registry.readers import FileProblem, read_table

SECTION_HEADERS = {"断面编码", "断面代码", "section", "section_code", "code"}
STATION_HEADERS = {"测站编码", "站点编码", "监测站编码", "station", "station_code", "code"}
TIME_HEADERS = {"采样时间", "监测时间", "观测时间", "时间", "日期", "taken_at", "observed_at", "time", "date"}
NOTE_HEADERS = {"备注", "note"}
READING_HEADERS = {
    "water_level": {"水位", "水位(m)", "水位（米）", "water_level"},
    "flow": {"流量", "流量(m3/s)", "流量（立方米每秒）", "flow"},
    "rainfall": {"雨量", "雨量(mm)", "雨量（毫米）", "降雨量", "rainfall"},
}
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)


@dataclass
class Outcome:
    filename: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    columns: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if not self.ok:
            rows = len({p.number for p in self.problems if p.number is not None})
            lead = f"{rows} 行有错误，" if rows else ""
            return f"{lead}共 {len(self.problems)} 处问题：没有写入任何数据"
        tail = f"，{self.unchanged} 条与已有数据相同已跳过" if self.unchanged else ""
        if self.dry_run:
            return f"试运行通过：将新增 {self.created} 条{tail}（尚未写入）"
        return f"已导入：新增 {self.created} 条{tail}"


def _norm(header) -> str:
    return re.sub(r"\s+", "", str(header or "")).strip()


def parameter_for(header: str) -> str | None:
    """A column's parameter key: the key itself (any case), or the Chinese name with an optional unit."""
    text = _norm(header)
    bare = re.sub(r"[(（].*[)）]$", "", text)
    for key, parameter in PARAMETERS.items():
        if bare.lower() == key.lower() or bare == parameter.name or text == parameter.name:
            return key
    return None


def parse_time(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time(9))
    else:
        text = str(value or "").strip()
        if not text:
            raise ValueError("时间不能为空")
        for fmt in TIME_FORMATS:
            try:
                moment = datetime.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            try:
                moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f"无法识别的时间“{text}”，请用 2026-05-01 09:30 的格式") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _find(headers: list, names: set) -> str | None:
    lowered = {n.lower() for n in names}
    for header in headers:
        if _norm(header).lower() in lowered:
            return header
    return None


def _read(filename: str, content: bytes, outcome: Outcome):
    try:
        return read_table(filename, content)
    except FileProblem as exc:
        outcome.problems.append(Problem(None, None, str(exc)))
        return None


def _place_and_time(record, by_code: dict, code_col: str, time_col: str, what: str, outcome: Outcome):
    """The row's section or station (by code, within the user's jurisdiction) and its time; None after noting why."""
    code = str(record.values.get(code_col) or "").strip()
    place = by_code.get(code)
    if place is None:
        outcome.problems.append(
            Problem(record.number, code_col, f"找不到{what}“{code}”，或不在您的管辖范围内")
        )
        return None
    try:
        return place, parse_time(record.values.get(time_col))
    except ValueError as exc:
        outcome.problems.append(Problem(record.number, time_col, str(exc)))
        return None


def _write_all(outcome: Outcome, rows: list, write, after=None) -> Outcome:
    """Write every row in one transaction; any refused row, or a dry run, rolls all of them back.

    ``write(row)`` stores one row and says whether it was new; ``after()`` runs inside the transaction once all
    rows are in (re-evaluating the months they touched)."""
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    created = write(row)
                except EntryError as exc:
                    outcome.problems.append(Problem(row[0], None, exc.message))
                    continue
                if created:
                    outcome.created += 1
                else:
                    outcome.unchanged += 1
            if outcome.problems or outcome.dry_run:
                raise _Rollback
            if after is not None:
                after()
    except _Rollback:
        return outcome
    outcome.committed = True
    return outcome


def import_samples(filename: str, content: bytes, user=None, dry_run: bool = False) -> Outcome:
    outcome = Outcome(filename, dry_run)
    table = _read(filename, content, outcome)
    if table is None:
        return outcome
    code_col = _find(table.headers, SECTION_HEADERS)
    time_col = _find(table.headers, TIME_HEADERS)
    note_col = _find(table.headers, NOTE_HEADERS)
    if code_col is None:
        outcome.problems.append(Problem(None, None, "缺少“断面编码”列"))
    if time_col is None:
        outcome.problems.append(Problem(None, None, "缺少“采样时间”列"))
    params = {h: parameter_for(h) for h in table.headers if h not in (code_col, time_col, note_col)}
    unknown = [h for h, key in params.items() if key is None and _norm(h)]
    for header in unknown:
        outcome.problems.append(
            Problem(None, header, "不是可识别的监测项目（请用 NH3N 这样的代码或“氨氮”这样的名称）")
        )
    outcome.columns = [params[h] for h in params if params[h]]
    if outcome.problems:
        return outcome
    sections = (
        visible(Section.objects.select_related("water_body", "region"), user)
        if user
        else (Section.objects.select_related("water_body", "region"))
    )
    by_code = {
        s.code: s
        for s in sections.filter(code__in={str(r.values.get(code_col) or "").strip() for r in table.records})
    }
    rows = []
    for record in table.records:
        found = _place_and_time(record, by_code, code_col, time_col, "断面", outcome)
        if found is None:
            continue
        section, taken_at = found
        values, flags = {}, {}
        for header, key in params.items():
            if not key:
                continue
            raw = record.values.get(header)
            if raw is None or str(raw).strip() == "":
                continue
            try:
                value, flag = parse_value(raw)
            except ValueError as exc:
                outcome.problems.append(Problem(record.number, header, str(exc)))
                continue
            values[key] = value
            if flag:
                flags[key] = flag
        note = str(record.values.get(note_col) or "") if note_col else ""
        rows.append((record.number, section, taken_at, values, flags, note))
    if outcome.problems:
        return outcome
    touched: set[tuple[int, datetime.date]] = set()
    by_pk = {row[1].pk: row[1] for row in rows}

    def write(row) -> bool:
        _, section, taken_at, values, flags, note = row
        done = record_sample(
            section,
            taken_at,
            values,
            source=Source.IMPORT,
            interval=Interval.SAMPLE,
            flags=flags,
            note=note,
            user=user,
            evaluate=False,
            alert=not dry_run,
        )
        if done.created:
            touched.add((section.pk, timezone.localtime(taken_at).date().replace(day=1)))
        return done.created

    def evaluate() -> None:
        for pk, month in sorted(touched):
            refresh_evaluations(by_pk[pk], month)

    return _write_all(outcome, rows, write, evaluate)


def import_readings(filename: str, content: bytes, user=None, dry_run: bool = False) -> Outcome:
    outcome = Outcome(filename, dry_run)
    table = _read(filename, content, outcome)
    if table is None:
        return outcome
    code_col = _find(table.headers, STATION_HEADERS)
    time_col = _find(table.headers, TIME_HEADERS)
    value_cols = {field: _find(table.headers, names) for field, names in READING_HEADERS.items()}
    if code_col is None:
        outcome.problems.append(Problem(None, None, "缺少“测站编码”列"))
    if time_col is None:
        outcome.problems.append(Problem(None, None, "缺少“观测时间”列"))
    if not any(value_cols.values()):
        outcome.problems.append(Problem(None, None, "缺少“水位”“流量”“雨量”列（至少一列）"))
    if outcome.problems:
        return outcome
    outcome.columns = [f for f, col in value_cols.items() if col]
    stations = visible(Station.objects.select_related("region"), user) if user else Station.objects.all()
    by_code = {s.code: s for s in stations}
    rows = []
    for record in table.records:
        found = _place_and_time(record, by_code, code_col, time_col, "监测站", outcome)
        if found is None:
            continue
        station, observed_at = found
        values = {}
        for field_name, col in value_cols.items():
            raw = record.values.get(col) if col else None
            if raw is None or str(raw).strip() == "":
                continue
            try:
                values[field_name] = float(raw)
            except (TypeError, ValueError):
                outcome.problems.append(Problem(record.number, col, f"不是数值：{raw}"))
        rows.append((record.number, station, observed_at, values))
    if outcome.problems:
        return outcome

    def write(row) -> bool:
        _, station, observed_at, values = row
        return record_reading(station, observed_at, source=Source.IMPORT, alert=not dry_run, **values)[1]

    return _write_all(outcome, rows, write)


class _Rollback(Exception):
    pass
