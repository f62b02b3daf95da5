import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from hezhang.patrols.gpx import GpxError, read_gpx, write_gpx
from hezhang.patrols.points import TrackPoint


def epoch(*args):
    return datetime(*args, tzinfo=UTC).timestamp()


# Shaped like what OsmAnd writes for a recorded trip: accuracy in <hdop>,
# speed and heading in its own extension namespace, a waypoint for a photo.
OSMAND_GPX = b"""<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<gpx version="1.1" creator="OsmAnd~ 4.8.6" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:osmand="https://osmand.net/docs/technical/osmand-file-formats/osmand-gpx"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
     xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">
  <metadata>
    <name>2026-05-01_09-30_Fri</name>
  </metadata>
  <trk>
    <trkseg>
      <trkpt lat="37.1000010" lon="114.6000020">
        <ele>51.3</ele>
        <time>2026-05-01T01:30:00Z</time>
        <hdop>4.2</hdop>
        <extensions>
          <osmand:speed>1.32</osmand:speed>
          <osmand:heading>87</osmand:heading>
        </extensions>
      </trkpt>
      <trkpt lat="37.1000480" lon="114.6001190">
        <ele>51.1</ele>
        <time>2026-05-01T01:30:05Z</time>
        <hdop>3.9</hdop>
        <extensions>
          <osmand:speed>1.41</osmand:speed>
        </extensions>
      </trkpt>
    </trkseg>
  </trk>
  <wpt lat="37.1000500" lon="114.6001200">
    <time>2026-05-01T01:30:06Z</time>
    <name>Rubbish on the bank</name>
  </wpt>
</gpx>
"""

# Shaped like a Garmin handheld's export: TrackPointExtension v2 speed and
# course, two segments, times with milliseconds.
GARMIN_GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
     creator="eTrex 32x" version="1.1">
  <trk>
    <name>Current Track: 01 MAY 2026 09:30</name>
    <trkseg>
      <trkpt lat="37.1" lon="114.6">
        <ele>50.00</ele>
        <time>2026-05-01T01:30:00.500Z</time>
        <extensions>
          <gpxtpx:TrackPointExtension>
            <gpxtpx:speed>1.25</gpxtpx:speed>
            <gpxtpx:course>270.5</gpxtpx:course>
          </gpxtpx:TrackPointExtension>
        </extensions>
      </trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="37.2" lon="114.7">
        <time>2026-05-01T02:00:00Z</time>
      </trkpt>
    </trkseg>
  </trk>
</gpx>
"""

GPX_10 = b"""<?xml version="1.0"?>
<gpx version="1.0" creator="GPSBabel" xmlns="http://www.topografix.com/GPX/1/0">
  <trk><trkseg>
    <trkpt lat="31.2304" lon="121.4737">
      <time>2026-05-01T01:30:00Z</time>
      <course>12.5</course>
      <speed>0.9</speed>
    </trkpt>
  </trkseg></trk>
