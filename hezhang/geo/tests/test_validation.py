import json

import pytest

from hezhang.geo.validation import GeometryError, bbox, validate_geometry

LINE = ("LineString",)
POLY = ("Polygon",)

SQUARE = [[116.0, 39.0], [117.0, 39.0], [117.0, 40.0], [116.0, 40.0], [116.0, 39.0]]


def _reason(geom, allowed=LINE, **kwargs) -> str:
    with pytest.raises(GeometryError) as caught:
        validate_geometry(geom, allowed, **kwargs)
    return str(caught.value)


def test_valid_line_is_returned_as_rounded_floats():
    out = validate_geometry({"type": "LineString", "coordinates": [[116, 39], [116.123456789, 39.5]]}, LINE)
    assert out == {"type": "LineString", "coordinates": [[116.0, 39.0], [116.1234568, 39.5]]}
    assert all(isinstance(v, float) for p in out["coordinates"] for v in p)


def test_feature_and_json_text_are_accepted():
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}
    assert validate_geometry(feature, POLY)["type"] == "Polygon"
    assert validate_geometry(json.dumps(feature), POLY)["type"] == "Polygon"
    collection = {"type": "FeatureCollection", "features": [feature]}
    assert validate_geometry(collection, POLY)["type"] == "Polygon"


def test_open_polygon_ring_is_rejected_with_its_reason():
    reason = _reason({"type": "Polygon", "coordinates": [SQUARE[:-1]]}, POLY)
    assert reason == "多边形的外环未闭合（首点与末点不同）"


def test_longitude_out_of_range_names_the_value_and_the_point():
    geom = {"type": "LineString", "coordinates": [[116.0, 39.0], [117.0, 39.0], [190.0, 40.0]]}
    assert _reason(geom) == "坐标超出范围：经度 190.0 不在 -180～180 之间 (第 3 个点)"


def test_swapped_latitude_and_longitude_get_a_hint():
    reason = _reason({"type": "Point", "coordinates": [39.9, 116.4]}, ("Point",))
    assert reason.startswith("坐标超出范围：纬度 116.4 不在 -90～90 之间")
    assert "经纬度写反" in reason


def test_self_intersecting_line_is_rejected_with_the_crossing_point():
    geom = {"type": "LineString", "coordinates": [[116.3, 39.8], [116.5, 40.0], [116.5, 39.8], [116.3, 40.0]]}
    assert _reason(geom) == "线段自相交于 (116.40, 39.90) 附近"


def test_line_doubling_back_on_itself_is_a_self_intersection():
    geom = {"type": "LineString", "coordinates": [[116.0, 39.0], [117.0, 39.0], [116.5, 39.0]]}
    assert _reason(geom).startswith("线段自相交于")


def test_parts_of_a_multilinestring_may_cross_each_other():
    geom = {
        "type": "MultiLineString",
        "coordinates": [[[116.0, 39.0], [117.0, 40.0]], [[116.0, 40.0], [117.0, 39.0]]],
    }
    assert validate_geometry(geom, ("MultiLineString",))["coordinates"][1] == [[116.0, 40.0], [117.0, 39.0]]


def test_point_outside_china_is_rejected():
    assert (
        _reason({"type": "Point", "coordinates": [2.35, 48.85]}, ("Point",))
        == "坐标 (2.35, 48.85) 不在中国范围内"
    )


def test_extent_check_can_be_disabled_or_narrowed():
    paris = {"type": "Point", "coordinates": [2.35, 48.85]}
    assert validate_geometry(paris, ("Point",), extent=None)["coordinates"] == [2.35, 48.85]
    beijing_only = (115.4, 39.4, 117.5, 41.1)
    reason = _reason({"type": "Point", "coordinates": [121.47, 31.23]}, ("Point",), extent=beijing_only)
    assert reason.startswith("坐标 (121.47, 31.23) 不在允许的范围内")


