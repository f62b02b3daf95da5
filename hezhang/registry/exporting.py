"""Exports (xlsx, GeoJSON) and import templates (xlsx, CSV) for each registry kind.

An exported workbook has exactly the columns of the import template, with related records as natural keys, so it
can be edited and imported again; re-importing it unchanged changes nothing.
"""

import csv
import io
import json

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from hezhang.accounts.models import User
from hezhang.registry import models as m
from hezhang.registry.columns import Column, Spec
from hezhang.registry.natural_keys import natural_key

XLSX_CELL_LIMIT = 32767
DATA_SHEET = "数据"
HELP_SHEET = "说明"


def rows_for_export(spec: Spec, queryset):
    """The queryset with everything the natural keys need loaded up front."""
    related, many = [], []
    for column in spec.exported_columns:
        if column.type == "fk":
            model = column.related
            related.append(column.name)
            if model is m.Department:
                related.append(f"{column.name}__region")
            elif model is m.RiverPlan:
                related.append(f"{column.name}__water_body")
        elif column.type == "m2m":
            many.append(column.name)
    queryset = queryset.select_related(*related) if related else queryset
    return queryset.prefetch_related(*many) if many else queryset


def choice_label(column: Column, value) -> str:
    if value in (None, ""):
        return ""
    return next((label for option, label in column.choices if option == value), str(value))


def cell_value(column: Column, obj):
    """The value of a column for a record in a workbook: what a person would type in the template."""
    kind = column.type
    if kind in ("lon", "lat"):
        point = obj.point
        return point[0 if kind == "lon" else 1] if point else None
    if kind == "crs":
        return "wgs84" if obj.geometry else ""
    if kind == "geometry":
        return json.dumps(obj.geometry, ensure_ascii=False) if obj.geometry else ""
    if kind == "password":
        return ""
    value = getattr(obj, column.name)
    if kind == "fk":
        return natural_key(value)
    if kind == "m2m":
        return ",".join(natural_key(o) for o in sorted(value.all(), key=natural_key))
    if kind == "choice":
        return choice_label(column, value)
    if kind == "bool":
        return "是" if value else "否"
    if kind == "list":
        return ", ".join(map(str, value or []))
    return "" if value is None else value


def property_value(column: Column, obj):
    """The value of a column for a record in GeoJSON: stored codes for choices, natural keys for relations."""
    value = getattr(obj, column.name)
    if column.type == "fk":
        return natural_key(value) or None
    if column.type == "m2m":
        return sorted(natural_key(o) for o in value.all())
    if column.type == "date":
        return value.isoformat() if value else None
    if column.type == "list":
        return list(value or [])
    return value


def _text_cell(sheet, value):
    """A cell whose text is never taken for a formula, with characters xlsx cannot hold removed."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value


def _widths(sheet, labels):
    for i, label in enumerate(labels, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(label) * 2 + 4))


def _data_book(columns) -> tuple:
    """A workbook whose first sheet has the import template's header row, so exports import back unchanged."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    sheet.freeze_panes = "A2"
    _widths(sheet, [c.label for c in columns])
    sheet.append([_header_cell(sheet, c.label) for c in columns])
    return book, sheet


def export_xlsx(spec: Spec, queryset) -> bytes:
    columns = spec.exported_columns
    book, sheet = _data_book(columns)
    too_long = []
    for obj in rows_for_export(spec, queryset).iterator(chunk_size=1000):
        values = [cell_value(c, obj) for c in columns]
        for i, value in enumerate(values):
            if isinstance(value, str) and len(value) > XLSX_CELL_LIMIT:
                # Too long for one Excel cell: left empty, which on import means "keep the stored value".
                values[i] = ""
                too_long.append(f"{natural_key_text(spec, obj)}：{columns[i].label}")
        sheet.append([_text_cell(sheet, v) for v in values])
    if too_long:
        notes = book.create_sheet(HELP_SHEET)
        notes.append(
            ["以下单元格超过 Excel 单元格长度上限，已留空（重新导入时保留原值）；完整数据请导出 GeoJSON"]
        )
        for line in too_long:
            notes.append([line])
    return _save(book)


