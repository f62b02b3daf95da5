import math
import random

import pytest

from hezhang.geo.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    transform_geojson,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# Reference values computed once with prcoords 1.0.2 (public domain), an
# implementation written independently of this one, as
# prcoords.wgs_gcj / prcoords.wgs_bd on (lat, lon).
REFERENCE = [
    # name, WGS84 (lon, lat), GCJ-02 (lon, lat), BD-09 (lon, lat)
    (
        "Shanghai",
        (121.4737, 31.2304),
        (121.47822305927693, 31.22845773757727),
        (121.484781468503, 31.234310593689997),
    ),
    (
        "Guangzhou",
        (113.2644, 23.1291),
        (113.26972959210308, 23.126423339922844),
        (113.27615075157122, 23.13271125723948),
    ),
    (
        "Urumqi",
        (87.6168, 43.8256),
        (87.61964994946926, 43.82680539311119),
        (87.62609977081571, 43.83294979479328),
    ),
    (
        "Harbin",
        (126.535, 45.8038),
        (126.54104035015793, 45.80578152514843),
        (126.54765921413988, 45.81139582294028),
    ),
]


def _random_points_in_china(n: int, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    return [(rng.uniform(74.0, 134.0), rng.uniform(4.0, 53.0)) for _ in range(n)]


def test_gcj02_shift_in_central_beijing_is_about_six_hundred_metres_north_east():
    lon, lat = wgs84_to_gcj02(116.397, 39.909)
    assert lon - 116.397 == pytest.approx(0.0062, abs=0.0001)
    assert lat - 39.909 == pytest.approx(0.0014, abs=0.0001)
    # prcoords gives (116.40324350604497, 39.91040339728811) for this point.
    assert (lon, lat) == pytest.approx((116.40324350604497, 39.91040339728811), abs=1e-9)


@pytest.mark.parametrize(("name", "wgs", "gcj", "bd"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_forward_conversions_match_an_independent_implementation(name, wgs, gcj, bd):
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)
    assert wgs84_to_bd09(*wgs) == pytest.approx(bd, abs=1e-9)
    assert gcj02_to_bd09(*gcj) == pytest.approx(bd, abs=1e-9)


def test_gcj02_round_trip_is_within_a_centimetre():
    for lon, lat in _random_points_in_china(3000, seed=1):
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
        # 1e-7 degree is about 1 cm; the iteration actually gets far closer.
        assert back == pytest.approx((lon, lat), abs=1e-7)
        assert math.hypot(back[0] - lon, back[1] - lat) < 1e-9


def test_gcj02_inverse_beats_the_one_step_approximation():
    lon, lat = 116.397, 39.909
    glon, glat = wgs84_to_gcj02(lon, lat)
    # One-step approximation: subtract the shift evaluated at the GCJ point.
    slon, slat = wgs84_to_gcj02(glon, glat)
    one_step_error = math.hypot(glon - (slon - glon) - lon, glat - (slat - glat) - lat)
    exact = gcj02_to_wgs84(glon, glat)
    assert one_step_error > 1e-7
    assert math.hypot(exact[0] - lon, exact[1] - lat) < 1e-9


def test_bd09_round_trips_are_within_a_centimetre():
    for lon, lat in _random_points_in_china(1000, seed=2):
        assert bd09_to_gcj02(*gcj02_to_bd09(lon, lat)) == pytest.approx((lon, lat), abs=1e-7)
        assert bd09_to_wgs84(*wgs84_to_bd09(lon, lat)) == pytest.approx((lon, lat), abs=1e-7)


def test_points_outside_china_are_not_shifted():
    paris = (2.35, 48.85)
    assert wgs84_to_gcj02(*paris) == paris
    assert gcj02_to_wgs84(*paris) == paris


@pytest.mark.parametrize("crs", ["wgs84", "WGS84", " CGCS2000 ", "epsg:4326", "EPSG:4490"])
def test_wgs84_and_its_aliases_leave_coordinates_unchanged(crs):
    assert to_wgs84(116.4, 39.9, crs) == (116.4, 39.9)


def test_to_wgs84_dispatches_on_the_named_system_case_insensitively():
    gcj = wgs84_to_gcj02(116.4, 39.9)
    bd = wgs84_to_bd09(116.4, 39.9)
    assert to_wgs84(*gcj, "GCJ02") == pytest.approx((116.4, 39.9), abs=1e-9)
    assert to_wgs84(*bd, "Bd09") == pytest.approx((116.4, 39.9), abs=1e-9)


def test_unknown_coordinate_system_is_rejected_with_a_clear_message():
    with pytest.raises(ValueError, match=r"Unknown coordinate system 'EPSG:3857'.*gcj02.*bd09"):
        to_wgs84(116.4, 39.9, "EPSG:3857")


def test_transform_geojson_moves_every_vertex_and_keeps_the_input():
    ring = [[116.0, 39.0], [117.0, 39.0], [117.0, 40.0], [116.0, 39.0]]
    geom = {"type": "MultiPolygon", "coordinates": [[ring]]}
    out = transform_geojson(geom, "gcj02")
    assert geom["coordinates"][0][0] == ring
    assert out["type"] == "MultiPolygon"
    moved = out["coordinates"][0][0]
    assert len(moved) == len(ring)
    for (lon, lat), original in zip(moved, ring, strict=True):
        assert (lon, lat) == pytest.approx(gcj02_to_wgs84(*original), abs=1e-12)


def test_transform_geojson_handles_every_geometry_type_and_keeps_altitude():
    cases = {
        "Point": [116.4, 39.9, 50.0],
        "MultiPoint": [[116.4, 39.9], [116.5, 39.8]],
        "LineString": [[116.4, 39.9], [116.5, 39.8]],
        "MultiLineString": [[[116.4, 39.9], [116.5, 39.8]]],
        "Polygon": [[[116.0, 39.0], [117.0, 39.0], [117.0, 40.0], [116.0, 39.0]]],
    }
    for kind, coords in cases.items():
        out = transform_geojson({"type": kind, "coordinates": coords}, "bd09")
        assert out["type"] == kind
    point = transform_geojson({"type": "Point", "coordinates": [116.4, 39.9, 50.0]}, "bd09")
    assert point["coordinates"][2] == 50.0
    assert point["coordinates"][:2] == pytest.approx(bd09_to_wgs84(116.4, 39.9), abs=1e-12)
    with pytest.raises(ValueError):
        transform_geojson({"type": "Circle", "coordinates": [1, 2]}, "wgs84")
