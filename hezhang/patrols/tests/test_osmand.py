import math
from datetime import UTC, datetime

import pytest

from hezhang.patrols.osmand import KNOT_IN_M_PER_S, read_osmand_json, read_osmand_params
from hezhang.patrols.points import PointError

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC).timestamp()
EARLIER = int(NOW - 120)


def traccar_query(**overrides):
    """What Traccar Client for Android sends as a query string, already parsed."""
    params = {
        "id": "864512034567890",
        "timestamp": str(EARLIER),
        "lat": "37.1012345",
        "lon": "114.6054321",
        "speed": "2.5",
        "bearing": "93.0",
        "altitude": "51.2",
        "accuracy": "6.0",
        "batt": "78.0",
        "charge": "false",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def traccar_json(**location_overrides):
    """What Traccar Client 9 posts as JSON."""
    location = {
        "timestamp": "2026-05-01T09:58:00.000Z",
        "coords": {
            "latitude": 37.1012345,
            "longitude": 114.6054321,
            "accuracy": 4.9,
            "speed": 1.3,
            "heading": 181.2,
            "altitude": 51.0,
        },
        "is_moving": True,
        "event": "motionchange",
        "odometer": 1234.5,
        "activity": {"type": "walking"},
        "battery": {"level": 0.81, "is_charging": False},
        "uuid": "e5bb2d55-2b46-4b5c-9f1a-6a3b3b6a8a10",
    }
    location.update(location_overrides)
    return {"location": location, "device_id": "864512034567890"}


def test_a_traccar_client_query_is_read():
    device, point, extras = read_osmand_params(traccar_query(), now=NOW)
    assert device == "864512034567890"
    assert (point.t, point.lat, point.lon) == (EARLIER, 37.1012345, 114.6054321)
    assert (point.heading, point.altitude, point.accuracy) == (93.0, 51.2, 6.0)
    assert point.seq is None
    assert extras == {"battery": 78.0, "charging": False}


def test_speed_in_knots_is_converted_to_metres_per_second():
    _, point, _ = read_osmand_params(traccar_query(speed="1.0"), now=NOW)
    assert point.speed == pytest.approx(0.514444, abs=1e-6)
    assert KNOT_IN_M_PER_S == pytest.approx(0.514444, abs=1e-6)


def test_location_can_be_sent_as_one_parameter():
    _, point, _ = read_osmand_params(traccar_query(lat=None, lon=None, location="37.5,114.25"), now=NOW)
    assert (point.lat, point.lon) == (37.5, 114.25)


def test_a_point_without_timestamp_gets_now():
    _, point, _ = read_osmand_params(traccar_query(timestamp=None), now=NOW)
    assert point.t == NOW


def test_an_empty_parameter_counts_as_absent():
    _, point, _ = read_osmand_params(traccar_query(timestamp="", speed="", altitude=""), now=NOW)
    assert (point.t, point.speed, point.altitude) == (NOW, None, None)


def test_a_timestamp_in_milliseconds_is_read():
    _, point, _ = read_osmand_params(traccar_query(timestamp=str(EARLIER * 1000 + 250)), now=NOW)
    assert point.t == EARLIER + 0.25


def test_an_iso_timestamp_without_zone_is_utc():
    _, point, _ = read_osmand_params(traccar_query(timestamp="2026-05-01 09:58:00"), now=NOW)
    assert point.t == NOW - 120


def test_an_iso_timestamp_with_a_zone_is_read_in_it():
    _, point, _ = read_osmand_params(traccar_query(timestamp="2026-05-01T17:58:00+08:00"), now=NOW)
    assert point.t == NOW - 120


def test_hdop_stands_in_for_a_missing_accuracy():
    _, point, extras = read_osmand_params(traccar_query(accuracy=None, hdop="12.0"), now=NOW)
    assert point.accuracy == 12.0
    assert extras["hdop"] == 12.0


def test_accuracy_wins_over_hdop():
    _, point, _ = read_osmand_params(traccar_query(accuracy="5", hdop="1.2"), now=NOW)
    assert point.accuracy == 5.0


def test_heading_is_accepted_for_bearing_and_deviceid_for_id():
    device, point, _ = read_osmand_params(
        traccar_query(id=None, deviceid="abc", bearing=None, heading="45"), now=NOW
    )
    assert device == "abc"
    assert point.heading == 45.0


def test_a_negative_speed_means_unknown():
    _, point, _ = read_osmand_params(traccar_query(speed="-1"), now=NOW)
    assert point.speed is None


def test_a_malformed_battery_is_left_out_rather_than_refusing_the_point():
    _, point, extras = read_osmand_params(traccar_query(batt="full", charge="maybe"), now=NOW)
    assert extras == {}
    assert point.lat == 37.1012345


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"id": None}, "id", "no device id"),
        ({"id": "  "}, "id", "no device id"),
        ({"lat": None}, "lat", "no latitude"),
        ({"lon": "east"}, "lon", "'east' is not a number"),
        ({"lat": "nan"}, "lat", "not a finite number"),
        ({"lon": "inf"}, "lon", "not a finite number"),
        ({"lat": "91"}, "lat", "lat 91.0 is out of range (-90 to 90)"),
        ({"lon": "200"}, "lon", "out of range (-180 to 180)"),
        ({"lat": None, "lon": None, "location": "37.5"}, "location", "not two numbers"),
        ({"lat": None, "lon": None, "location": "37.5,north"}, "location", "not a number"),
        ({"lat": None, "lon": None, "location": "97.5,114"}, "location", "out of range"),
        ({"timestamp": "soon"}, "timestamp", "not an ISO 8601"),
        ({"timestamp": str(int(NOW + 3600))}, "timestamp", "in the future"),
        ({"speed": "fast"}, "speed", "not a number"),
        ({"bearing": "x"}, "bearing", "not a number"),
        ({"altitude": "high"}, "altitude", "not a number"),
        ({"accuracy": "-3"}, "accuracy", "negative"),
        ({"accuracy": None, "hdop": "-3"}, "hdop", "negative"),
    ],
)
def test_a_bad_query_is_refused_with_the_field_named(overrides, field, words):
    with pytest.raises(PointError) as caught:
        read_osmand_params(traccar_query(**overrides), now=NOW)
    assert caught.value.field == field
    assert words in caught.value.message


