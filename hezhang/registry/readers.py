"""Reading the files people bring: Excel (xlsx), CSV (UTF-8 or GBK), GeoJSON and zipped Shapefiles.

Every reader returns a Table: its header names and its records, each with the number people see (the Excel row,
or the feature's position from 1) and, for GeoJSON and Shapefile, the feature's geometry already in WGS84 lon/lat.
Problems with the file as a whole raise FileProblem with a message for the user.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from hezhang.geo.coords import map_coordinates

MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024


class FileProblem(Exception):
    """The file cannot be read at all; str(exc) is shown to the user."""


@dataclass
class Record:
    number: int
    values: dict
    geometry: dict | None = None


@dataclass
class Table:
    format: str
    headers: list
    records: list[Record]
    notes: list[str] = field(default_factory=list)
    truncated_headers: bool = False


def read_table(filename: str, content: bytes) -> Table:
    if len(content) > MAX_BYTES:
        raise FileProblem(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后分批导入")
    if not content.strip():
        raise FileProblem("文件是空的")
    suffix = PurePosixPath(filename.replace("\\", "/").lower()).suffix
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(content)
    if suffix == ".xls":
        raise FileProblem("不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 后再导入")
    if suffix in (".csv", ".txt"):
        return read_csv(content)
    if suffix in (".geojson", ".json"):
        return read_geojson(content)
    if suffix in (".shp", ".dbf", ".shx"):
        raise FileProblem("Shapefile 请把 .shp、.shx、.dbf（以及 .prj、.cpg）一起压缩成一个 .zip 文件上传")
    if suffix == ".zip" or (not suffix and content[:2] == b"PK"):
        return read_zip(content)
    if not suffix and content.lstrip()[:1] == b"{":
        return read_geojson(content)
    shown = suffix or filename
    raise FileProblem(
        f"不支持的文件类型“{shown}”：请使用 Excel (.xlsx)、CSV、GeoJSON 或 zip 压缩的 Shapefile"
    )


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _records_from_rows(rows, fmt: str) -> Table:
    """rows: (number, list of cells). The first row with any content holds the headers."""
    headers: list | None = None
    records = []
    for number, cells in rows:
        if headers is None:
            if all(_is_empty(c) for c in cells):
                continue
            headers = [str(c).strip() if c is not None else "" for c in cells]
            continue
        values = {h: cells[i] if i < len(cells) else None for i, h in enumerate(headers) if h}
        records.append(Record(number, values))
    if headers is None:
        raise FileProblem("文件中没有表头行")
    return Table(fmt, [h for h in headers if h], records)


def read_xlsx(content: bytes) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for damaged files
        raise FileProblem(f"无法读取 Excel 文件：{exc}") from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        rows = [(n, list(values)) for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    return _records_from_rows(rows, "xlsx")


def decode_text(content: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then GBK (read as GB18030, its superset)."""
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            raise FileProblem("文件标明为 UTF-8 编码，但其中有无法识别的字符") from None
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        raise FileProblem("无法识别文件编码：请保存为 UTF-8 或 GBK 编码") from None


def read_csv(content: bytes) -> Table:
    text, encoding = decode_text(content)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        rows = [
            (n, row)
            for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)
        ]
    except csv.Error as exc:
        raise FileProblem(f"CSV 格式错误：{exc}") from None
    table = _records_from_rows(rows, "csv")
    table.notes.append(f"文本编码：{encoding}")
    return table


# GeoJSON --------------------------------------------------------------------------------------------------------


def _crs_name(data: dict) -> str | None:
    crs = data.get("crs")
    if not isinstance(crs, dict):
        return None
    name = (crs.get("properties") or {}).get("name")
    return str(name) if name else None


def read_geojson(content: bytes) -> Table:
    text, _encoding = decode_text(content)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"不是有效的 GeoJSON：{exc.msg}（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    if not isinstance(data, dict):
        raise FileProblem("GeoJSON 应为 FeatureCollection")
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise FileProblem("FeatureCollection 缺少 features 数组")
    elif data.get("type") == "Feature":
        features = [data]
    else:
        raise FileProblem("GeoJSON 应为 FeatureCollection（或单个 Feature），其中每个要素的属性对应一行")
    transform, note = _transformer(_crs_name(data))
    headers: dict[str, None] = {}
    records = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            feature = {}
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        for key in properties:
            headers.setdefault(str(key), None)
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict):
            geometry = None
        if geometry is not None and transform is not None:
            geometry = _safe_transform(geometry, transform)
        records.append(Record(number, {str(k): v for k, v in properties.items()}, geometry))
    table = Table("geojson", list(headers), records)
    if note:
        table.notes.append(note)
    return table


# Coordinate systems ---------------------------------------------------------------------------------------------


def _transformer(crs_text: str | None):
    """A function moving GeoJSON geometries to WGS84 lon/lat, or None when the data is already there."""
    if not crs_text:
        return None, ""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        source = CRS.from_user_input(crs_text)
    except CRSError:
        raise FileProblem("无法识别坐标系定义（.prj 或 crs）") from None
    if _is_lon_lat(source):
        return None, ""
    transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)
    return (
        lambda geometry: _transform_geometry(geometry, transformer)
    ), f"坐标已从 {source.name} 转换为 WGS84 经纬度"