def test_wrong_geometry_type_names_both_types():
    assert _reason({"type": "Point", "coordinates": [116.0, 39.0]}) == "几何类型应为 LineString，收到 Point"
    reason = _reason({"type": "Point", "coordinates": [116.0, 39.0]}, ("LineString", "MultiLineString"))
    assert reason == "几何类型应为 LineString 或 MultiLineString，收到 Point"


def test_line_needs_two_distinct_points():
    assert (
        _reason({"type": "LineString", "coordinates": [[116.0, 39.0], [116.0, 39.0]]})
        == "线至少需要两个不同的点"
    )
    reason = _reason({"type": "MultiLineString", "coordinates": [[[116.0, 39.0]]]}, ("MultiLineString",))
    assert reason == "线至少需要两个不同的点 (第 1 条线)"


def test_polygon_ring_needs_four_points():
    reason = _reason(
        {"type": "Polygon", "coordinates": [[[116.0, 39.0], [117.0, 39.0], [116.0, 39.0]]]}, POLY
    )
    assert reason.startswith("多边形环至少需要 4 个点")


def test_bow_tie_polygon_is_rejected_with_the_crossing_point():
    bow_tie = [[116.0, 39.0], [118.0, 41.0], [118.0, 39.0], [116.0, 41.0], [116.0, 39.0]]
    assert (
        _reason({"type": "Polygon", "coordinates": [bow_tie]}, POLY)
        == "多边形边界自相交于 (117.00, 40.00) 附近"
    )


def test_hole_outside_its_shell_is_rejected():
    hole = [[118.0, 39.0], [118.5, 39.0], [118.5, 39.5], [118.0, 39.0]]
    assert _reason({"type": "Polygon", "coordinates": [SQUARE, hole]}, POLY).startswith(
        "内环（洞）超出了外环"
    )


def test_overlapping_multipolygon_members_are_rejected():
    other = [[116.5, 39.5], [117.5, 39.5], [117.5, 40.5], [116.5, 40.5], [116.5, 39.5]]
    reason = _reason({"type": "MultiPolygon", "coordinates": [[SQUARE], [other]]}, ("MultiPolygon",))
    assert "相互重叠" in reason


def test_rings_are_reoriented_to_the_right_hand_rule_and_duplicates_removed():
    clockwise = [[116.0, 39.0], [116.0, 40.0], [116.0, 40.0], [117.0, 40.0], [117.0, 39.0], [116.0, 39.0]]
    hole_ccw = [[116.2, 39.2], [116.4, 39.2], [116.4, 39.4], [116.2, 39.2]]
    out = validate_geometry({"type": "Polygon", "coordinates": [clockwise, hole_ccw]}, POLY)
    shell, hole = out["coordinates"]
    assert shell == [[116.0, 39.0], [117.0, 39.0], [117.0, 40.0], [116.0, 40.0], [116.0, 39.0]]
    assert hole == list(reversed(hole_ccw))


@pytest.mark.parametrize(
    ("geom", "fragment"),
    [
        ({"type": "LineString", "coordinates": [[116.0, 39.0], [117.0, "39"]]}, "纬度应为有限的数字"),
        ({"type": "LineString", "coordinates": [[116.0, 39.0], [117.0]]}, "坐标格式错误"),
        ({"type": "LineString"}, "缺少 coordinates"),
        ({"coordinates": []}, "缺少 type"),
        ("{not json", "无法解析 GeoJSON"),
        ([116.0, 39.0], "应为 GeoJSON 对象"),
        ({"type": "Feature", "geometry": None}, "没有几何数据"),
    ],
)
def test_malformed_input_is_explained(geom, fragment):
    assert fragment in _reason(geom)


def test_bbox_covers_every_vertex():
    geom = {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[118, 30], [119, 30], [119, 31], [118, 30]]]]}
    assert bbox(geom) == (116.0, 30.0, 119.0, 40.0)
    assert bbox({"type": "Point", "coordinates": [116.5, 39.5]}) == (116.5, 39.5, 116.5, 39.5)
    with pytest.raises(GeometryError):
        bbox({"type": "LineString", "coordinates": []})
