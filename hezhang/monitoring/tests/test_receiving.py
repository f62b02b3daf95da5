"""HJ 212 frames into the platform: over HTTP, over the TCP listener, and the refusals that harm nothing."""

import asyncio
import datetime
import threading

import pytest
from django.utils import timezone

from hezhang.cases.models import Case
from hezhang.monitoring.hj212 import build_frame, parse_frame
from hezhang.monitoring.hj212.client import send_frames
from hezhang.monitoring.hj212.frame import flag_value
from hezhang.monitoring.hj212.listener import Listener
from hezhang.monitoring.hj212.simulate import simulate
from hezhang.monitoring.models import Alert, FrameLog, Sample
from hezhang.monitoring.receiving import handle_line, receive

MN, PW = "88888880000001", "123456"


def hourly(values: dict, *, hours_ago: int = 1, pw: str = PW, mn: str = MN, answer: bool = True) -> bytes:
    moment = timezone.localtime().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(
        hours=hours_ago
    )
    return build_frame(
        st="21",
        cn="2061",
        pw=pw,
        mn=mn,
        qn=moment.strftime("%Y%m%d%H%M%S000"),
        flag=flag_value(1, answer=answer),
        datatime=moment,
        values=values,
    )


def test_an_hourly_frame_becomes_an_hourly_sample_at_the_station_section_and_is_acknowledged(wq):
    result = receive("10.0.0.7:5000", hourly({"w21003": {"Avg": 0.42, "Flag": "N"}, "w01001": {"Avg": 7.3}}))
    assert result["ok"] and result["stored"]
    sample = Sample.objects.get()
    assert sample.section == wq.section_b
    assert sample.station == wq.station
    assert sample.interval == "hour" and sample.source == "automatic"
    assert sample.values == {"NH3N": 0.42, "pH": 7.3}
    reply = parse_frame(result["reply"])
    assert reply.cn == "9014" and reply.mn == MN
    wq.station.refresh_from_db()
    assert wq.station.last_seen_at == sample.taken_at


def test_a_frame_sent_again_is_stored_once(wq):
    frame = hourly({"w21003": {"Avg": 0.42, "Flag": "N"}})
    receive("peer", frame)
    again = receive("peer", frame)
    assert again["ok"] and not again["stored"]
    assert Sample.objects.count() == 1


def test_values_the_station_flags_as_faulty_are_kept_aside_not_classed(wq):
    receive("peer", hourly({"w21003": {"Avg": 9.9, "Flag": "D"}, "w01009": {"Avg": 6.5, "Flag": "N"}}))
    sample = Sample.objects.get()
    assert sample.values == {"DO": 6.5}
    assert sample.flags["NH3N"] == "D"
    assert sample.flags["excluded"] == {"NH3N": 9.9}
    assert not Alert.objects.filter(parameter="NH3N").exists()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (lambda: hourly({"w21003": {"Avg": 0.4}})[:-6] + b"0000\r\n", "bad_crc"),
        (lambda: b"##9999" + hourly({"w21003": {"Avg": 0.4}})[6:], "bad_length"),
        (lambda: hourly({"w21003": {"Avg": 0.4}}, mn="99999990000009"), "unknown_mn"),
        (lambda: hourly({"w21003": {"Avg": 0.4}}, pw="wrong"), "bad_password"),
        (lambda: b"garbage that is no frame at all\r\n", "bad_header"),
    ],
)
def test_a_bad_frame_is_refused_logged_and_stores_nothing(wq, frame, code):
    result = receive("10.0.0.9:4000", frame())
    assert not result["ok"]
    assert result["error"] == code
    assert result["reply"] is None
    log = FrameLog.objects.get()
    assert log.error == code and log.peer == "10.0.0.9:4000"
    assert not Sample.objects.exists()


def test_frames_posted_over_http_are_stored_and_answered_per_frame(wq, client):
    body = hourly({"w21003": {"Avg": 0.5}}, hours_ago=2) + hourly({"w21003": {"Avg": 0.6}}, pw="bad")
    response = client.post("/api/v1/monitoring/hj212/", body, content_type="text/plain")
    assert response.status_code == 200
    frames = response.json()["frames"]
    assert [f["ok"] for f in frames] == [True, False]
    assert frames[0]["reply"].startswith("##")
    assert frames[1]["error"] == "bad_password"
    assert Sample.objects.count() == 1


# Rows the migrations seed, flushed by any transactional test that ran before: put back for this one.
SEEDS = [
    ("hezhang.cases.migrations.0002_states_and_categories", "seed"),
    ("hezhang.cases.migrations.0004_english_names", "fill"),
    ("hezhang.monitoring.migrations.0002_default_alert_rules", "seed"),
]


@pytest.fixture
def listener(transactional_db):
    """The real TCP listener with the platform's handler, on a free port, in a thread of its own."""
    import importlib

    from django.apps import apps

    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)
    loop = asyncio.new_event_loop()
    server = Listener(handle_line, idle_timeout=5)
    loop.run_until_complete(server.start("127.0.0.1", 0))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield server.address
    asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_a_station_streams_into_its_section_and_an_exceedance_opens_a_case_in_the_dispatch_centre(
    wq, listener
):
    host, port = listener
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=12)
    frames = simulate(MN, PW, start=start, count=12, exceed="NH3N", seed=3)
    # A bad frame and a stranger in the middle of the stream harm neither the listener nor the station.
    frames.insert(4, b"##0010garbage!!!!!\r\n")
    frames.insert(6, hourly({"w21003": {"Avg": 0.4}}, mn="99999990000009", answer=False))
    replies = [reply for _, reply in send_frames(host, port, frames, timeout=10)]
    assert sum(1 for r in replies if r and b"CN=9014" in r) == 12
    samples = Sample.objects.filter(section=wq.section_b, interval="hour")
    assert samples.count() == 12
    alert = Alert.objects.get(kind="limit", parameter="NH3N")
    assert alert.occurrences >= 2  # the episode lasted several hours: still one alert
    case = Case.objects.get(channel="sensor")
    assert alert.case == case
    assert case.office == wq.office_b
    assert sorted(FrameLog.objects.values_list("error", flat=True)) == ["bad_length", "unknown_mn"]
