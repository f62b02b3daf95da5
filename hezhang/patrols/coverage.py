"""Which stretches of a reach lie within a buffer of a patrol track: the geometry behind coverage.

Coverage is the share of the reach within `buffer_m` of the track taken as a
polyline.  Every fix is a sample, and segments longer than `buffer_m / 2`
get extra samples; the reach length within `buffer_m` of each sample (a disk
meets a segment in one interval) is unioned.  Between samples the union of
disks falls short of the true buffer by at most 1.6 m at 50 m, and keeping
every fix keeps the track's corners, which matter more: resampling that cut
them was off by over 3 percentage points on noisy walks near the buffer's
edge.  The reach is simplified by SIMPLIFY_M first (fewer, longer segments),
with measures mapped back to the original line.  Candidate (sample, segment)
pairs come from a grid the prepared reach keeps, so the work grows with the
length of track near the reach.

Geometry happens in a local equirectangular frame per reach, centred on it
(affine in lon/lat, so GeoJSON's straight segments stay straight).  Pure
numpy (shapely only to simplify a reach once, when it is prepared); no Django.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from hezhang.geo.spatial import metres_per_degree

__all__ = ["SIMPLIFY_M", "ReachLine", "samples_along", "to_local"]

FloatArray = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex128]


def to_local(lonlat: ComplexArray, lon0: float, lat0: float, kx: float, ky: float) -> ComplexArray:
    """lon/lat (as complex) to metres east + 1j * north of (lon0, lat0)."""
    out = lonlat - complex(lon0, lat0)
    out.view(np.float64).reshape(-1, 2)[:] *= (kx, ky)
    return out


@dataclass(frozen=True, slots=True)
class _Grid:
    """Segments near each cell, in CSR form: cell c lists entries[start[c]:start[c + 1]]."""

    origin: FloatArray  # reach-frame x, y of the corner of cell (0, 0)
    inv_cell: float
    top: FloatArray  # largest column and row, as floats for np.clip
    weights: FloatArray  # (rows, 1): a cell's (column, row) to its number
    start: npt.NDArray[np.int32]
    entries: npt.NDArray[np.intp]


# Cells per grid at most; a longer reach gets larger cells (more candidates
# per query) rather than a grid of several megabytes that every cached
# ReachLine would hold.
_MAX_CELLS = 1 << 17
# Grid cells of half the buffer: smaller cells list fewer far segments, but
# below this the gain on the benchmark was lost in noise.
_CELL_PER_BUFFER = 0.5


# Reach vertices closer than this to the line through their neighbours are
# dropped before scoring (Douglas-Peucker): fewer, longer segments mean fewer
# candidate pairs, and a metre is far below GPS error and bank width (on the
# benchmark it moves coverage by under 0.5 percentage points; 2 m by 0.8).
SIMPLIFY_M = 1.0
# Segments are cut to at most this length, so that their bounding boxes, by
# which the grid registers them, stay close to the segments themselves.
_MAX_PIECE_M = 200.0
# Track segments longer than this share of the buffer get extra samples.
_SPACING_PER_BUFFER = 0.5


def _kept_vertices(z: ComplexArray, tolerance: float) -> list[int]:
    """Positions of the vertices Douglas-Peucker keeps (shapely does the work, we find them again)."""
    if len(z) <= 2:
        return list(range(len(z)))
    simple = shapely.get_coordinates(
        shapely.simplify(shapely.linestrings(z.real, z.imag), tolerance, preserve_topology=False)
    )
    wanted = (simple[:, 0] + 1j * simple[:, 1]).tolist()
    keep: list[int] = []
    for i, v in enumerate(z.tolist()):
        if len(keep) < len(wanted) and v == wanted[len(keep)]:
            keep.append(i)
    if len(keep) != len(wanted) or keep[-1] != len(z) - 1:
        return list(range(len(z)))
    return keep


class ReachLine:
    """A reach line prepared for scoring: segments in the reach's own metric frame, measured from its start.

    Prepare once and reuse across patrols; the candidate grid for each buffer
    width is built on first use and kept.  Parts of a MultiLineString are
    measured one after another, in their given order.
    """

    def __init__(self, parts: Sequence[Any], reach_id: Any = None) -> None:
        self.id = reach_id
        arrays = [
            np.asarray(p, dtype=np.float64).reshape(-1, np.shape(p)[-1])[:, :2] for p in parts if len(p)
        ]
        allv = np.concatenate(arrays) if arrays else np.zeros((1, 2))
        self.lon0 = float(allv[:, 0].min() + allv[:, 0].max()) / 2
        self.lat0 = float(allv[:, 1].min() + allv[:, 1].max()) / 2
        self.kx, self.ky = metres_per_degree(self.lat0)
        starts: list[ComplexArray] = []
        ends: list[ComplexArray] = []
        # Segments are those of the line simplified by SIMPLIFY_M; the knots
        # map a position along the simplified line back to the reach's own
        # measure, exactly at every kept vertex and linearly between them.
        s_knots: list[float] = [0.0]
        m_knots: list[float] = [0.0]
        for xy in arrays:
            z = to_local(xy[:, 0] + 1j * xy[:, 1], self.lon0, self.lat0, self.kx, self.ky)
            z = z[np.concatenate(([True], z[1:] != z[:-1]))]
            if len(z) < 2:
                continue
            m = m_knots[-1] + np.concatenate(([0.0], np.cumsum(np.abs(np.diff(z)))))
            keep = _kept_vertices(z, SIMPLIFY_M)
            kept = z[keep]
            starts.append(kept[:-1])
            ends.append(kept[1:])
            s_knots.extend((s_knots[-1] + np.cumsum(np.abs(np.diff(kept)))).tolist())
            m_knots.extend(m[keep][1:].tolist())
        self.length_m = m_knots[-1]
        self.s_knots = np.array(s_knots)
        self.m_knots = np.array(m_knots)
        a = np.concatenate(starts) if starts else np.zeros(0, complex)
        d = (np.concatenate(ends) if ends else a) - a
        length = np.abs(d)
        # Long segments are cut so their bounding boxes stay tight in the grid.
        pieces = np.maximum(np.ceil(length / _MAX_PIECE_M), 1).astype(np.int64)
        seg = np.repeat(np.arange(len(a)), pieces)
        part = np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        frac = 1.0 / pieces[seg]
        self.a = a[seg] + d[seg] * (part * frac)
        self.d = d[seg] * frac
        self.seg_len = length[seg] * frac
        ends_m = np.cumsum(self.seg_len)
        # With p in the reach frame, p * ce + q is (metres along the reach if
        # p projects onto the segment's line there) + 1j * (offset from the line).
        ce = np.conj(self.d) / np.where(self.seg_len > 0, self.seg_len, 1.0)
        self.ce = ce
        self.q = (ends_m - self.seg_len) - self.a * ce
        self.span = (ends_m - self.seg_len) + 1j * ends_m
        self._grids: dict[float, _Grid] = {}

    @classmethod
    def from_geojson(cls, geojson: Mapping[str, Any], reach_id: Any = None) -> ReachLine:
        """A LineString or MultiLineString geometry, or a Feature with one (its id is kept)."""
        geometry = geojson
        if geojson.get("type") == "Feature":
            geometry = geojson.get("geometry") or {}
            reach_id = geojson.get("id", reach_id) if reach_id is None else reach_id
        kind = geometry.get("type")
        if kind == "LineString":
            return cls([geometry["coordinates"]], reach_id)
        if kind == "MultiLineString":
            return cls(list(geometry["coordinates"]), reach_id)
        raise ValueError(f"a reach must be a LineString or MultiLineString, got {kind!r}")

    def grid(self, buffer_m: float) -> _Grid:
        found = self._grids.get(buffer_m)
        if found is None:
            found = self._grids[buffer_m] = self._build_grid(buffer_m)
        return found

    def _build_grid(self, buffer_m: float) -> _Grid:
        # Each segment is entered in every cell its bounding box, widened by
        # the buffer, touches: a point within the buffer of a segment lies in
        # that box, so the point's own cell lists the segment.  A ring of
        # empty cells around the grid takes every point outside it (clipped).
        end = self.a + self.d
        lo = np.column_stack((np.minimum(self.a.real, end.real), np.minimum(self.a.imag, end.imag)))
        hi = np.column_stack((np.maximum(self.a.real, end.real), np.maximum(self.a.imag, end.imag)))
        lo -= buffer_m
        hi += buffer_m
        corner = lo.min(axis=0) if len(lo) else np.zeros(2)
        extent = (hi.max(axis=0) - corner) if len(hi) else np.zeros(2)
        cell = max(
            buffer_m * _CELL_PER_BUFFER,
            1.0,
            math.sqrt(float(extent[0] + 1) * float(extent[1] + 1) / _MAX_CELLS),
        )
        inv = 1.0 / cell
        origin = corner - cell
        size = (extent * inv).astype(np.int64) + 3
        first = ((lo - origin) * inv).astype(np.int64)
        last = ((hi - origin) * inv).astype(np.int64)
        span = last - first + 1
        cells = span[:, 0] * span[:, 1]
        seg = np.repeat(np.arange(len(cells)), cells)
        k = np.arange(len(seg)) - np.repeat(np.cumsum(cells) - cells, cells)
        col = first[seg, 0] + k // span[seg, 1]
        row = first[seg, 1] + k % span[seg, 1]
        key = col * int(size[1]) + row
        order = np.argsort(key, kind="stable")
        start = np.zeros(int(size[0] * size[1]) + 1, dtype=np.int32)
        np.cumsum(np.bincount(key, minlength=len(start) - 1), out=start[1:])
        return _Grid(
            origin=origin,
            inv_cell=inv,
            top=(size - 1).astype(np.float64),
            weights=np.array([float(size[1]), 1.0]),
            start=start,
            entries=seg[order],
        )

    def distance_m(self, points: ComplexArray) -> FloatArray:
        """Shortest distance from each point (reach frame) to the reach; inf for an empty reach."""
        if not len(self.a):
            return np.full(len(points), np.inf)
        z = points[:, None] * self.ce + self.q
        beyond = np.maximum(np.maximum(self.span.real - z.real, z.real - self.span.imag), 0.0)
        return np.hypot(beyond, z.imag).min(axis=1)

    def cover(self, samples: ComplexArray, buffer_m: float) -> tuple[FloatArray, FloatArray]:
        """Merged (from_m, to_m) stretches of the reach within buffer_m of any sample (reach frame)."""
        g = self.grid(buffer_m)
        xy = samples.view(np.float64).reshape(-1, 2) - g.origin
        xy *= g.inv_cell
        np.maximum(xy, 0.0, out=xy)
        np.minimum(xy, g.top, out=xy)
        np.floor(xy, out=xy)
        cell = (xy @ g.weights).astype(np.intp)
        first = g.start[cell]
        count = g.start[cell + 1] - first
        total = int(count.sum())
        if total == 0:
            return np.zeros(0), np.zeros(0)
        which = np.repeat(np.arange(len(count)), count)
        # Entry k of the candidate list is entries[first[which[k]] + (k - where which[k]'s block starts)].
        shift = (first - np.cumsum(count) + count)[which]
        seg = g.entries[shift + np.arange(total)]
        z = samples[which] * self.ce[seg] + self.q[seg]
        # Where the sample is farther than the buffer from the segment's line
        # the half chord is 0, and the empty interval is dropped below.
        half = z.imag * z.imag
        np.subtract(buffer_m * buffer_m, half, out=half)
        np.maximum(half, 0.0, out=half)
        np.sqrt(half, out=half)
        span = self.span[seg]
        lo = np.maximum(z.real - half, span.real)
        hi = np.minimum(z.real + half, span.imag)
        keep = lo < hi
        lo, hi = _merge(lo[keep], hi[keep], self.s_knots[-1])
        return np.interp(lo, self.s_knots, self.m_knots), np.interp(hi, self.s_knots, self.m_knots)


def _merge(lo: FloatArray, hi: FloatArray, total: float) -> tuple[FloatArray, FloatArray]:
    """Union of non-empty intervals within [0, total], as sorted disjoint (starts, ends).

    Sorting is the costliest step, so the starts are sorted by a 16-bit key
    (numpy radix-sorts those, in linear time): order within one 1/65535th
    of the reach is then arbitrary, so gaps narrower than that are closed
    (a few centimetres on a 5 km reach) and each run's start is its true
    minimum.  Callers drop empty intervals first: it is cheaper than
    sorting them, and an empty one could otherwise end a run early.
    """
    if not len(lo):
        return lo, hi
    quantum = max(total, 1.0) / 65535.0
    order = np.argsort((lo * (1.0 / quantum)).astype(np.uint16), kind="stable")
    lo = lo[order]
    reach = np.maximum.accumulate(hi[order])
    reach += quantum
    cut = np.flatnonzero(lo[1:] > reach[:-1])
    reach -= quantum
    first = np.empty(len(cut) + 1, dtype=np.intp)
    first[0] = 0
    first[1:] = cut + 1
    ends = np.empty(len(cut) + 1)
    ends[:-1] = reach[cut]
    ends[-1] = reach[-1]
    starts = np.minimum.reduceat(lo, first)
    return starts, ends


def samples_along(lonlat: ComplexArray, step: FloatArray, buffer_m: float) -> ComplexArray:
    """Every fix, plus evenly spaced points on segments longer than the sample spacing."""
    spacing = max(buffer_m * _SPACING_PER_BUFFER, 0.5)
    if not len(step) or float(step.max()) <= spacing:
        return lonlat
    pieces = np.ceil(step / spacing).astype(np.intp)
    np.maximum(pieces, 1, out=pieces)
    seg = np.repeat(np.arange(len(step)), pieces)
    frac = (np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / pieces[seg]
    out = np.empty(len(seg) + 1, dtype=np.complex128)
    out[:-1] = lonlat[seg] + (lonlat[1:] - lonlat[:-1])[seg] * frac
    out[-1] = lonlat[-1]
    return out
