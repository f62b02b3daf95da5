"""Importing a file of registry records: every row goes through the kind's form, and the file is all or nothing.

Rows are validated and saved one after the other inside one transaction (so a row may refer to a record created
by an earlier row, such as a township's parent county); every bad row is reported, and if there is any, or if
it is a dry run, the transaction is rolled back and nothing at all is written. A row whose natural key (code,
username, region + name …) matches a record in the user's jurisdiction updates it; otherwise a record is created.
"""

import datetime
import json
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from hezhang.accounts.jurisdiction import can_edit, visible
from hezhang.accounts.models import User
from hezhang.history.context import acting_as
from hezhang.registry import models as m
from hezhang.registry.cells import (
    RowError,
    cell_text,
    choice_value,
    date_key,
    geometry_from_text,
    is_empty,
    parse_bool,
    parse_crs,
    parse_degrees,
)
from hezhang.registry.columns import GEOMETRY_LABEL, Column, Spec, match_headers, spec_for
from hezhang.registry.natural_keys import LIST_SEPARATORS, Resolver
from hezhang.registry.readers import FileProblem, read_table

PREVIEW_ROWS = 20
POINT_LABEL = "经度/纬度"
FEATURE_GEOMETRY_LABEL = "几何"


@dataclass
class Problem:
    number: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [f"第 {self.number} 行"] if self.number is not None else []
        if self.column:
            parts.append(str(self.column))
        parts.append(self.message)
        return ": ".join(parts)


@dataclass
class PreviewRow:
    number: int
    action: str
    cells: list[str]


@dataclass
class Result:
    kind: object
    filename: str
    dry_run: bool
    format: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: int = 0
    headers: list[str] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> int:
        return len({p.number for p in self.problems if p.number is not None})

    @property
    def summary(self) -> str:
        if not self.ok:
            rows = f"{self.bad_rows} 行有错误，" if self.bad_rows else ""
            return f"{rows}共 {len(self.problems)} 处问题：没有写入任何数据"
        if self.dry_run:
            return f"试运行通过：将新建 {self.created} 条，更新 {self.updated} 条（尚未写入）"
        return f"已导入：新建 {self.created} 条，更新 {self.updated} 条"

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] + self.notes + [self.summary]


def run_import(kind, filename: str, content: bytes, user=None, dry_run: bool = False) -> Result:
    """Import a file for `kind` as `user` (None: the command line without --user, no jurisdiction limit)."""
    spec = spec_for(kind)
    if spec is None:
        raise LookupError(f"{kind.slug} cannot be imported")
    result = Result(kind=kind, filename=filename, dry_run=dry_run)
    try:
        table = read_table(filename, content)
    except FileProblem as exc:
        result.problems.append(Problem(None, None, str(exc)))
        return result
    result.format = table.format
    result.notes.extend(table.notes)
    Importer(spec, user, result).run(table)
    return result


# The import itself ----------------------------------------------------------------------------------------------


@dataclass
class Entry:
    number: int
    cells: dict
    geometry: dict | None
    key: tuple = ()


class OutOfJurisdiction(Exception):
    pass


