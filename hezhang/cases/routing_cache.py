"""Per-process cache of what routing reads, so routing a case costs (almost) no queries.

`snapshot()` returns a `Snapshot` of the routing data, never changed once built: one ReachIndex over every
reach (lake zones as their boundary rings, plus a containment test), the region, water body and grid
polygons, the assets that have an owning department, and small dicts for offices, departments and chief
assignments. The one thing added later is the user row of a chief, read the first time a case goes to them
(a province has tens of thousands of chiefs). Model instances are made fresh for every answer from stored
field values, so callers can keep or change them freely; their geometry is left deferred (loaded on
access) rather than held twice in memory.

Invalidation, cheap and correct across processes:

* a registry version, read in one SQL statement: the largest history Change id (every tracked save and
  delete adds a row) and the largest id and row count of each table routing reads (bulk-created rows, like
  the demo's, write no Change rows). Read at most once every HEZHANG_ROUTING_CACHE_SECONDS (a setting, or
  else an environment variable; default 5); 0 reads it on every call, a negative value turns the cache off;
* a generation counter bumped by this process's own saves and deletes of those models (and again when
  their transaction commits), so a change is seen at once by the process that made it;
* inside a transaction (a request's atomic block, or a test, which is rolled back afterwards) the version
  is read on every call, since this connection may see rows that other connections do not.

Assignments are filtered by today's date at each call, so none becomes current or ends a day late.

The stored bounding boxes are used the way the SQL filters of the uncached lookups use them, so answers
match those lookups exactly. A point the snapshot cannot answer the same way (a record whose geometry the
snapshot could not read, a reach whose stored box misses its line, a row missing after a concurrent change)
raises `Unanswerable`, and the caller asks the database instead.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.db.models.base import DEFERRED
from django.db.models.signals import post_delete, post_save
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from shapely.geometry import shape

from hezhang.env import envfloat
from hezhang.geo.spatial import ReachIndex, metres_per_degree
from hezhang.history.models import Change
from hezhang.registry.models import (
    Asset,
    ChiefAssignment,
    Department,
    Grid,
    Office,
    Reach,
    Region,
    WaterBody,
)
from hezhang.registry.models.regions import PREFIX_LENGTH

__all__ = ["Snapshot", "Unanswerable", "invalidate", "registry_version", "snapshot"]

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 5.0
ASSET_RADIUS_M = 30.0  # a nearby asset's owner is proposed first (hezhang.cases.routing.department_for)
CONTAINING_RADIUS_M = 1.0  # the SQL box of the uncached containment lookups

# Tables whose rows routing reads; saves and deletes of these bump the generation.
WATCHED = (Region, Grid, WaterBody, Reach, Office, Department, ChiefAssignment, Asset)
_GEO = ("geometry", "min_lon", "min_lat", "max_lon", "max_lat")


class Unanswerable(Exception):
    """The snapshot cannot answer this point exactly as the database would; ask the database."""


# --- version and invalidation ---------------------------------------------------------------------------

_generations = itertools.count(1)
_lock = threading.Lock()


class _State:
    snapshot: Snapshot | None = None
    generation = 0
    checked_at = -math.inf  # monotonic time the snapshot's version was last confirmed
    failed: tuple | None = None  # (version, generation) whose build raised: do not retry it


def _bump(**kwargs: Any) -> None:
    _State.generation = next(_generations)


def _changed(sender, using=None, **kwargs) -> None:
    _bump()
    # Seen again once committed: a rebuild in between (by another thread) may have missed the new row.
    try:
        transaction.on_commit(_bump, using=using)
    except TransactionManagementError:  # manual transaction management: the next version check sees it
        pass


for _model in WATCHED:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"routing-cache-save-{_model._meta.label}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"routing-cache-delete-{_model._meta.label}")


def invalidate() -> None:
    """Make the next call rebuild (for code that changes routing data without saving models one by one)."""
    _bump()


_version_sql: dict[str, str] = {}


def _version_statement(alias: str) -> str:
    sql = _version_sql.get(alias)
    if sql is None:
        qn = connections[alias].ops.quote_name
        columns, tables = [], []
        for i, model in enumerate((Change, *WATCHED)):
            pk, table = qn(model._meta.pk.column), qn(model._meta.db_table)
            if model is Change:
                # Change rows are only ever added, so the largest id moves with every one.
                tables.append(f"(SELECT MAX({pk}) AS m FROM {table}) v{i}")
                columns.append(f"v{i}.m")
            else:
                tables.append(f"(SELECT MAX({pk}) AS m, COUNT(*) AS n FROM {table}) v{i}")
                columns += [f"v{i}.m", f"v{i}.n"]
        sql = _version_sql[alias] = f"SELECT {', '.join(columns)} FROM {' CROSS JOIN '.join(tables)}"
    return sql


def registry_version(alias: str | None = None) -> tuple:
    """One SQL statement: what changes whenever a row routing reads is added, changed or deleted."""
    alias = alias or router.db_for_read(Reach)
    with connections[alias].cursor() as cursor:
        cursor.execute(_version_statement(alias))
        return tuple(cursor.fetchone())


_clock = time.monotonic


def _in_transaction(alias: str) -> bool:
    return connections[alias].in_atomic_block


def _seconds() -> float:
    """settings.HEZHANG_ROUTING_CACHE_SECONDS, else the environment variable of that name, else 5."""
    value = getattr(settings, "HEZHANG_ROUTING_CACHE_SECONDS", None)
    if value is None:
        return envfloat("HEZHANG_ROUTING_CACHE_SECONDS", DEFAULT_SECONDS)
    return float(value)


def snapshot() -> Snapshot | None:
    """The current snapshot, rebuilt if the registry changed; None when the cache is off or cannot be built."""
    seconds = _seconds()
    if seconds < 0:
        return None
    alias = router.db_for_read(Reach)
    strict = seconds == 0 or _in_transaction(alias)
    current = _State.snapshot
    generation = _State.generation
    fresh = current is not None and current.generation == generation and current.alias == alias
    if fresh and not strict and _clock() - _State.checked_at < seconds:
        return current
    version = registry_version(alias)
    if fresh and current.version == version:
        _State.checked_at = _clock()
        return current
    if _State.failed == (version, generation):
        return None
    # Stale: rebuild under the lock. Unless exactness is required, keep answering from the old snapshot
    # while another thread builds the new one.
    if not _lock.acquire(blocking=strict or current is None or current.alias != alias):
        return current
    try:
        current = _State.snapshot
        if (
            current is not None
            and current.alias == alias
            and current.version == version
            and current.generation == _State.generation
        ):
            return current
        generation = _State.generation  # read before the data, so a change during the build is not lost
        try:
            built = Snapshot.build(alias, version, generation)
        except Exception:
            log.exception("routing cache: cannot build; routing reads the database")
            _State.failed = (version, generation)
            return None
        _State.snapshot = built
        _State.checked_at = _clock()
        _State.failed = None
        return built
    finally:
        _lock.release()


# --- building -------------------------------------------------------------------------------------------


def _rows(model, alias: str, queryset=None):
    """(field names, rows of every concrete field) in the model's default order, as instances would load."""
    names = [f.attname for f in model._meta.concrete_fields]
    qs = model._default_manager.db_manager(alias).all() if queryset is None else queryset
    return names, qs.values_list(*names).iterator(chunk_size=2000)