def test_a_traccar_client_json_body_is_read():
    [(device, point, extras)] = read_osmand_json(traccar_json(), now=NOW)
    assert device == "864512034567890"
    assert point.t == NOW - 120
    assert (point.lat, point.lon) == (37.1012345, 114.6054321)
    assert (point.accuracy, point.heading, point.altitude) == (4.9, 181.2, 51.0)
    assert point.seq is None
    assert extras == {
        "battery": 81.0,
        "charging": False,
        "moving": True,
        "event": "motionchange",
        "uuid": "e5bb2d55-2b46-4b5c-9f1a-6a3b3b6a8a10",
        "activity": "walking",
        "odometer": 1234.5,
    }


def test_json_speed_is_already_in_metres_per_second():
    [(_, point, _)] = read_osmand_json(traccar_json(), now=NOW)
    assert point.speed == 1.3


def test_a_json_location_list_gives_every_point():
    body = traccar_json()
    second = dict(body["location"], timestamp="2026-05-01T09:58:05Z")
    body["location"] = [body["location"], second]
    readings = read_osmand_json(body, now=NOW)
    assert [r[1].t for r in readings] == [NOW - 120, NOW - 115]
    assert {r[0] for r in readings} == {"864512034567890"}


def test_a_bad_location_in_a_list_is_reported_with_its_index():
    body = traccar_json()
    bad = dict(body["location"], coords={"latitude": 37.1})
    body["location"] = [body["location"], bad]
    with pytest.raises(PointError) as caught:
        read_osmand_json(body, now=NOW)
    assert caught.value.index == 1
    assert caught.value.field == "location[1].coords.longitude"


def test_a_json_location_without_timestamp_gets_now():
    [(_, point, _)] = read_osmand_json(traccar_json(timestamp=None), now=NOW)
    assert point.t == NOW


def test_unknown_json_speed_heading_and_battery_are_left_out():
    body = traccar_json(battery={"level": -1, "is_charging": False})
    body["location"]["coords"].update(speed=-1, heading=-1)
    [(_, point, extras)] = read_osmand_json(body, now=NOW)
    assert point.speed is None and point.heading is None
    assert "battery" not in extras


def test_a_minimal_json_body_is_enough():
    body = {"device_id": 42, "location": {"coords": {"latitude": 1.5, "longitude": 2.5}}}
    [(device, point, extras)] = read_osmand_json(body, now=NOW)
    assert device == "42"
    assert (point.t, point.lat, point.lon, point.speed) == (NOW, 1.5, 2.5, None)
    assert extras == {}


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ([], "", "not a JSON object"),
        ("text", "", "not a JSON object"),
        ({"location": {}}, "device_id", "no device id"),
        ({"device_id": "a"}, "location", "no location"),
        ({"device_id": "a", "location": []}, "location", "empty"),
        ({"device_id": "a", "location": "here"}, "location", "not an object"),
        (
            {"device_id": "a", "location": {"timestamp": "2026-05-01T09:00:00Z"}},
            "location.coords",
            "no coords",
        ),
        (
            {"device_id": "a", "location": {"coords": {"latitude": "x", "longitude": 1}}},
            "location.coords.latitude",
            "not a number",
        ),
        (
            {"device_id": "a", "location": {"coords": {"latitude": 1, "longitude": math.nan}}},
            "location.coords.longitude",
            "not a finite number",
        ),
        (
            {"device_id": "a", "location": {"coords": {"latitude": -90.5, "longitude": 1}}},
            "location.coords.latitude",
            "out of range",
        ),
        (
            {"device_id": "a", "location": {"coords": {"latitude": 1, "longitude": 1, "accuracy": -1}}},
            "location.coords.accuracy",
            "negative",
        ),
        (
            {
                "device_id": "a",
                "location": {"timestamp": "2027-01-01T00:00:00Z", "coords": {"latitude": 1, "longitude": 1}},
            },
            "location.timestamp",
            "in the future",
        ),
        (
            {"device_id": "a", "location": {"timestamp": True, "coords": {"latitude": 1, "longitude": 1}}},
            "location.timestamp",
            "not a number",
        ),
    ],
)
def test_a_bad_json_body_is_refused_with_the_field_named(body, field, words):
    with pytest.raises(PointError) as caught:
        read_osmand_json(body, now=NOW)
    assert caught.value.field == field
    assert words in caught.value.message