def natural_key_text(spec: Spec, obj) -> str:
    parts = []
    for name in spec.key:
        value = getattr(obj, name)
        parts.append(natural_key(value) if hasattr(value, "_meta") else str(value or ""))
    return "/".join(p for p in parts if p)


def export_geojson(spec: Spec, queryset) -> bytes:
    columns = [c for c in spec.exported_columns if not c.is_geo and c.type != "password"]
    features = []
    for obj in rows_for_export(spec, queryset).iterator(chunk_size=1000):
        properties = {c.name: property_value(c, obj) for c in columns}
        features.append(
            {
                "type": "Feature",
                "id": obj.pk,
                "geometry": getattr(obj, "geometry", None),
                "properties": properties,
            }
        )
    body = {"type": "FeatureCollection", "name": spec.kind.slug, "features": features}
    return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")


# Templates ------------------------------------------------------------------------------------------------------


def _header_cell(sheet, label):
    cell = WriteOnlyCell(sheet, label)
    cell.font = Font(bold=True)
    cell.data_type = "s"
    return cell


def example_row(spec: Spec) -> list:
    return [spec.examples.get(c.name, "") for c in spec.exported_columns]


def template_xlsx(spec: Spec, required: set[str]) -> bytes:
    columns = spec.exported_columns
    book, sheet = _data_book(columns)
    sheet.append([_text_cell(sheet, v) for v in example_row(spec)])

    notes = book.create_sheet(HELP_SHEET)
    for letter, width in zip("ABCD", (22, 18, 8, 90), strict=True):
        notes.column_dimensions[letter].width = width
    notes.append([_header_cell(notes, h) for h in ("列名", "英文字段名", "必填", "填写说明")])
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in columns:
        row = [column.label, column.name, "是" if column.name in required else "", column.help]
        cells = []
        for value in row:
            cell = WriteOnlyCell(notes, value)
            cell.alignment = wrap
            cells.append(cell)
        notes.append(cells)
    notes.append([])
    for line in general_notes(spec):
        notes.append([line])
    return _save(book)


def general_notes(spec: Spec) -> list[str]:
    key = "、".join(spec.column(name).label for name in spec.key)
    lines = [
        "第一行是列名，请不要修改；第二行是示例，导入前请删除或改写。也可以用英文字段名作列名。",
        f"按“{key}”识别已有记录：已存在的记录会被更新，不存在的会被新建；同一文件中不能重复。",
        "整个文件要么全部导入，要么一条也不导入：只要有一行有错误，就不会写入任何数据，并列出每个错误的行号和原因。",
        "相关记录用编码填写：行政区填 12 位区划代码，水体、河段、网格填编码，人员填用户名。",
        "文件格式：Excel (.xlsx)、CSV（UTF-8 或 GBK 编码）、GeoJSON、zip 压缩的 Shapefile（.shp/.shx/.dbf/.prj）。",
    ]
    if spec.is_point_kind:
        lines.append(
            "位置用“经度”“纬度”两列（十进制度数），“坐标系”列说明坐标来源：" + spec.column("crs").help + "。"
        )
    elif spec.kind.has_geometry:
        lines.append(
            f"几何填在“{spec.column('geometry').label}”列（GeoJSON 或 WKT），“坐标系”列说明坐标来源："
            + spec.column("crs").help
            + "。GeoJSON 和 Shapefile 文件直接使用要素的几何；Shapefile 的 .prj 为投影坐标时自动转换为经纬度。"
        )
    if spec.kind.model is User:
        lines.append("密码可不填：新建的用户将暂时不能用密码登录，由管理员之后设置。")
    return lines


def template_csv(spec: Spec) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in spec.exported_columns])
    writer.writerow(example_row(spec))
    # With a BOM, Excel opens the UTF-8 file with the Chinese intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