</gpx>
"""


def gpx(points_xml, *, namespace='xmlns="http://www.topografix.com/GPX/1/1"'):
    return f'<?xml version="1.0"?>\n<gpx version="1.1" {namespace}>\n<trk><trkseg>\n{points_xml}\n</trkseg></trk>\n</gpx>'.encode()


def refusal(data):
    with pytest.raises(GpxError) as caught:
        read_gpx(data)
    return caught.value


def test_an_osmand_track_is_read():
    points = read_gpx(OSMAND_GPX)
    assert len(points) == 2
    first = points[0]
    assert (first.t, first.lat, first.lon) == (epoch(2026, 5, 1, 1, 30), 37.100001, 114.600002)
    assert (first.altitude, first.accuracy, first.speed, first.heading) == (51.3, 4.2, 1.32, 87.0)
    assert points[1].heading is None
    assert all(p.seq is None for p in points)


def test_a_garmin_track_is_read_across_segments():
    points = read_gpx(GARMIN_GPX)
    assert [(p.lat, p.lon) for p in points] == [(37.1, 114.6), (37.2, 114.7)]
    assert points[0].t == epoch(2026, 5, 1, 1, 30, 0, 500000)
    assert (points[0].speed, points[0].heading, points[0].altitude) == (1.25, 270.5, 50.0)


def test_gpx_1_0_speed_and_course_are_read():
    [point] = read_gpx(GPX_10)
    assert (point.speed, point.heading) == (0.9, 12.5)


def test_a_file_without_namespace_is_read():
    [point] = read_gpx(gpx('<trkpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time></trkpt>', namespace=""))
    assert (point.lat, point.lon) == (1.0, 2.0)


def test_waypoints_are_ignored():
    assert len(read_gpx(OSMAND_GPX)) == 2


def test_a_route_is_read_when_there_is_no_track():
    data = b"""<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
      <rte><rtept lat="1" lon="2"><time>2026-05-01T00:00:00Z</time></rtept>
           <rtept lat="1.1" lon="2.1"><time>2026-05-01T00:00:09Z</time></rtept></rte>
    </gpx>"""
    assert [p.lat for p in read_gpx(data)] == [1.0, 1.1]


def test_a_track_wins_over_a_route():
    data = b"""<gpx version="1.1">
      <rte><rtept lat="1" lon="2"><time>2026-05-01T00:00:00Z</time></rtept></rte>
      <trk><trkseg><trkpt lat="5" lon="6"><time>2026-05-01T00:00:00Z</time></trkpt></trkseg></trk>
    </gpx>"""
    assert [p.lat for p in read_gpx(data)] == [5.0]


def test_a_time_without_zone_is_utc_and_a_zone_is_honoured():
    points = read_gpx(
        gpx(
            '<trkpt lat="1" lon="2"><time>2026-05-01T08:00:00</time></trkpt>'
            '<trkpt lat="1" lon="2"><time>2026-05-01T08:00:00+08:00</time></trkpt>'
        )
    )
    assert [p.t for p in points] == [epoch(2026, 5, 1, 8), epoch(2026, 5, 1, 0)]


def test_a_direct_value_wins_over_an_extension_value():
    [point] = read_gpx(
        gpx(
            '<trkpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time><speed>2.0</speed>'
            "<extensions><speed>9.0</speed></extensions></trkpt>"
        )
    )
    assert point.speed == 2.0


def test_a_gbk_file_is_read():
    text = (
        '<?xml version="1.0" encoding="GBK"?>\n<gpx version="1.1"><trk><name>清水河巡河</name><trkseg>'
        '<trkpt lat="37.1" lon="114.6"><time>2026-05-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>'
    )
    [point] = read_gpx(text.encode("gbk"))
    assert point.lat == 37.1


def sample_points():
    return [
        TrackPoint(
            t=epoch(2026, 5, 1, 1, 30) + 0.123,
            lon=114.6000021,
            lat=37.1000012,
            accuracy=4.5,
            speed=1.25,
            heading=359.99,
            altitude=-2.5,
        ),
        TrackPoint(t=epoch(2026, 5, 1, 1, 30, 5), lon=114.6001, lat=37.1001, speed=0.0, heading=0.0),
        TrackPoint(t=epoch(2026, 5, 1, 1, 30, 10), lon=-0.0001, lat=-33.5, accuracy=12.0),
    ]


def test_a_written_track_reads_back_the_same():
    points = sample_points()
    back = read_gpx(write_gpx(points, name="清水河 2026-05-01"))
    assert len(back) == len(points)
    for original, read in zip(points, back, strict=True):
        assert read.t == pytest.approx(original.t, abs=1e-3)
        assert (read.lon, read.lat) == pytest.approx((original.lon, original.lat), abs=1e-7)
        for name in ("accuracy", "speed", "heading", "altitude"):
            expected = getattr(original, name)
            assert getattr(read, name) == (None if expected is None else pytest.approx(expected, abs=0.01))


def test_a_written_track_is_gpx_1_1_in_schema_order():
    root = ET.fromstring(write_gpx(sample_points(), name="n", description="d", creator="hezhang test"))
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    assert root.tag == "{http://www.topografix.com/GPX/1/1}gpx"
    assert (root.get("version"), root.get("creator")) == ("1.1", "hezhang test")
    assert root.findtext("g:trk/g:name", namespaces=ns) == "n"
    assert root.findtext("g:trk/g:desc", namespaces=ns) == "d"
    first = root.find("g:trk/g:trkseg/g:trkpt", ns)
    assert [child.tag.split("}")[1] for child in first] == ["ele", "time", "extensions"]
    assert first.findtext("g:time", namespaces=ns) == "2026-05-01T01:30:00.123Z"
    second = root.findall("g:trk/g:trkseg/g:trkpt", ns)[1]
    assert second.findtext("g:time", namespaces=ns) == "2026-05-01T01:30:05Z"


def test_names_are_escaped_and_stripped_of_characters_xml_cannot_hold():
    data = write_gpx(sample_points(), name='<巡河> & \x01"A"', description="a < b")
    root = ET.fromstring(data)
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    assert root.findtext("g:trk/g:name", namespaces=ns) == '<巡河> & "A"'
    assert root.findtext("g:trk/g:desc", namespaces=ns) == "a < b"


def test_an_empty_description_is_left_out():
    assert b"<desc>" not in write_gpx(sample_points(), name="n")


def test_gpx_with_a_doctype_is_refused():
    error = refusal(b'<?xml version="1.0"?>\n<!DOCTYPE gpx>\n<gpx version="1.1"></gpx>')
    assert "DOCTYPE" in str(error)
    assert error.line == 2


def test_a_billion_laughs_file_is_refused_before_any_expansion():
    data = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<gpx><trk><name>&b;</name></trk></gpx>"""
    assert "DOCTYPE" in refusal(data).message


