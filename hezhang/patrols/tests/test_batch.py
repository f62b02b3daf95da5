import math
from datetime import UTC, datetime

import pytest

from hezhang.geo.coords import bd09_to_wgs84, gcj02_to_wgs84
from hezhang.patrols.batch import epoch_from_number, read_points
from hezhang.patrols.points import PointError

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC).timestamp()
STARTED = NOW - 3600


def point(**overrides):
    fields = {"seq": 1, "t": NOW - 60, "lat": 37.1, "lon": 114.6}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not ...}


def read(items, **kwargs):
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("not_before", STARTED)
    return read_points(items, **kwargs)


def only_error(items, **kwargs):
    points, errors = read(items, **kwargs)
    assert points == []
    assert len(errors) == 1
    return errors[0]


def test_a_complete_point_is_read_with_every_field():
    points, errors = read(
        [point(accuracy=4.5, speed=1.2, heading=87.5, altitude=52.0, seq=7)],
    )
    assert errors == []
    [p] = points
    assert (p.t, p.lon, p.lat) == (NOW - 60, 114.6, 37.1)
    assert (p.accuracy, p.speed, p.heading, p.altitude, p.seq) == (4.5, 1.2, 87.5, 52.0, 7)


def test_optional_fields_may_be_missing_or_null():
    points, errors = read([point(accuracy=None, speed=None)])
    assert errors == []
    assert points[0].accuracy is None and points[0].speed is None and points[0].altitude is None


def test_a_time_in_milliseconds_is_told_apart_by_its_size():
    points, _ = read([point(t=(NOW - 60) * 1000)])
    assert points[0].t == pytest.approx(NOW - 60)


def test_the_dividing_line_between_seconds_and_milliseconds():
    assert epoch_from_number(99_999_999_999) == 99_999_999_999
    assert epoch_from_number(100_000_000_000) == 100_000_000


def test_an_iso_time_with_a_zone_is_read_in_that_zone():
    points, _ = read([point(t="2026-05-01T17:30:00+08:00"), point(seq=2, t="2026-05-01T09:30:00.250Z")])
    assert points[0].t == datetime(2026, 5, 1, 9, 30, tzinfo=UTC).timestamp()
    assert points[1].t == datetime(2026, 5, 1, 9, 30, 0, 250000, tzinfo=UTC).timestamp()


def test_a_naive_iso_time_is_china_time():
    points, _ = read([point(t="2026-05-01T17:30:00")])
    assert points[0].t == datetime(2026, 5, 1, 9, 30, tzinfo=UTC).timestamp()


def test_time_is_accepted_under_the_name_time():
    points, errors = read([point(t=..., time=NOW - 10)])
    assert errors == []
    assert points[0].t == NOW - 10


def test_a_numeric_string_time_is_read_as_a_number():
    points, _ = read([point(t=str(int(NOW - 60)))])
    assert points[0].t == NOW - 60


def test_a_resent_seq_in_the_same_batch_is_kept_once():
    points, errors = read([point(seq=5, lat=37.1), point(seq=6), point(seq=5, lat=37.2)])
    assert [p.seq for p in points] == [5, 6]
    assert points[0].lat == 37.1
    [error] = errors
    assert (error.index, error.field) == (2, "seq")
    assert "seq 5 was already sent as point 0" in error.message


def test_a_bad_point_does_not_take_a_seq_from_a_good_one():
    points, errors = read([point(seq=5, lat=95.0), point(seq=5, lat=37.2)])
    assert [p.lat for p in points] == [37.2]
    assert [e.index for e in errors] == [0]


def test_a_whole_number_float_seq_is_accepted():
    points, errors = read([point(seq=3.0)])
    assert errors == []
    assert points[0].seq == 3 and isinstance(points[0].seq, int)


def test_a_gcj02_point_is_converted_to_wgs84():
    points, _ = read([point(lon=121.47822305927693, lat=31.22845773757727)], crs="gcj02")
    assert points[0].lon == pytest.approx(121.4737, abs=1e-7)
    assert points[0].lat == pytest.approx(31.2304, abs=1e-7)


def test_a_point_s_own_crs_wins_over_the_batch_s():
    points, _ = read(
        [point(lon=121.48, lat=31.23, crs="bd09"), point(seq=2, lon=121.48, lat=31.23)], crs="gcj-02"
    )
    assert (points[0].lon, points[0].lat) == pytest.approx(bd09_to_wgs84(121.48, 31.23))
    assert (points[1].lon, points[1].lat) == pytest.approx(gcj02_to_wgs84(121.48, 31.23))


def test_a_wgs84_batch_is_not_moved():
    points, _ = read([point(lon=121.48, lat=31.23, crs="WGS84")])
    assert (points[0].lon, points[0].lat) == (121.48, 31.23)