class Importer:
    def __init__(self, spec: Spec, user, result: Result):
        self.spec = spec
        self.user = user
        self.result = result
        self.form_class = spec.form_class
        self.model = spec.kind.model
        self.labels = {c.name: c.label for c in spec.columns}
        self.labels.update(password1="密码", password2="密码", crs="坐标系")
        self.regions: dict[int, m.Region] = {}

    def problem(self, number, column, message) -> None:
        self.result.problems.append(Problem(number, column, str(message)))

    # File level

    def run(self, table) -> None:
        mapping, unknown, doubled = match_headers(self.spec, table.headers, table.truncated_headers)
        if unknown:
            self.result.notes.append("已忽略无法识别的列：" + "、".join(unknown))
        for first, second, column in doubled:
            self.problem(None, column.label, f"列“{first}”和“{second}”是同一字段，只能保留一个")
        self.probe = self.form_class(user=self.user)
        present = {c.name for c in mapping.values()}
        for name in self.spec.required_names(self.probe):
            if name not in present:
                column = self.spec.column(name)
                self.problem(None, column.label, f"缺少必填列“{column.label}”（也可写作 {column.name}）")
        if ("lon" in present) != ("lat" in present):
            self.problem(None, POINT_LABEL, "经度和纬度两列需同时提供")
        if self.result.problems:
            return
        self.present = [c for c in mapping.values() if not c.is_geo]
        self.present_names = present
        self.result.headers = [c.label for c in mapping.values()]
        if any(r.geometry is not None for r in table.records):
            self.result.headers.append(FEATURE_GEOMETRY_LABEL)
        self.resolver = Resolver(self.probe, self.user)

        entries = []
        for record in table.records:
            cells = {mapping[h].name: v for h, v in record.values.items() if h in mapping}
            if all(is_empty(v) for v in cells.values()) and record.geometry is None:
                self.result.skipped += 1
                continue
            entries.append(Entry(record.number, cells, record.geometry))
        if not entries:
            self.problem(None, None, "文件中没有数据行")
            return
        self.preview_numbers = {e.number for e in entries[:PREVIEW_ROWS]}
        entries = self.without_duplicates(entries)
        self.scope = self.model._default_manager.all()
        if self.user is not None:
            self.scope = visible(self.scope, self.user)
        self.known = self.prefetch_existing(entries)

        with acting_as(self.user, "import"), transaction.atomic():
            for entry in self.in_parent_order(entries):
                self.import_row(entry)
            if self.result.problems or self.result.dry_run:
                transaction.set_rollback(True)
        order = {label: i for i, label in enumerate(self.result.headers)}
        self.result.problems.sort(key=lambda p: (p.number or 0, order.get(p.column, len(order))))
        self.result.preview.sort(key=lambda r: r.number)
        self.result.committed = not self.result.problems and not self.result.dry_run

    def without_duplicates(self, entries: list[Entry]) -> list[Entry]:
        first_seen: dict[tuple, int] = {}
        kept = []
        for entry in entries:
            parts = []
            for name in self.spec.key:
                column = self.spec.column(name)
                value = entry.cells.get(name)
                parts.append(date_key(value) if column.type == "date" else cell_text(value))
            entry.key = tuple(parts)
            if any(parts) and entry.key in first_seen:
                label = self.labels[self.spec.key[0]]
                self.problem(
                    entry.number, label, f"与第 {first_seen[entry.key]} 行重复（同一条记录只能出现一次）"
                )
                continue
            first_seen.setdefault(entry.key, entry.number)
            kept.append(entry)
        return kept

    def in_parent_order(self, entries: list[Entry]) -> list[Entry]:
        """A row whose parent is another row of the file comes after that row."""
        if not self.spec.parent or self.spec.parent not in self.present_names:
            return entries
        by_key = {e.key[0]: e for e in entries if e.key and e.key[0]}
        ordered, placed = [], set()
        for entry in entries:
            chain, current = [], entry
            while current is not None and current.number not in placed and current not in chain:
                chain.append(current)
                current = by_key.get(cell_text(current.cells.get(self.spec.parent)))
            for item in reversed(chain):
                placed.add(item.number)
                ordered.append(item)
        return ordered

    # Row level

    def convert(self, column: Column, raw, region=None) -> dict:
        name, kind = column.name, column.type
        if kind in ("bool", "choice") and is_empty(raw) and not getattr(column.model_field, "blank", True):
            return {}  # not given: an existing record keeps its value, a new one gets the default
        if kind == "bool":
            return {name: parse_bool(raw)}
        if kind == "choice":
            return {name: choice_value(column, raw)}
        if kind == "number":
            plain = isinstance(raw, int | float) and not isinstance(raw, bool)
            return {name: raw if plain else cell_text(raw)}
        if kind == "date":
            return {name: raw if isinstance(raw, datetime.date) else cell_text(raw)}
        if kind == "fk":
            text = cell_text(raw)
            return {name: self.resolver.find(column, text, region) if text else ""}
        if kind == "m2m":
            items = raw if isinstance(raw, list) else LIST_SEPARATORS.split(cell_text(raw))
            pks, missing = [], []
            for text in (cell_text(i) for i in items):
                if text:
                    try:
                        pks.append(self.resolver.find(column, text))
                    except RowError:
                        missing.append(text)
            if missing:
                raise RowError(self.resolver.not_found(column, "、".join(missing)))
            return {name: pks}
        if kind == "password":
            text = "" if raw is None else cell_text(raw)
            return {"password1": text, "password2": text}
        return {name: cell_text(raw)}

    def existing(self, data: dict, failed: set[str]):
        """The record the row's natural key names, if there is one in the user's jurisdiction."""
        if failed & set(self.spec.key):
            return None
        filters = {}
        for name in self.spec.key:
            column = self.spec.column(name)
            value = data.get(name)
            if value in (None, ""):
                if not getattr(column.model_field, "null", False):
                    return None
                filters[name] = None
            elif column.type == "date":
                try:
                    filters[name] = forms.DateField().clean(value)
                except ValidationError:
                    return None
            else:
                filters[name] = value
        if self.known is not None:
            return self.known.get(filters[self.spec.key[0]])
        return self.scope.filter(**filters).first()

    def prefetch_existing(self, entries: list[Entry]) -> dict | None:
        """Records already there, found in a few queries when one text column (code, username) is the key.

        Keys are unique within the file, so no row can create a record that another row's key would find.
        """
        name = self.spec.key[0]
        if len(self.spec.key) != 1 or self.spec.column(name).type != "text":
            return None
        keys = sorted({e.key[0] for e in entries if e.key and e.key[0]})
        known = {}
        for start in range(0, len(keys), 500):
            for obj in self.scope.filter(**{f"{name}__in": keys[start : start + 500]}):
                known[getattr(obj, name)] = obj
        return known

    def region_of_row(self, data: dict, instance):
        region_id = data.get("region") or getattr(instance, "region_id", None)
        if not region_id and data.get("plan"):
            region_id = (
                m.RiverPlan.objects.filter(pk=data["plan"])
                .values_list("water_body__region", flat=True)
                .first()
            )
        if region_id and region_id not in self.regions:
            self.regions[region_id] = m.Region.objects.filter(pk=region_id).first()
        return self.regions.get(region_id)

    def geometry(self, entry: Entry, data: dict, add) -> str:
        """Put the row's geometry into the form data; returns the label its errors are reported under."""
        cells, geometry, label = entry.cells, None, GEOMETRY_LABEL
        try:
            crs = parse_crs(cells.get("crs"))
        except RowError as exc:
            add("坐标系", exc)
            crs = "wgs84"
        if entry.geometry is not None:
            label, geometry = FEATURE_GEOMETRY_LABEL, entry.geometry
            coords = geometry.get("coordinates")
            if self.spec.is_point_kind and geometry.get("type") == "MultiPoint" and len(coords or []) == 1:
                geometry = {"type": "Point", "coordinates": coords[0]}
            geometry = json.dumps(geometry)
        elif not is_empty(cells.get("geometry")):
            try:
                geometry = geometry_from_text(cell_text(cells["geometry"]))
            except RowError as exc:
                add(label, exc)
                return label
        elif "lon" in cells or "lat" in cells:
            label = POINT_LABEL
            lon, lat = cells.get("lon"), cells.get("lat")
            if is_empty(lon) and is_empty(lat):
                pass
            elif is_empty(lon) or is_empty(lat):
                add(label, "经度和纬度需同时填写")
            else:
                try:
                    point = [parse_degrees(lon, "经度"), parse_degrees(lat, "纬度")]
                    geometry = json.dumps({"type": "Point", "coordinates": point})
                except RowError as exc:
                    add(label, exc)
        if geometry is not None:
            data["geometry"], data["crs"] = geometry, crs
        else:
            # No geometry in this row: a new record has none, an existing one keeps its own (stored in WGS84).
            data["crs"] = "wgs84"
        return label

    def label_of(self, form_field: str, geometry_label: str | None) -> str | None:
        if form_field == "geometry":
            return geometry_label
        if form_field == "__all__":
            return None
        return self.labels.get(form_field, form_field)

    def import_row(self, entry: Entry) -> None:
        errors: dict[str | None, list[str]] = {}

        def add(label, message):
            errors.setdefault(label, []).append(str(message))

        failed: set[str] = set()
        data, later = {}, []
        for column in self.present:
            if column.related is m.Department:
                later.append(column)  # found by name within the row's region, known after the other columns
                continue
            try:
                data.update(self.convert(column, entry.cells.get(column.name)))
            except RowError as exc:
                failed.add(column.name)
                add(column.label, exc)
        instance = self.existing(data, failed)
        region = self.region_of_row(data, instance) if later else None
        for column in later:
            try:
                data.update(self.convert(column, entry.cells.get(column.name), region))
            except RowError as exc:
                add(column.label, exc)

        form_data = dict(data)
        geometry_label = self.geometry(entry, form_data, add) if self.spec.kind.has_geometry else None
        form = self.form_class(form_data, instance=instance, user=self.user)
        for bound in form:
            # What the file does not say keeps the record's value (or, for a new record, the default).
            if bound.name not in form_data:
                form_data[bound.name] = bound.field.prepare_value(bound.initial)
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = self.label_of(name, geometry_label)
                if label in errors and label is not None:
                    continue  # the cell was already explained; the form only repeats it as "invalid choice"
                for message in messages:
                    add(label, message)
        if errors:
            for label, messages in errors.items():
                for message in dict.fromkeys(messages):
                    self.problem(entry.number, label, message)
            return
        try:
            with transaction.atomic():
                saved = form.save(commit=False)
                if instance is None and self.model is User and not form.cleaned_data.get("password1"):
                    saved.set_unusable_password()
                saved.save()
                form.save_m2m()
                if self.user is not None and not can_edit(self.user, saved):
                    raise OutOfJurisdiction
        except OutOfJurisdiction:
            self.problem(entry.number, None, "保存后该记录将不在您的管辖范围内")
            return
        except (DatabaseError, ValidationError) as exc:
            self.problem(entry.number, None, f"保存失败：{exc}")
            return
        if instance is None:
            self.result.created += 1
        else:
            self.result.updated += 1
        if entry.number in self.preview_numbers:
            action = "更新" if instance else "新建"
            self.result.preview.append(PreviewRow(entry.number, action, self.preview_cells(entry)))

    def preview_cells(self, entry: Entry) -> list[str]:
        cells = []
        for header_column in self.result_columns():
            value = entry.cells.get(header_column.name)
            text = "••••" if header_column.type == "password" and not is_empty(value) else cell_text(value)
            cells.append(text if len(text) <= 60 else text[:57] + "…")
        if self.result.headers and self.result.headers[-1] == FEATURE_GEOMETRY_LABEL:
            cells.append(entry.geometry.get("type", "") if entry.geometry else "")
        return cells

    def result_columns(self) -> list[Column]:
        by_label = {c.label: c for c in self.spec.columns}
        return [by_label[label] for label in self.result.headers if label in by_label]