def test_an_external_entity_is_refused():
    data = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<gpx><trk><name>&x;</name></trk></gpx>"""
    assert "refused for safety" in refusal(data).message


def test_an_undeclared_entity_is_not_well_formed():
    error = refusal(gpx("&x;"))
    assert "not well-formed XML" in error.message


def test_a_file_that_is_not_xml_is_refused_with_its_line():
    error = refusal(b'<?xml version="1.0"?>\n<gpx>\n<trk>\n</gpx>')
    assert "not well-formed XML" in error.message
    assert error.line == 4
    assert str(error).startswith("Line 4: ")


def test_binary_junk_is_refused():
    assert "not well-formed XML" in refusal(b"\x89PNG\r\n\x1a\n\x00\x00").message


def test_an_empty_file_is_refused():
    assert "not well-formed XML" in refusal(b"").message


def test_a_kml_file_is_not_gpx():
    error = refusal(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>')
    assert "root element is <kml>" in error.message


def test_a_gpx_without_points_is_refused():
    assert "no track or route points" in refusal(gpx("")).message


def test_a_file_with_only_waypoints_is_refused():
    data = b'<gpx version="1.1"><wpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time></wpt></gpx>'
    assert "no track or route points" in refusal(data).message


@pytest.mark.parametrize(
    ("trkpt", "words"),
    [
        ('<trkpt lon="2"><time>2026-05-01T00:00:00Z</time></trkpt>', "no lat attribute"),
        ('<trkpt lat="1"><time>2026-05-01T00:00:00Z</time></trkpt>', "no lon attribute"),
        ('<trkpt lat="north" lon="2"><time>2026-05-01T00:00:00Z</time></trkpt>', "'north' is not a number"),
        (
            '<trkpt lat="90.5" lon="2"><time>2026-05-01T00:00:00Z</time></trkpt>',
            "lat 90.5 is out of range (-90 to 90)",
        ),
        ('<trkpt lat="1" lon="-181"><time>2026-05-01T00:00:00Z</time></trkpt>', "out of range (-180 to 180)"),
        ('<trkpt lat="1" lon="nan"><time>2026-05-01T00:00:00Z</time></trkpt>', "out of range"),
        ('<trkpt lat="1" lon="2"></trkpt>', "has no time"),
        ('<trkpt lat="1" lon="2"><time> </time></trkpt>', "has no time"),
        ('<trkpt lat="1" lon="2"><time>yesterday</time></trkpt>', "'yesterday' is not an ISO 8601"),
        ('<trkpt lat="1" lon="2"><time>2026-02-30T00:00:00Z</time></trkpt>', "not an ISO 8601"),
        (
            '<trkpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time><ele>high</ele></trkpt>',
            "<ele> 'high' is not a number",
        ),
        (
            '<trkpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time><ele>inf</ele></trkpt>',
            "not a finite number",
        ),
        (
            '<trkpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time><extensions><speed>fast</speed></extensions></trkpt>',
            "<speed> 'fast' is not a number",
        ),
        ('<trkpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time><hdop>-1</hdop></trkpt>', "negative"),
    ],
)
def test_a_bad_track_point_refuses_the_file_with_its_line(trkpt, words):
    data = gpx('<trkpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time></trkpt>\n' + trkpt)
    error = refusal(data)
    assert words in error.message
    assert error.line == 5


def test_a_negative_speed_or_course_means_unknown():
    [point] = read_gpx(
        gpx(
            '<trkpt lat="1" lon="2"><time>2026-05-01T00:00:00Z</time><speed>-1</speed><course>-1</course></trkpt>'
        )
    )
    assert point.speed is None and point.heading is None


def test_a_file_in_an_unknown_encoding_is_refused():
    data = b'<?xml version="1.0" encoding="x-martian"?>\n<gpx/>'
    assert "x-martian" in refusal(data).message
