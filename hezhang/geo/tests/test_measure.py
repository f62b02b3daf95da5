import pytest

from hezhang.geo.measure import distance_m, line_length_m, polygon_area_m2


def test_length_of_one_degree_of_meridian_is_about_111_km():
    # Textbook values for the WGS84 ellipsoid: 110 574 m at the equator,
    # 111 132 m around 45° N.
    equator = {"type": "LineString", "coordinates": [[0.0, -0.5], [0.0, 0.5]]}
    mid = {"type": "LineString", "coordinates": [[116.0, 44.5], [116.0, 45.5]]}
    assert line_length_m(equator) == pytest.approx(110_574, abs=5)
    assert line_length_m(mid) == pytest.approx(111_132, abs=5)


def test_beijing_to_shanghai_is_about_1067_km():
    assert distance_m(116.4074, 39.9042, 121.4737, 31.2304) == pytest.approx(1_067_000, rel=0.005)


def test_multilinestring_length_is_the_sum_of_its_parts():
    a = [[116.0, 39.0], [116.01, 39.0], [116.01, 39.01]]
    b = [[117.0, 39.0], [117.0, 39.02]]
    single = line_length_m({"type": "LineString", "coordinates": a}) + line_length_m(
        {"type": "LineString", "coordinates": b}
    )
    assert line_length_m({"type": "MultiLineString", "coordinates": [a, b]}) == pytest.approx(
        single, rel=1e-12
    )


def test_area_of_a_small_equatorial_square_matches_the_degree_lengths():
    # 0.01° of longitude at the equator is 1113.195 m, 0.01° of latitude 1105.744 m.
    ring = [[0.0, 0.0], [0.01, 0.0], [0.01, 0.01], [0.0, 0.01], [0.0, 0.0]]
    area = polygon_area_m2({"type": "Polygon", "coordinates": [ring]})
    assert area == pytest.approx(1113.195 * 1105.744, rel=1e-4)
    assert polygon_area_m2({"type": "Polygon", "coordinates": [ring[::-1]]}) == pytest.approx(area, rel=1e-12)


def test_holes_are_subtracted_and_multipolygon_parts_added():
    shell = [[116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.1], [116.0, 39.0]]
    hole = [[116.02, 39.02], [116.04, 39.02], [116.04, 39.04], [116.02, 39.04], [116.02, 39.02]]
    full = polygon_area_m2({"type": "Polygon", "coordinates": [shell]})
    hole_area = polygon_area_m2({"type": "Polygon", "coordinates": [hole]})
    holed = polygon_area_m2({"type": "Polygon", "coordinates": [shell, hole]})
    assert holed == pytest.approx(full - hole_area, rel=1e-12)
    assert full / hole_area == pytest.approx(25, rel=1e-3)
    both = polygon_area_m2({"type": "MultiPolygon", "coordinates": [[shell, hole], [hole]]})
    assert both == pytest.approx(full, rel=1e-12)


def test_wrong_geometry_types_are_refused():
    with pytest.raises(ValueError):
        line_length_m({"type": "Point", "coordinates": [116.0, 39.0]})
    with pytest.raises(ValueError):
        polygon_area_m2({"type": "LineString", "coordinates": [[116.0, 39.0], [117.0, 39.0]]})
