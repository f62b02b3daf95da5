"""`hezhang water-quality classify FILE`: class each sample of a CSV by GB 3838-2002, one JSON line a row.

Labs and offices check a batch of results before importing it.  The file is UTF-8 (with or without a BOM) or GBK,
as Excel writes it on a Chinese Windows.  Its header names the columns ``id``, ``kind`` (river, lake or reservoir;
河流, 湖泊, 水库 also do) and any of the Table 1 keys (pH, DO, CODMn, COD, BOD5, NH3N, TP, TN, Cu, …), matched
without regard to case.  Other columns are named once on stderr and otherwise ignored.

Each row prints {"id", "kind", "items": {key: class}, "reference": [keys classed for reference only], "class"
(1..6, 6 = worse than V, null without an evaluated item), "status", "main_pollutants", "exceedance": {key:
multiple against class III, to 2 decimals}, "below_detection": [keys]}, or {"id", "row", "error"} for a row that
cannot be classed (rows are numbered as in a spreadsheet, the header being row 1).  Bad rows do not change the
exit status; an unreadable file does.

Cells: blank means the item was not measured.  Values are read by quality.parse_value: "<0.01" and "0.01L"
(below the detection limit) count as half the limit, a bare "ND" (未检出) as 0, "> x" is refused.  A pH cannot
be below detection; a negative value is refused for every item but water temperature.  Row errors are written
in Chinese, for the lab staff who fix them.
"""

import codecs
import csv
import io
import json
import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hezhang.monitoring.quality import KINDS, PARAMETERS, classify, parse_value

KIND_ALIASES = {
    "河流": "river",
    "河": "river",
    "湖泊": "lake",
    "湖": "lake",
    "水库": "reservoir",
    "库": "reservoir",
}


def decode(data: bytes, name: str) -> str:
    """The text of a UTF-8 (BOM or not) or GBK file; CommandError otherwise."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encodings = ["utf-8"]
    else:
        encodings = ["utf-8", "gbk"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{name}: the file is neither UTF-8 nor GBK text")


def read_cell(text: str, key: str) -> tuple[float | None, bool]:
    """A cell's value (None when blank) and whether it was below detection; ValueError for a bad cell."""
    if not text.strip():
        return None, False
    try:
        value, flag = parse_value(text)
    except ValueError as exc:
        raise ValueError(f"{key}：{exc}") from None
    direction = PARAMETERS[key].direction
    if flag and direction == "range":
        raise ValueError(f"{key}：pH 不会低于检出限（“{text.strip()}”）")
    if value < 0 and direction != "special":
        raise ValueError(f"{key}：“{text.strip()}”为负数")
    return value, flag is not None


def read_kind(text: str) -> str | None:
    text = unicodedata.normalize("NFKC", text).strip()
    kind = KIND_ALIASES.get(text, text.lower())
    return kind if kind in KINDS else None


class Command(BaseCommand):
    help = "Class water quality samples by GB 3838-2002: a CSV in, one JSON line a row out."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        classify_parser = sub.add_parser("classify", help="class each row of a CSV (UTF-8 or GBK)")
        classify_parser.add_argument(
            "file", help="CSV with columns id, kind and Table 1 keys (pH, DO, CODMn, …)"
        )

    def handle(self, *args, action, **options):
        self.classify_file(options["file"])

    def classify_file(self, path: str) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
        rows = csv.reader(io.StringIO(decode(data, path), newline=""))
        header = next(rows, None)
        if header is None:
            raise CommandError(f"{path}: the file is empty")
        columns = self.read_header(header, path)
        for number, row in enumerate(rows, start=2):
            if any(cell.strip() for cell in row):
                record = self.classify_row(row, columns, len(header), number)
                self.stdout.write(json.dumps(record, ensure_ascii=False))

    def read_header(self, header: list[str], path: str) -> dict[int, str]:
        """Column index → "id", "kind" or a Table 1 key; unknown columns are reported once on stderr."""
        keys = {key.lower(): key for key in PARAMETERS} | {"id": "id", "kind": "kind"}
        columns: dict[int, str] = {}
        unknown = []
        for index, name in enumerate(header):
            name = unicodedata.normalize("NFKC", name).strip()
            key = keys.get(name.lower())
            if key is None:
                if name:
                    unknown.append(name)
                continue
            if key in columns.values():
                raise CommandError(f"{path}: the column {key} appears twice in the header")
            columns[index] = key
        missing = [key for key in ("id", "kind") if key not in columns.values()]
        if missing:
            raise CommandError(
                f"{path}: the header needs the columns id and kind; missing {', '.join(missing)} "
                f"(found: {', '.join(header)})"
            )
        if unknown:
            self.stderr.write(
                f"{path}: ignored columns (not GB 3838-2002 Table 1 keys): {', '.join(unknown)}"
            )
        return columns

    def classify_row(self, row: list[str], columns: dict[int, str], width: int, number: int) -> dict:
        cells = {key: row[index] if index < len(row) else "" for index, key in columns.items()}
        sample_id = unicodedata.normalize("NFKC", cells.pop("id")).strip()
        kind_text = cells.pop("kind")
        problems = []
        if not sample_id:
            problems.append("缺少 id")
        kind = read_kind(kind_text)
        if kind is None:
            problems.append(f"kind“{kind_text.strip()}”应为 river、lake 或 reservoir（河流、湖泊、水库）")
        extra = [cell for cell in row[width:] if cell.strip()]
        if extra:
            problems.append(f"比表头多出 {len(extra)} 个单元格")
        values: dict[str, float] = {}
        below_detection = []
        for key, text in cells.items():
            try:
                value, below = read_cell(text, key)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if value is not None:
                values[key] = value
            if below:
                below_detection.append(key)
        if kind is not None and not problems:
            try:
                result = classify(values, kind)
            except ValueError as exc:
                problems.append(str(exc))
        if problems or kind is None:
            return {"id": sample_id, "row": number, "error": "；".join(problems)}
        return {
            "id": sample_id,
            "kind": kind,
            "items": dict(result.item_classes),
            "reference": list(result.reference),
            "class": result.water_class,
            "status": result.status,
            "main_pollutants": list(result.main_pollutants),
            "exceedance": {key: round(multiple, 2) for key, multiple in result.exceedance.items()},
            "below_detection": [key for key in PARAMETERS if key in below_detection],
        }
