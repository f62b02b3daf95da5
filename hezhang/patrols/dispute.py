"""Settling a dispute about one patrol: the verdict from a reach file and a track, as JSON-ready data.

When a chief contests "not a valid patrol", an office needs to re-run the
scoring outside the platform on exactly the files in question and read why:
`hezhang patrol score --reach REACH.geojson --track TRACK.gpx [--buffer 50]`
prints what `settle()` returns.  It cleans the raw points as the platform
does, scores them under the default rules at the given buffer, and rounds
figures to what a person would quote (metres to 0.1, fractions to 0.0001).
No Django, no files: the command reads the GeoJSON and the GPX.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from hezhang.patrols.cleaning import clean
from hezhang.patrols.points import TrackPoint
from hezhang.patrols.scoring import DEFAULT_RULES, ReachLine, score

__all__ = ["reach_line", "settle"]

_LINES = ("LineString", "MultiLineString")


def reach_line(reach_geojson: dict[str, Any]) -> ReachLine:
    """The reach in a GeoJSON Feature, FeatureCollection (its first line feature) or bare geometry."""
    kind = reach_geojson.get("type")
    if kind == "FeatureCollection":
        for feature in reach_geojson.get("features") or []:
            if ((feature or {}).get("geometry") or {}).get("type") in _LINES:
                return ReachLine.from_geojson(feature)
        raise ValueError("the FeatureCollection has no LineString or MultiLineString feature")
    if kind == "Feature" or kind in _LINES:
        return ReachLine.from_geojson(reach_geojson)
    raise ValueError(f"a reach must be a line Feature, FeatureCollection or geometry, got {kind!r}")


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def settle(
    reach_geojson: dict[str, Any], track_points: list[TrackPoint], buffer_m: float = 50
) -> dict[str, Any]:
    """The verdict on one patrol under the default rules at `buffer_m`, as plain JSON-ready data."""
    rules = replace(DEFAULT_RULES, buffer_m=float(buffer_m))
    line = reach_line(reach_geojson)
    cleaned = clean(track_points)
    result = score(list(cleaned.kept), [line], rules)
    reach = result.reaches[0]
    return {
        "reach_id": reach.reach_id,
        "buffer_m": rules.buffer_m,
        "points": cleaned.counts,
        "duration_s": _r(result.duration_s),
        "distance_m": _r(result.distance_m),
        "avg_speed_mps": _r(result.avg_speed_mps, 2),
        "moving_speed_mps": _r(result.moving_speed_mps, 2),
        "mode": result.mode,
        "reach_length_m": _r(reach.length_m),
        "covered_m": _r(reach.covered_m),
        "coverage": round(reach.coverage, 4),
        "covered_intervals_m": [[round(a, 1), round(b, 1)] for a, b in reach.intervals],
        "start_distance_m": _r(reach.start_distance_m),
        "end_distance_m": _r(reach.end_distance_m),
        "flags": list(result.flags),
        "valid": result.is_valid,
        "reasons": [
            {"code": r.code, "value": _r(r.value, 4), "limit": _r(r.limit, 4)} for r in result.reasons
        ],
        "rules": asdict(rules),
    }
