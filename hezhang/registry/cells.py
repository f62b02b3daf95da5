"""Reading one cell of an imported file: text, yes/no, choices, coordinates, coordinate systems and geometries.

Cells arrive as whatever the file format gives: strings from CSV, numbers and dates from Excel and DBF, lists
and objects from GeoJSON. Each function turns one into what the kind's form expects, or raises RowError.
"""

import datetime
import functools
import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from hezhang.geo.coords import normalise_crs
from hezhang.registry.columns import Column, normalise_header


class RowError(Exception):
    """A cell that cannot be used; str(exc) says why."""


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ",".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


TRUE_WORDS = {"是", "true", "1", "y", "yes", "t", "√", "✓", "✔", "有", "对"}
FALSE_WORDS = {"否", "false", "0", "n", "no", "f", "×", "✗", "无", "不是", ""}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RowError(f"“{text}”应为 是 或 否")


@functools.cache
def _choice_table(column: Column) -> dict:
    """Stored value and label (Chinese or English), normalised like headers, to the stored value."""
    table = {}
    for option, label in column.choices:
        table[normalise_header(option)] = option
        table[normalise_header(label)] = option
    with translation.override("en"):
        for option, label in column.model_field.choices:
            table.setdefault(normalise_header(label), option)
    return table


def choice_value(column: Column, value) -> str:
    text = cell_text(value)
    if not text:
        return ""
    table = _choice_table(column)
    key = normalise_header(text)
    # "河流(river)", as the template's explanation writes the choices, is accepted too.
    inner = re.match(r"^(.*)\((.*)\)$", key)
    hit = table.get(key)
    if hit is None and inner:
        hit = table.get(inner.group(1)) or table.get(inner.group(2))
    if hit is None:
        allowed = "、".join(label for _, label in column.choices)
        raise RowError(f"“{text}”不是可选的值（可选：{allowed}）")
    return str(hit)


CRS_WORDS = {
    "高德": "gcj02",
    "腾讯": "gcj02",
    "火星": "gcj02",
    "百度": "bd09",
    "gps": "wgs84",
    "天地图": "wgs84",
}


def parse_crs(value) -> str:
    text = cell_text(value)
    if not text:
        return "wgs84"
    try:
        return normalise_crs(text)
    except ValueError:
        for word, crs in CRS_WORDS.items():
            if word in text.lower():
                return crs
    raise RowError(f"“{text}”不是支持的坐标系，应为 wgs84、gcj02 或 bd09")


def parse_degrees(value, name: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = cell_text(value).rstrip("°").strip()
    try:
        return float(text)
    except ValueError:
        raise RowError(f"{name}“{text}”不是数字（应为十进制度数，例如 114.5）") from None


def geometry_from_text(text: str) -> str:
    """GeoJSON text is passed on for the form to check; WKT is turned into GeoJSON first."""
    if text.startswith("{"):
        return text
    import shapely.wkt
    from shapely.errors import ShapelyError
    from shapely.geometry import mapping

    wkt = re.sub(r"^SRID=\d+;", "", text, flags=re.IGNORECASE)
    try:
        shape = shapely.wkt.loads(wkt)
    except (ShapelyError, ValueError, TypeError):
        raise RowError("几何既不是 GeoJSON 也不是 WKT") from None
    return json.dumps(mapping(shape))


def date_key(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = cell_text(value)
    try:
        return forms.DateField().clean(text).isoformat() if text else ""
    except ValidationError:
        return text
