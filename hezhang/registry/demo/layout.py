"""Where the demo's cities lie in the province: a grid of lon/lat slots over a Hebei-sized extent.

Pure; shared by the county demo (the province's outline) and the province-scale build (the other cities).
"""

from __future__ import annotations

from shapely import union_all
from shapely.geometry import Polygon, box

WEST, SOUTH = 113.6, 36.0
SLOT_LON, SLOT_LAT = 1.6, 2.2
COLUMNS, ROWS = 4, 3
# The south-east slot would lie in the Bohai Sea: 11 cities in the remaining slots.
SKIPPED = {(3, 0)}
DEMO_SLOT = (0, 0)


def slots() -> list[tuple[int, int]]:
    """(column, row) of every city, the demo city's first."""
    rest = [
        (c, r) for r in range(ROWS) for c in range(COLUMNS) if (c, r) not in SKIPPED and (c, r) != DEMO_SLOT
    ]
    return [DEMO_SLOT, *rest]


def slot_box(column: int, row: int) -> Polygon:
    west, south = WEST + column * SLOT_LON, SOUTH + row * SLOT_LAT
    return box(west, south, west + SLOT_LON, south + SLOT_LAT)


def province_outline() -> Polygon:
    return union_all([slot_box(c, r) for c, r in slots()])


def grid_boxes(outer: Polygon, columns: int, rows: int) -> list[Polygon]:
    """`outer`'s bounding box cut into columns × rows boxes, north-west first."""
    west, south, east, north = outer.bounds
    dx, dy = (east - west) / columns, (north - south) / rows
    return [
        box(west + c * dx, north - (r + 1) * dy, west + (c + 1) * dx, north - r * dy)
        for r in range(rows)
        for c in range(columns)
    ]