def test_an_unknown_point_crs_refuses_that_point():
    error = only_error([point(crs="mercator")])
    assert error.field == "crs"
    assert "mercator" in error.message


def test_an_unknown_batch_crs_is_the_caller_s_mistake():
    with pytest.raises(PointError) as caught:
        read([point()], crs="utm50n")
    assert caught.value.field == "crs"
    assert caught.value.index is None


def test_good_points_are_kept_when_others_fail():
    items = [point(seq=1), "junk", point(seq=3, lat=-91), point(seq=4)]
    points, errors = read(items)
    assert [p.seq for p in points] == [1, 4]
    assert [(e.index, e.field) for e in errors] == [(1, ""), (2, "lat")]


def test_a_latitude_out_of_range_is_reported_with_its_value():
    error = only_error([point(lat=95.2)])
    assert error.message == "lat 95.2 is out of range (-90 to 90)."
    assert (error.field, error.index) == ("lat", 0)


def test_a_longitude_out_of_range_is_reported_with_its_value():
    error = only_error([point(lon=-180.5)])
    assert error.message == "lon -180.5 is out of range (-180 to 180)."


@pytest.mark.parametrize(
    ("item", "field", "words"),
    [
        ("a string", "", "not an object"),
        ([37.1, 114.6], "", "not an object"),
        (None, "", "not an object"),
        (point(lat=...), "lat", "has no lat"),
        (point(lon=None), "lon", "has no lon"),
        (point(lat="37.1"), "lat", "'37.1' is not a number"),
        (point(lon=True), "lon", "is not a number"),
        (point(lat=math.nan), "lat", "not a finite number"),
        (point(lon=math.inf), "lon", "not a finite number"),
        (point(seq=...), "seq", "has no seq"),
        (point(seq="abc"), "seq", "'abc' is not a whole number"),
        (point(seq=1.5), "seq", "1.5 is not a whole number"),
        (point(seq=True), "seq", "is not a whole number"),
        (point(seq=-1), "seq", "out of range"),
        (point(seq=2**63), "seq", "out of range"),
        (point(t=...), "t", "has no time"),
        (point(t="yesterday"), "t", "'yesterday' is not an ISO 8601 date and time"),
        (point(t="2026-05-01"), "t", "not an ISO 8601 date and time"),
        (point(t="2026-13-01T00:00:00Z"), "t", "not an ISO 8601 date and time"),
        (point(t=[1, 2]), "t", "is not a number or an ISO 8601"),
        (point(t=math.nan), "t", "not a finite number"),
        (point(t=..., time="later"), "time", "'later' is not an ISO 8601"),
        (point(accuracy=-1.0), "accuracy", "accuracy -1.0 is negative"),
        (point(accuracy="good"), "accuracy", "'good' is not a number"),
        (point(speed=math.inf), "speed", "not a finite number"),
        (point(heading="north"), "heading", "not a number"),
        (point(altitude={}), "altitude", "not a number"),
    ],
)
def test_a_malformed_point_is_refused_with_a_clear_message(item, field, words):
    error = only_error([item])
    assert error.field == field
    assert error.index == 0
    assert words in error.message
    assert error.message.endswith(".")


def test_a_time_in_the_future_is_refused():
    error = only_error([point(t=NOW + 301)])
    assert error.field == "t"
    assert "is in the future" in error.message
    assert "2026-05-01 10:05:01 UTC" in error.message


def test_a_time_slightly_ahead_of_the_server_is_accepted():
    points, errors = read([point(t=NOW + 299)])
    assert errors == [] and len(points) == 1


def test_the_future_slack_can_be_narrowed():
    error = only_error([point(t=NOW + 30)], future_slack_s=10)
    assert error.field == "t"


def test_a_time_before_the_patrol_started_is_refused():
    error = only_error([point(t=STARTED - 1)])
    assert error.field == "t"
    assert "before the patrol started" in error.message


def test_without_not_before_old_times_are_accepted():
    points, errors = read([point(t=STARTED - 86400)], not_before=None)
    assert errors == [] and len(points) == 1


def test_a_time_of_absurd_size_is_reported_without_crashing():
    error = only_error([point(t=1e30)])
    assert "in the future" in error.message


def test_ios_minus_one_speed_and_heading_mean_unknown():
    points, _ = read([point(speed=-1, heading=-1)])
    assert points[0].speed is None and points[0].heading is None


def test_a_heading_of_a_full_turn_is_north():
    points, _ = read([point(heading=360)])
    assert points[0].heading == 0.0


def test_an_empty_batch_reads_as_nothing():
    assert read([]) == ([], [])
