"""Cutting water into reaches: lines at the borders of the cells they cross, surfaces into zones.

Pure geometry in the local km plane; no Django here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring

from hezhang.registry.demo.land import GRID_KM, largest, polygon_parts


@dataclass(frozen=True)
class Piece:
    """A stretch of a line between two distances (km) along it, lying in one cell (None: in no cell)."""

    cell: int | None
    start: float
    end: float
    line: LineString

    @property
    def length(self) -> float:
        return self.end - self.start


def cut(line: LineString, cells: Sequence[Polygon], tree: shapely.STRtree, min_length: float) -> list[Piece]:
    """Cut a line where it crosses cell borders; stretches shorter than `min_length` join a neighbour.

    Every returned piece lies (apart from the short stretches merged into it) in the cell it names.
    """
    total = line.length
    candidates = [int(i) for i in tree.query(line, predicate="intersects")]
    marks = {0.0, total}
    for i in candidates:
        for part in shapely.get_parts(line.intersection(cells[i].boundary)):
            for x, y in shapely.get_coordinates(part):
                marks.add(line.project(Point(x, y)))
    ordered = sorted(marks)
    cuts = [ordered[0]] + [d for a, d in zip(ordered, ordered[1:], strict=False) if d - a > 1e-6]
    spans: list[_Span] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        mid = line.interpolate((a + b) / 2)
        owner = next((i for i in candidates if cells[i].contains(mid)), None)
        spans.append(_Span(owner, a, b, {owner: b - a}))
    spans = _fuse(spans)
    while len(spans) > 1:
        short = [k for k, sp in enumerate(spans) if sp.owner is not None and sp.end - sp.start < min_length]
        k = next((k for k in short if _neighbour(spans, k) is not None), None)
        if k is None:
            break
        target = spans[_neighbour(spans, k)]
        gone = spans.pop(k)
        target.start, target.end = min(target.start, gone.start), max(target.end, gone.end)
        for owner, length in gone.share.items():
            target.share[owner] = target.share.get(owner, 0.0) + length
        # A reach belongs to the cell most of it lies in.
        target.owner = max((o for o in target.share if o is not None), key=lambda o: target.share[o])
        spans = _fuse(spans)
    return [Piece(sp.owner, sp.start, sp.end, substring(line, sp.start, sp.end)) for sp in spans]


@dataclass
class _Span:
    owner: int | None
    start: float
    end: float
    share: dict[int | None, float]


def _fuse(spans: list[_Span]) -> list[_Span]:
    """Neighbouring spans in the same cell become one."""
    out: list[_Span] = []
    for sp in spans:
        if out and out[-1].owner == sp.owner:
            last = out[-1]
            last.end = sp.end
            for owner, length in sp.share.items():
                last.share[owner] = last.share.get(owner, 0.0) + length
        else:
            out.append(sp)
    return out


def _neighbour(spans: list[_Span], k: int) -> int | None:
    """The longer in-cell neighbour of span k, which a too-short span k joins."""
    options = [j for j in (k - 1, k + 1) if 0 <= j < len(spans) and spans[j].owner is not None]
    return max(options, key=lambda j: spans[j].end - spans[j].start) if options else None


def split_area(
    shape: Polygon, cells: Sequence[Polygon], tree: shapely.STRtree, min_fraction: float = 0.08
) -> list[tuple[int, Polygon]]:
    """A water surface cut by the cells it overlaps; slivers join the neighbouring zone they touch most."""
    parts: list[list] = []
    for i in tree.query(shape, predicate="intersects"):
        for p in polygon_parts(shapely.intersection(shape, cells[int(i)], grid_size=GRID_KM)):
            if p.area > 1e-6:
                parts.append([int(i), p])
    parts.sort(key=lambda ip: -ip[1].area)
    limit = min_fraction * shape.area
    kept: list[list] = [p for p in parts if p[1].area >= limit] or parts[:1]
    for _owner, p in parts:
        if any(p is k[1] for k in kept):
            continue
        best = max(kept, key=lambda k: p.boundary.intersection(k[1].boundary).length)
        best[1] = largest(shapely.union(best[1], p, grid_size=GRID_KM))
    return [(owner, p) for owner, p in kept]