class _Records:
    """Stored field values of one model by id, and fresh instances made from them."""

    def __init__(self, model, alias: str) -> None:
        self.model = model
        self.alias = alias
        self.values: dict[int, tuple] = {}

    def add(self, pk: int, values: tuple) -> None:
        self.values[pk] = values

    def __contains__(self, pk) -> bool:
        return pk in self.values

    def make(self, pk):
        values = self.values.get(pk)
        if values is None:
            raise Unanswerable(f"{self.model._meta.label} {pk} not in the snapshot")
        return self.model.from_db(self.alias, None, values)


class _Boxes:
    """Row numbers by stored bounding box, with the same inclusive comparisons as the SQL prefilter."""

    def __init__(self, bounds: list[tuple[float, float, float, float]]) -> None:
        b = np.asarray(bounds, dtype=np.float64).reshape(-1, 4)
        self.lo_x, self.lo_y, self.hi_x, self.hi_y = (np.ascontiguousarray(b[:, i]) for i in range(4))
        self.tree = shapely.STRtree(shapely.box(b[:, 0], b[:, 1], b[:, 2], b[:, 3])) if len(b) else None
        if self.tree is not None:
            self.tree.query(shapely.box(0.0, 0.0, 0.0, 0.0))  # build the tree now, not in a reader's thread

    def overlapping(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        if self.tree is None:
            return np.empty(0, dtype=np.intp)
        rows = self.tree.query(shapely.box(x0, y0, x1, y1))
        if rows.size:
            keep = (self.lo_x[rows] <= x1) & (self.hi_x[rows] >= x0)
            keep &= (self.lo_y[rows] <= y1) & (self.hi_y[rows] >= y0)
            rows = rows[keep]
            rows.sort()  # row number is the default-order rank
        return rows


class _Layer:
    """Polygons found through their stored boxes; `bad` rows (unreadable geometry) make a point unanswerable."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.bounds: list[tuple] = []
        self.geoms: list[Any] = []
        self.bad: list[bool] = []
        self.extra: list[Any] = []

    def add(self, pk: int, bounds: tuple, geometry: Any, extra: Any = None) -> None:
        try:
            geom = shape(geometry)
            bad = geom is None
        except Exception:
            geom, bad = None, True
        self.ids.append(pk)
        self.bounds.append(bounds)
        self.geoms.append(geom)
        self.bad.append(bad)
        self.extra.append(extra)

    def freeze(self) -> _Layer:
        self.ids_array = np.asarray(self.ids, dtype=np.int64)
        self.geoms_array = np.empty(len(self.geoms), dtype=object)
        self.geoms_array[:] = self.geoms
        self.bad_array = np.asarray(self.bad, dtype=bool)
        self.any_bad = bool(self.bad_array.any())
        good = self.geoms_array[~self.bad_array]
        if good.size:
            shapely.prepare(good)
        self.boxes = _Boxes(self.bounds)
        del self.bounds, self.geoms, self.bad
        return self

    def candidates(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        rows = self.boxes.overlapping(x0, y0, x1, y1)
        if self.any_bad and rows.size and self.bad_array[rows].any():
            raise Unanswerable("a record near this point has a geometry the snapshot could not read")
        return rows


def _usable(values: list, at: dict[str, int]) -> bool:
    """Whether the uncached lookups' SQL (a bbox filter, geometry not null) can return this row."""
    return values[at["geometry"]] is not None and all(values[at[k]] is not None for k in _GEO[1:])


def _kind(geometry: Any) -> Any:
    try:
        return geometry["type"]
    except Exception:
        return None


def _reach_lines(geometry: dict) -> Any:
    """What the uncached nearest_reach measures distances to: the line, or a lake zone's boundary rings."""
    if "Polygon" in geometry["type"]:
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        return [_compact(ring) for polygon in polygons for ring in polygon]
    coords = geometry["coordinates"]
    try:
        one_part = len(coords) > 0 and np.ndim(coords[0]) == 1
    except Exception:
        return coords
    return _compact(coords) if one_part else [_compact(part) for part in coords]


def _compact(part: Any) -> Any:
    """One part as the float array ReachIndex would make of it, so the JSON lists can go at once.

    Left as it is when ReachIndex would refuse it, so that it still does.
    """
    try:
        xy = np.asarray(part, dtype=np.float64)
    except Exception:
        return part
    if xy.ndim != 2 or xy.shape[1] < 2:
        return part
    return np.ascontiguousarray(xy[:, :2])


def _reach_index(lines: list[tuple[int, Any]]) -> tuple[ReachIndex, set[int]]:
    """The index over every reach, and the reaches ReachIndex refuses (kept out, their points unanswerable)."""
    try:
        return ReachIndex(lines), set()
    except Exception:
        bad = set()
        for pk, coords in lines:
            try:
                ReachIndex([(pk, coords)])
            except Exception:
                bad.add(pk)
        return ReachIndex([(pk, c) for pk, c in lines if pk not in bad]), bad


class Snapshot:
    """Everything route() reads, for one registry version; only chiefs' user rows are added after build()."""

    @classmethod
    def build(cls, alias: str, version: tuple, generation: int) -> Snapshot:
        self = cls()
        self.alias, self.version, self.generation = alias, version, generation
        started = time.perf_counter()

        def deferred(values: list, at: dict[str, int]) -> tuple:
            values[at["geometry"]] = DEFERRED
            return tuple(values)

        # Regions: all of them (offices, departments and ancestors refer to any), the drawn ones as polygons.
        self.regions = _Records(Region, alias)
        self.region_layer = _Layer()
        self.region_by_code: dict[str, tuple[int, int]] = {}
        names, rows = _rows(Region, alias)
        at = {n: names.index(n) for n in (*_GEO, "id", "code", "level")}
        for row in rows:
            values = list(row)
            pk = values[at["id"]]
            self.region_by_code[values[at["code"]]] = (pk, values[at["level"]])
            if _usable(values, at):
                geometry = values[at["geometry"]]
                self.region_layer.add(
                    pk, tuple(values[at[k]] for k in _GEO[1:]), geometry, values[at["level"]]
                )
                if _kind(geometry) not in ("Polygon", "MultiPolygon"):  # RegionIndex would refuse it
                    self.region_layer.bad[-1] = True
            self.regions.add(pk, deferred(values, at))
        self.region_layer.freeze()
        self.region_levels = np.asarray(self.region_layer.extra, dtype=np.int64)

        # Water bodies: all (reaches refer to any), the polygons among the drawn ones for containment.
        self.water_bodies = _Records(WaterBody, alias)
        self.water_layer = _Layer()
        names, rows = _rows(WaterBody, alias)
        at = {n: names.index(n) for n in (*_GEO, "id", "area_km2")}
        for row in rows:
            values = list(row)
            pk = values[at["id"]]
            if _usable(values, at):
                geometry = values[at["geometry"]]
                try:
                    polygon = "Polygon" in geometry["type"]
                except Exception:
                    polygon = True  # unreadable: the uncached lookup would fail on it, so must this one
                if polygon:
                    bounds = tuple(values[at[k]] for k in _GEO[1:])
                    self.water_layer.add(pk, bounds, geometry, values[at["area_km2"]] or 0)
            self.water_bodies.add(pk, deferred(values, at))
        self.water_layer.freeze()

        # Grids: drawn polygons only (nothing else refers to a grid).
        self.grids = _Records(Grid, alias)
        self.grid_layer = _Layer()
        names, rows = _rows(Grid, alias)
        at = {n: names.index(n) for n in (*_GEO, "id")}
        for row in rows:
            values = list(row)
            if not _usable(values, at):
                continue
            geometry = values[at["geometry"]]
            try:
                polygon = "Polygon" in geometry["type"]
            except Exception:
                polygon = True
            if polygon:
                pk = values[at["id"]]
                self.grid_layer.add(pk, tuple(values[at[k]] for k in _GEO[1:]), geometry)
                self.grids.add(pk, deferred(values, at))
        self.grid_layer.freeze()

        # Reaches: every drawn one in the distance index; lake zones also as polygons for containment.
        self.reaches = _Records(Reach, alias)
        self.reach_layer = _Layer()
        self.reach_bounds: dict[int, tuple] = {}
        self.reach_links: dict[int, tuple[int, int]] = {}
        lines: list[tuple[int, Any]] = []
        unreadable: list[tuple[int, tuple]] = []
        names, rows = _rows(Reach, alias)
        at = {n: names.index(n) for n in (*_GEO, "id", "water_body_id", "region_id")}
        for row in rows:
            values = list(row)
            if not _usable(values, at):
                continue
            pk = values[at["id"]]
            geometry = values[at["geometry"]]
            bounds = tuple(values[at[k]] for k in _GEO[1:])
            try:
                polygon = "Polygon" in geometry["type"]
                lines.append((pk, _reach_lines(geometry)))
            except Exception:
                unreadable.append((pk, bounds))
                continue
            if polygon:
                self.reach_layer.add(pk, bounds, geometry)
            self.reach_bounds[pk] = bounds
            self.reach_links[pk] = (values[at["water_body_id"]], values[at["region_id"]])
            self.reaches.add(pk, deferred(values, at))
        self.reach_layer.freeze()
        self.reach_index, refused = _reach_index(lines)
        unreadable += [(pk, self.reach_bounds[pk]) for pk in refused]
        self.unreadable_reaches = _Boxes([b for _, b in unreadable]) if unreadable else None
        del lines

        # Offices: by region code, the last of a code winning as in the uncached dict; the top one.
        self.offices = _Records(Office, alias)
        self.office_by_code: dict[str, int] = {}
        self.office_region: dict[int, int] = {}
        names, rows = _rows(Office, alias)
        at = {n: names.index(n) for n in ("id", "region_id")}
        code_of = {pk: code for code, (pk, _level) in self.region_by_code.items()}
        for row in rows:
            pk, region_id = row[at["id"]], row[at["region_id"]]
            self.offices.add(pk, tuple(row))
            self.office_region[pk] = region_id
            if region_id in code_of:
                self.office_by_code[code_of[region_id]] = pk
        top = (
            Office.objects.db_manager(alias)
            .order_by("region__level", "region__code")
            .values_list("id", flat=True)
            .first()
        )
        self.top_office_id = top

        # Departments: by (region code, kind) as (default-order rank, region level, id).
        self.departments = _Records(Department, alias)
        self.department_region: dict[int, int] = {}
        self.departments_by_kind: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
        names, rows = _rows(Department, alias)
        at = {n: names.index(n) for n in ("id", "region_id", "kind")}
        level_of = {pk: level for _code, (pk, level) in self.region_by_code.items()}
        for rank, row in enumerate(rows):
            pk, region_id = row[at["id"]], row[at["region_id"]]
            self.departments.add(pk, tuple(row))
            self.department_region[pk] = region_id
            if region_id in code_of:
                key = (code_of[region_id], row[at["kind"]])
                self.departments_by_kind.setdefault(key, []).append((rank, level_of[region_id], pk))

        # Assets with an owning department, by stored box; their point, name and department.
        asset_bounds: list[tuple] = []
        self.assets: list[tuple[Any, Any, str, int] | None] = []
        for geometry, name, department_id, *bounds in (
            Asset.objects.db_manager(alias)
            .exclude(department=None)
            .values_list("geometry", "name", "department_id", *_GEO[1:])
            .iterator(chunk_size=2000)
        ):
            if geometry is None or any(b is None for b in bounds):
                continue
            try:
                ax, ay = geometry["coordinates"][:2]
                entry = (ax, ay, name, department_id)
            except Exception:
                entry = None
            asset_bounds.append(tuple(bounds))
            self.assets.append(entry)
        self.asset_boxes = _Boxes(asset_bounds)

        # Chief assignments, every one with its dates: which are current is decided at each call.
        self.assignments_by_reach: dict[int, list[tuple]] = {}
        self.assignments_by_water: dict[int, list[tuple]] = {}
        for reach_id, water_body_id, level, chief_id, start, end in (
            ChiefAssignment.objects.db_manager(alias)
            .order_by()
            .values_list("reach_id", "water_body_id", "level", "chief_id", "start_date", "end_date")
            .iterator(chunk_size=5000)
        ):
            entry = (level, chief_id, start, end)
            if reach_id is None:
                self.assignments_by_water.setdefault(water_body_id, []).append(entry)
            else:
                self.assignments_by_reach.setdefault(reach_id, []).append(entry)
        # Chiefs' user rows are read when first routed to (a province has tens of thousands), then kept.
        self.chiefs = _Records(get_user_model(), alias)

        self.build_seconds = time.perf_counter() - started
        log.info("routing cache: built version %s in %.2f s", version, self.build_seconds)
        return self

    def at(self, lon: float, lat: float) -> Lookup:
        return Lookup(self, lon, lat)

    # Fresh instances, with the relations the uncached queries select_related() already loaded.

    def region(self, pk: int) -> Region:
        return self.regions.make(pk)

    def water_body(self, pk: int) -> WaterBody:
        water_body = self.water_bodies.make(pk)
        _WATER_REGION.set_cached_value(water_body, self.region(water_body.region_id))
        return water_body

    def reach(self, pk: int) -> Reach:
        reach = self.reaches.make(pk)
        water_body_id, region_id = self.reach_links[pk]
        _REACH_WATER.set_cached_value(reach, self.water_body(water_body_id))
        _REACH_REGION.set_cached_value(reach, self.region(region_id))
        return reach

    def office(self, pk: int) -> Office:
        office = self.offices.make(pk)
        _OFFICE_REGION.set_cached_value(office, self.region(self.office_region[pk]))
        return office

    def department(self, pk: int) -> Department:
        department = self.departments.make(pk)
        _DEPARTMENT_REGION.set_cached_value(department, self.region(self.department_region[pk]))
        return department

    def codes_up_to(self, region: Region) -> list[str]:
        """As [r.code for r in region.ancestors()] + [region.code]."""
        found = []
        for level, n in PREFIX_LENGTH.items():
            if level < region.level:
                hit = self.region_by_code.get(region.code[:n].ljust(12, "0"))
                if hit is not None:
                    found.append((hit[1], region.code[:n].ljust(12, "0")))
        found.sort(key=lambda item: item[0])
        return [code for _level, code in found] + [region.code]


_WATER_REGION = WaterBody._meta.get_field("region")
_REACH_WATER = Reach._meta.get_field("water_body")
_REACH_REGION = Reach._meta.get_field("region")
_OFFICE_REGION = Office._meta.get_field("region")
_DEPARTMENT_REGION = Department._meta.get_field("region")


class Lookup:
    """Routing lookups for one point, answered from a snapshot as the uncached functions answer them."""

    def __init__(self, snap: Snapshot, lon: float, lat: float) -> None:
        self.snap, self.lon, self.lat = snap, lon, lat
        self.kx, self.ky = metres_per_degree(lat)

    def _box(self, radius_m: float) -> tuple[float, float, float, float]:
        # The same arithmetic as routing._near, so boundary cases compare the same way.
        dx, dy = radius_m / self.kx, radius_m / self.ky
        return self.lon - dx, self.lat - dy, self.lon + dx, self.lat + dy

    def nearest_reach(self, radius_m: float) -> tuple[Reach, float] | None:
        snap, lon, lat = self.snap, self.lon, self.lat
        x0, y0, x1, y1 = box = self._box(radius_m)
        if snap.unreadable_reaches is not None and snap.unreadable_reaches.overlapping(*box).size:
            raise Unanswerable("a reach near this point has a geometry the snapshot could not read")
        layer = snap.reach_layer
        rows = layer.candidates(*box)
        if rows.size:
            inside = rows[shapely.contains_xy(layer.geoms_array[rows], lon, lat)]
            if inside.size:
                return snap.reach(int(layer.ids_array[inside[0]])), 0.0
        # Ties (the same distance to two reaches) go to the smaller id.
        found = snap.reach_index.nearest(lon, lat, radius_m, k=2)
        if not found:
            return None
        pk, distance = found[0]
        r_x0, r_y0, r_x1, r_y1 = snap.reach_bounds[pk]
        if not (r_x0 <= x1 and r_x1 >= x0 and r_y0 <= y1 and r_y1 >= y0):
            raise Unanswerable(f"reach {pk}: its stored bounding box does not cover its line")
        return snap.reach(pk), distance

    def smallest_water_body(self) -> WaterBody | None:
        layer = self.snap.water_layer
        rows = layer.candidates(*self._box(CONTAINING_RADIUS_M))
        if not rows.size:
            return None
        hits = rows[shapely.intersects_xy(layer.geoms_array[rows], self.lon, self.lat)]
        if not hits.size:
            return None
        best = min(hits.tolist(), key=lambda r: (layer.extra[r], r))
        return self.snap.water_body(int(layer.ids_array[best]))

    def containing_region(self) -> Region | None:
        layer = self.snap.region_layer
        rows = layer.candidates(*self._box(CONTAINING_RADIUS_M))
        if not rows.size:
            return None
        hits = rows[shapely.intersects_xy(layer.geoms_array[rows], self.lon, self.lat)]
        if not hits.size:
            return None
        levels, ids = self.snap.region_levels, layer.ids_array
        best = min(hits.tolist(), key=lambda r: (-levels[r], ids[r]))
        return self.snap.region(int(ids[best]))

    def grid(self) -> Grid | None:
        layer = self.snap.grid_layer
        rows = layer.candidates(*self._box(CONTAINING_RADIUS_M))
        if not rows.size:
            return None
        hits = rows[shapely.intersects_xy(layer.geoms_array[rows], self.lon, self.lat)]
        return self.snap.grids.make(int(layer.ids_array[hits[0]])) if hits.size else None

    def top_office(self) -> Office | None:
        pk = self.snap.top_office_id
        return None if pk is None else self.snap.office(pk)

    def office_for(self, region: Region) -> Office | None:
        for code in reversed(self.snap.codes_up_to(region)):
            pk = self.snap.office_by_code.get(code)
            if pk is not None:
                return self.snap.office(pk)
        return None

    def department_for(self, category, region: Region) -> tuple[Department | None, str]:
        snap, lon, lat = self.snap, self.lon, self.lat
        rows = snap.asset_boxes.overlapping(*self._box(ASSET_RADIUS_M))
        best = None
        kx, ky = self.kx, self.ky
        for row in rows.tolist():
            asset = snap.assets[row]
            if asset is None:
                raise Unanswerable("an asset near this point has a geometry the snapshot could not read")
            ax, ay = asset[0], asset[1]
            d = math.hypot((ax - lon) * kx, (ay - lat) * ky)
            if d <= ASSET_RADIUS_M and (best is None or d < best[1]):
                best = (asset, d)
        if best is not None:
            return snap.department(best[0][3]), f"附近部件“{best[0][2]}”的权属部门"
        if category is None or not category.department_kind:
            return None, ""
        kind = category.department_kind
        candidates = [
            entry
            for code in set(snap.codes_up_to(region))
            for entry in snap.departments_by_kind.get((code, kind), ())
        ]
        if not candidates:
            return None, ""
        _rank, _level, pk = min(candidates, key=lambda e: (-e[1], e[0]))
        return snap.department(pk), "按问题类别"

    def responsible_chiefs(self, reach: Reach | None, water_body: WaterBody | None) -> list:
        if water_body is None:
            return []
        snap = self.snap
        rows = list(snap.assignments_by_water.get(water_body.pk, ()))
        if reach is not None:
            rows += snap.assignments_by_reach.get(reach.pk, ())
        day = timezone.localdate()
        current = [
            (level, chief)
            for level, chief, start, end in rows
            if start <= day and (end is None or end >= day)
        ]
        if not current:
            return []
        lowest = max(level for level, _chief in current)
        pks = sorted({chief for level, chief in current if level == lowest})
        missing = [pk for pk in pks if pk not in snap.chiefs]
        if missing:
            model = snap.chiefs.model
            names, rows = _rows(
                model, snap.alias, model._default_manager.db_manager(snap.alias).filter(pk__in=missing)
            )
            pk_at = names.index(model._meta.pk.attname)
            for row in rows:
                snap.chiefs.add(row[pk_at], tuple(row))  # a benign race: two threads store the same row
        return [snap.chiefs.make(pk) for pk in pks]
