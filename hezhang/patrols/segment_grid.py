"""Which segments of a reach lie near each cell of a grid laid over it: the candidates for coverage.

A patrol track is checked against the reach sample by sample, and a sample
need only be compared with the segments within the buffer of it.  The grid
lists, for every cell, each segment whose bounding box widened by the buffer
touches the cell, less those the cell lies wholly beyond; so a sample's own
cell lists every segment within the buffer of it (and a few more).

Lookups go straight from lon/lat to cells: the grid keeps its own affine
frame (cells east and north of its corner), and per segment the complex
pair (ce, q) that turns a position u in that frame into metres along the
reach plus 1j * metres off the segment's line, as u * ce + q.  Pure numpy;
no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["SegmentGrid"]

FloatArray = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex128]
# Index arrays handed out are intp: numpy gathers and repeats took twice as
# long with int32 indices or counts.  The tables kept per reach are as small
# as their values allow instead, because a province's reaches do not stay in
# the CPU cache between one patrol and the next, and every cache line a
# lookup touches then costs more than the arithmetic.
IntArray = npt.NDArray[np.intp]

# Cells per grid at most; a longer reach gets larger cells (more candidates
# per query) rather than a grid of several megabytes that every cached
# reach would hold.
_MAX_CELLS = 1 << 17
# Grid cells of half the buffer: smaller cells list fewer far segments, but
# below this the gain on the benchmark was lost in noise.
_CELL_PER_BUFFER = 0.5


@dataclass(frozen=True, slots=True)
class SegmentGrid:
    """Segments near each cell, in CSR form: cell c lists entries[start[c]:start[c + 1]].

    Cell (column, row) is number column * rows + row; a ring of empty cells
    surrounds the cells that list anything.
    """

    lon0: float  # lon/lat of the outer corner of cell (0, 0)
    lat0: float
    kx: float  # cells per degree east
    ky: float  # cells per degree north
    rows: int
    start: npt.NDArray[np.integer[Any]]
    entries: npt.NDArray[np.integer[Any]]
    ce: ComplexArray  # per segment, from the grid's frame (see the module docstring)
    q: ComplexArray

    @classmethod
    def build(
        cls,
        a: ComplexArray,
        d: ComplexArray,
        ce: ComplexArray,
        q: ComplexArray,
        span: ComplexArray,
        frame: tuple[float, float, float, float],
        buffer_m: float,
    ) -> SegmentGrid:
        """The grid for segments a -> a + d (metres in the reach frame `frame`: lon0, lat0, kx, ky).

        `ce`, `q` and `span` are the segments' own: p * ce + q is along +
        1j * offset for a point p of the reach frame, and each segment runs
        from span.real to span.imag along the reach.
        """
        lon0, lat0, kx, ky = frame
        end = a + d
        lo = np.minimum(a.real, end.real) - buffer_m + 1j * (np.minimum(a.imag, end.imag) - buffer_m)
        hi = np.maximum(a.real, end.real) + buffer_m + 1j * (np.maximum(a.imag, end.imag) + buffer_m)
        corner = complex(lo.real.min(), lo.imag.min()) if len(a) else 0j
        extent = complex(hi.real.max(), hi.imag.max()) - corner if len(a) else 0j
        cell = max(
            buffer_m * _CELL_PER_BUFFER,
            1.0,
            math.sqrt((extent.real + 1) * (extent.imag + 1) / _MAX_CELLS),
        )
        inv = 1.0 / cell
        origin = corner - complex(cell, cell)
        columns = int(extent.real * inv) + 3
        rows = int(extent.imag * inv) + 3
        # Every cell of each widened bounding box, segment by segment.
        col0 = ((lo.real - origin.real) * inv).astype(np.int64)
        row0 = ((lo.imag - origin.imag) * inv).astype(np.int64)
        height = ((hi.imag - origin.imag) * inv).astype(np.int64) - row0 + 1
        cells = (((hi.real - origin.real) * inv).astype(np.int64) - col0 + 1) * height
        seg = np.repeat(np.arange(len(a)), cells)
        k = np.arange(len(seg)) - np.repeat(np.cumsum(cells) - cells, cells)
        col, row = np.divmod(k, height[seg])
        col += col0[seg]
        row += row0[seg]
        # A cell whose centre is farther than the buffer plus half its
        # diagonal from the segment has no point within the buffer of it.
        w = np.empty(len(seg), dtype=np.complex128)
        np.multiply(col, cell, out=w.real)
        w.real += origin.real + cell / 2
        np.multiply(row, cell, out=w.imag)
        w.imag += origin.imag + cell / 2
        w *= ce.take(seg)
        w += q.take(seg)
        ends = span.take(seg)
        along = np.maximum(w.real, ends.real)
        np.minimum(along, ends.imag, out=along)
        w -= along
        near = (np.abs(w) <= buffer_m + cell * math.sqrt(0.5)).nonzero()[0]
        seg = seg.take(near)
        key = col.take(near)
        key *= rows
        key += row.take(near)
        order = np.argsort(key, kind="stable")
        start = np.zeros(columns * rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(key, minlength=columns * rows), out=start[1:])
        return cls(
            lon0=lon0 + origin.real / kx,
            lat0=lat0 + origin.imag / ky,
            kx=kx * inv,
            ky=ky * inv,
            rows=rows,
            start=start.astype(np.uint16 if len(seg) <= np.iinfo(np.uint16).max else np.int32),
            entries=seg[order].astype(np.int16 if len(a) <= np.iinfo(np.int16).max else np.int32),
            # p = origin + u * cell, so p * ce + q = u * (ce * cell) + (origin * ce + q).
            ce=ce * cell,
            q=q + origin * ce,
        )

    @property
    def nbytes(self) -> int:
        return self.start.nbytes + self.entries.nbytes + self.ce.nbytes + self.q.nbytes

    def to_cells(self, lonlat: ComplexArray) -> ComplexArray:
        """lon/lat (as complex) to cells east + 1j * cells north of the grid's corner."""
        out = lonlat - complex(self.lon0, self.lat0)
        # Scaling the two views is faster than broadcasting (kx, ky) over an
        # (n, 2) view, whose innermost loop is only two long.
        out.real *= self.kx
        out.imag *= self.ky
        return out

    def candidates(self, u: ComplexArray) -> tuple[IntArray, IntArray]:
        """For points in cells (`to_cells`): how many candidates each has, and all of them, point by point.

        A point off the grid may get any cell's candidates (take clips the
        cell number, and truncation is not the floor below zero): no segment
        is within the buffer of it, and a candidate is only ever measured, so
        it costs time, not correctness.
        """
        cell = u.real.astype(np.intp)
        cell *= self.rows
        cell += u.imag.astype(np.intp)
        first = self.start.take(cell, mode="clip")
        count = np.subtract(self.start.take(cell + 1, mode="clip"), first, dtype=np.intp)
        ends = np.cumsum(count)
        total = int(ends[-1]) if len(ends) else 0
        # Candidate k belongs to the point whose block of the list holds k
        # and is entry (k - the block's start) of that point's cell.
        shift = np.subtract(first, ends, dtype=np.intp)
        shift += count
        at = np.repeat(shift, count)
        at += np.arange(total)
        return count, self.entries.take(at).astype(np.intp)