def _is_lon_lat(crs) -> bool:
    """Geographic WGS84 or CGCS2000 (the same to well within a metre): nothing to transform."""
    if not crs.is_geographic:
        return False
    if crs.to_epsg() in (4326, 4490) or crs.name in ("WGS 84", "CGCS2000"):
        return True
    ellipsoid = (crs.ellipsoid.name if crs.ellipsoid else "").upper()
    return ("WGS" in ellipsoid and "84" in ellipsoid) or "GRS" in ellipsoid or "CGCS" in ellipsoid


def _transform_geometry(geometry: dict, transformer) -> dict:
    if not geometry.get("coordinates"):
        return geometry
    try:
        return map_coordinates(geometry, transformer.transform)
    except ValueError:  # an unsupported type: the row validation names it
        return geometry


def _safe_transform(geometry: dict, transform) -> dict:
    # A malformed geometry is left as it is: validating the row explains what is wrong with it.
    try:
        return transform(geometry)
    except (TypeError, ValueError, IndexError, KeyError):
        return geometry


# Shapefile ------------------------------------------------------------------------------------------------------

CPG_ALIASES = {
    "936": "gb18030",
    "cp936": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "gb18030": "gb18030",
    "ansi936": "gb18030",
    "65001": "utf-8",
    "utf8": "utf-8",
    "utf-8": "utf-8",
}


def read_zip(content: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise FileProblem("zip 文件已损坏，无法打开") from None
    with archive:
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return read_xlsx(content)
        if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise FileProblem("压缩包解压后过大")
        members = {
            n.lower(): n
            for n in names
            if "__macosx" not in n.lower() and not PurePosixPath(n).name.startswith(".")
        }
        shps = sorted(n for n in members if n.endswith(".shp"))
        if not shps:
            raise FileProblem("压缩包中没有 .shp 文件：Shapefile 需要 .shp、.shx、.dbf（以及 .prj）")
        if len(shps) > 1:
            shown = "、".join(PurePosixPath(members[n]).name for n in shps)
            raise FileProblem(f"压缩包中有多个 Shapefile（{shown}），请每次只导入一个")
        stem = shps[0][:-4]

        def part(ext):
            name = members.get(stem + ext)
            return archive.read(name) if name else None

        parts = {ext: part(ext) for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")}
    if parts[".dbf"] is None:
        raise FileProblem("压缩包中缺少 .dbf 属性文件")
    return read_shapefile(parts)


def _dbf_encodings(cpg: bytes | None, dbf: bytes) -> list[str]:
    if cpg and cpg.strip():
        label = cpg.decode("ascii", "ignore").strip().lower().replace(" ", "").replace("_", "-")
        label = CPG_ALIASES.get(label, CPG_ALIASES.get(label.replace("-", ""), label))
        return [label]
    # Without a .cpg, the DBF language driver byte 0x4D says GB2312; otherwise try UTF-8, then GBK.
    if len(dbf) > 29 and dbf[29] == 0x4D:
        return ["gb18030", "utf-8"]
    return ["utf-8", "gb18030"]


def read_shapefile(parts: dict) -> Table:
    import shapefile

    transform, note = _transformer(parts[".prj"].decode("utf-8", "ignore").strip() if parts[".prj"] else None)
    last_error = None
    for encoding in _dbf_encodings(parts[".cpg"], parts[".dbf"]):
        try:
            reader = shapefile.Reader(
                shp=io.BytesIO(parts[".shp"]),
                shx=io.BytesIO(parts[".shx"]) if parts[".shx"] else None,
                dbf=io.BytesIO(parts[".dbf"]),
                encoding=encoding,
            )
            headers = [f.name for f in reader.fields if f.name != "DeletionFlag"]
            rows = [(sr.shape, sr.record.as_dict()) for sr in reader.iterShapeRecords()]
        except LookupError:
            last_error = f"不认识 .cpg 中的编码“{encoding}”"
            continue
        except (shapefile.ShapefileException, UnicodeDecodeError, ValueError, OSError) as exc:
            last_error = str(exc)
            continue
        records = []
        for number, (shape, values) in enumerate(rows, start=1):
            geometry = _shape_geometry(shape)
            if geometry is not None and transform is not None:
                geometry = _safe_transform(geometry, transform)
            records.append(Record(number, values, geometry))
        shown = {"gb18030": "GBK", "utf-8": "UTF-8"}.get(encoding, encoding)
        table = Table("shapefile", headers, records, [f"DBF 文本编码：{shown}"], truncated_headers=True)
        if note:
            table.notes.append(note)
        return table
    raise FileProblem(f"无法读取 Shapefile：{last_error}")


def _shape_geometry(shape) -> dict | None:
    if shape is None or shape.shapeType == 0:
        return None
    try:
        geometry = shape.__geo_interface__
    except Exception:  # pyshp refuses shapes it cannot express as GeoJSON
        return None
    # Tuples to lists, so the geometry is plain JSON.
    geometry = json.loads(json.dumps(geometry))
    if not geometry.get("coordinates"):
        return None
    return geometry
