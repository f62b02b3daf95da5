import math
import random
import zlib
from dataclasses import replace

import pytest

from hezhang.patrols.points import TrackPoint
from hezhang.patrols.sealing import SealError, seal, unseal

START = 1_777_600_000.0  # 2026-05-01


def walk(n, interval_s, *, seed=7):
    """A chief walking a river bank: steady pace, wandering heading, phone-like rounding."""
    rng = random.Random(seed)
    t, lon, lat, heading, speed, altitude, accuracy = START, 114.6, 37.1, 60.0, 1.3, 52.0, 4.0
    points = []
    for seq in range(n):
        heading = (heading + rng.gauss(0, 4 * math.sqrt(interval_s))) % 360
        speed = max(0.0, speed + 0.3 * (1.3 - speed) + rng.gauss(0, 0.08))
        step = speed * interval_s
        lat += step * math.cos(math.radians(heading)) / 111_320
        lon += step * math.sin(math.radians(heading)) / (111_320 * math.cos(math.radians(lat)))
        altitude += rng.gauss(0, 0.2)
        if rng.random() < 0.3:
            accuracy = max(1.0, accuracy + rng.choice([-1, 1]) * rng.choice([0.1, 0.2, 0.5, 1.0]))
        t += interval_s
        points.append(
            TrackPoint(
                t=round(t + rng.choice([0, 0, 0, 0.001]), 3),
                lon=round(lon + rng.gauss(0, 5e-7), 7),
                lat=round(lat + rng.gauss(0, 5e-7), 7),
                accuracy=round(accuracy, 1),
                speed=round(speed, 2),
                heading=round(heading, 1),
                altitude=round(altitude, 1),
                seq=seq,
            )
        )
    return points


def assert_same(originals, restored):
    assert len(restored) == len(originals)
    for before, after in zip(originals, restored, strict=True):
        assert after.t == pytest.approx(before.t, abs=0.0005)
        assert after.lon == pytest.approx(before.lon, abs=0.5e-7)
        assert after.lat == pytest.approx(before.lat, abs=0.5e-7)
        for name in ("accuracy", "speed", "heading", "altitude"):
            expected = getattr(before, name)
            if expected is None:
                assert getattr(after, name) is None
            else:
                assert getattr(after, name) == pytest.approx(expected, abs=0.005)
        assert after.seq == before.seq


def test_a_sealed_track_unseals_to_the_same_points():
    points = walk(600, 1)
    assert_same(points, unseal(seal(points)))


def test_values_rounded_to_the_kept_precision_come_back_exactly():
    points = walk(50, 2)
    assert unseal(seal(points)) == points


def test_finer_values_are_kept_to_the_promised_precision():
    point = TrackPoint(
        t=START + 0.123456,
        lon=114.123456789,
        lat=-37.987654321,
        accuracy=3.14159,
        speed=0.004,
        heading=1e-9,
        altitude=-0.333,
    )
    [back] = unseal(seal([point]))
    assert_same([point], [back])
    assert (back.t, back.lon, back.lat) == (START + 0.123, 114.1234568, -37.9876543)
    assert (back.accuracy, back.speed, back.heading, back.altitude) == (3.14, 0.0, 0.0, -0.33)


def test_none_is_preserved_where_it_was():
    points = walk(40, 5)
    points = [
        replace(
            p,
            accuracy=None if i % 3 == 0 else p.accuracy,
            heading=None if i > 20 else p.heading,
            altitude=None,
        )
        for i, p in enumerate(points)
    ]
    back = unseal(seal(points))
    assert_same(points, back)
    assert [p.accuracy is None for p in back] == [i % 3 == 0 for i in range(40)]


def test_seq_is_preserved_including_none_and_extremes():
    points = walk(6, 1)
    seqs = [None, 0, 2**63 - 1, -(2**63), 5, None]
    points = [replace(p, seq=s) for p, s in zip(points, seqs, strict=True)]
    assert [p.seq for p in unseal(seal(points))] == seqs


def test_a_track_without_any_seq_keeps_none():
    points = [replace(p, seq=None) for p in walk(10, 1)]
    assert all(p.seq is None for p in unseal(seal(points)))


def test_the_order_is_kept_even_when_times_go_backwards():
    points = walk(20, 1)
    shuffled = points[10:] + points[:10]
    assert unseal(seal(shuffled)) == shuffled


def test_a_track_across_the_antimeridian_and_the_poles_survives():
    points = [
        TrackPoint(t=START, lon=179.9999999, lat=90.0),
        TrackPoint(t=START + 1, lon=-180.0, lat=-90.0),
        TrackPoint(t=START + 2, lon=180.0, lat=0.0),
    ]
    assert unseal(seal(points)) == points


def test_an_empty_track_seals_and_unseals():
    assert unseal(seal([])) == []


def test_a_single_point_seals():
    point = TrackPoint(t=START, lon=114.6, lat=37.1)
    assert unseal(seal([point])) == [point]


def test_a_walk_at_one_fix_a_second_takes_under_six_bytes_a_point():
    points = walk(3600, 1)
    assert len(seal(points)) / len(points) < 6


def test_a_walk_at_one_fix_every_five_seconds_stays_compact():
    points = walk(720, 5)
    assert len(seal(points)) / len(points) < 7.5


def test_a_track_with_only_positions_and_times_is_smaller_still():
    points = [TrackPoint(t=p.t, lon=p.lon, lat=p.lat) for p in walk(3600, 1)]
    assert len(seal(points)) / len(points) < 3


def test_the_blob_names_its_format_and_version():
    blob = seal(walk(3, 1))
    assert blob[:4] == b"HZT\x01"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"lon": math.nan}, "outside WGS84"),
        ({"lat": 91.0}, "outside WGS84"),
        ({"t": math.inf}, "time is not a finite number"),
        ({"altitude": math.nan}, "altitude is not a finite number"),
        ({"speed": 1e300}, "speed is too large"),
        ({"seq": 2**64}, "seq does not fit in 64 bits"),
    ],
)
def test_a_point_that_cannot_be_sealed_is_refused(change, words):
    points = walk(3, 1)
    points[1] = replace(points[1], **change)
    with pytest.raises(SealError, match=words):
        seal(points)


@pytest.mark.parametrize(
    ("blob", "words"),
    [
        (b"", "not a sealed track"),
        (b"PK\x03\x04junk", "not a sealed track"),
        (b"HZT\x09" + zlib.compress(b""), "version 9 is not known"),
        (b"HZT\x01not zlib", "damaged"),
        (b"HZT\x01" + zlib.compress(b"\x00" * 5), "damaged"),
    ],
)
def test_a_blob_that_is_not_a_sealed_track_is_refused(blob, words):
    with pytest.raises(SealError, match=words):
        unseal(blob)


def test_a_truncated_payload_is_refused():
    blob = seal(walk(30, 1))
    payload = zlib.decompress(blob[4:])
    with pytest.raises(SealError, match="damaged"):
        unseal(blob[:4] + zlib.compress(payload[:-8]))


def test_an_unknown_column_kind_is_refused():
    blob = seal(walk(3, 1))
    payload = bytearray(zlib.decompress(blob[4:]))
    payload[12] = 7
    with pytest.raises(SealError, match="unknown column kind"):
        unseal(blob[:4] + zlib.compress(bytes(payload)))
