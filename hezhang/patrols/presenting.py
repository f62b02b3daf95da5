"""A patrol as the office's page and the API show it: facts, verdict in words, track and coverage as GeoJSON."""

from django.utils import timezone

from hezhang.patrols.coverage_map import split_reach
from hezhang.patrols.recording import track_points
from hezhang.patrols.verdict import MODES, describe

FLAG_CODES = ("teleport", "long_gap")


def track_feature(patrol) -> dict:
    points = track_points(patrol)
    return {
        "type": "Feature",
        "properties": {"kind": "track", "times": [round(p.t, 1) for p in points]},
        "geometry": {
            "type": "LineString",
            "coordinates": [[round(p.lon, 7), round(p.lat, 7)] for p in points],
        },
    }


def coverage_features(patrol) -> list[dict]:
    by_id = {c["reach_id"]: c for c in (patrol.score or {}).get("reaches", [])}
    features = []
    for reach in patrol.reaches.all():
        covered = by_id.get(reach.pk)
        if not reach.geometry or covered is None:
            continue
        walked, missed = split_reach(reach.geometry, covered["intervals"])
        common = {"reach": reach.pk, "name": reach.name, "coverage": round(covered["coverage"], 3)}
        features.append({"type": "Feature", "properties": {**common, "kind": "walked"}, "geometry": walked})
        features.append({"type": "Feature", "properties": {**common, "kind": "missed"}, "geometry": missed})
    return features


def patrol_detail(patrol) -> dict:
    score = patrol.score or {}
    return {
        "id": patrol.pk,
        "client_id": patrol.client_id,
        "patroller": str(patrol.patroller),
        "role": patrol.role,
        "source": patrol.source,
        "started_at": timezone.localtime(patrol.started_at).isoformat(),
        "ended_at": timezone.localtime(patrol.ended_at).isoformat() if patrol.ended_at else None,
        "open": patrol.is_open,
        "is_valid": patrol.is_valid,
        "reasons": [describe(r) for r in patrol.reasons],
        "flags": [describe({"code": f}) for f in patrol.flags if f in FLAG_CODES],
        "duration_s": patrol.duration_s,
        "distance_m": patrol.distance_m,
        "coverage": patrol.coverage,
        "max_speed_mps": patrol.max_speed_mps,
        "mode": str(MODES.get(patrol.mode, patrol.mode)),
        "point_count": patrol.point_count,
        "cleaning": score.get("cleaning", {}),
        "rule": str(patrol.rule) if patrol.rule_id else None,
        "reaches": [
            {
                "id": c["reach_id"],
                "length_m": round(c["length_m"]),
                "coverage": round(c["coverage"], 3),
                "covered": [[round(a), round(b)] for a, b in c["intervals"]],
            }
            for c in score.get("reaches", [])
        ],
        "checklist": [
            {"code": a.item.code, "label": a.item.display_label, "found": a.found, "note": a.note}
            for a in patrol.answers.select_related("item")
        ],
        "cases": [c.number for c in patrol.cases.all()],
        "note": patrol.note,
        "map": {"type": "FeatureCollection", "features": [track_feature(patrol), *coverage_features(patrol)]},
    }
