"""The simulated surface-water station."""

from datetime import datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest

from hezhang.monitoring.hj212 import codes, parse_frame
from hezhang.monitoring.hj212.simulate import DEFAULT_BASELINE, Episode, SimulatedStation, simulate

BEIJING = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 5, 1, tzinfo=BEIJING)


def hourly(**options):
    frames = simulate("HZSIM0000001", "123456", start=START, **options)
    return [parse_frame(frame, strict=True) for frame in frames]


def series(frames, parameter, field="Avg"):
    return [codes.to_parameters(frame.values)[parameter][field] for frame in frames]


def test_the_same_seed_gives_the_same_frames_and_another_seed_others():
    first = simulate("HZSIM0000001", "123456", start=START, count=12, seed=7)
    assert first == simulate("HZSIM0000001", "123456", start=START, count=12, seed=7)
    assert first != simulate("HZSIM0000001", "123456", start=START, count=12, seed=8)


def test_hourly_frames_carry_min_avg_max_and_a_normal_flag_for_every_parameter():
    frames = hourly(count=24)
    assert [f.datatime for f in frames] == [START + timedelta(hours=h) for h in range(24)]
    for frame in frames:
        assert (frame.cn, frame.st, frame.mn, frame.pw) == ("2061", "21", "HZSIM0000001", "123456")
        assert frame.answer_requested and frame.protocol_version == 1
        assert frame.qn.startswith(f"{frame.datatime + timedelta(hours=1):%Y%m%d%H}")
        values = codes.to_parameters(frame.values)
        assert set(values) == set(DEFAULT_BASELINE)
        for fields in values.values():
            assert fields["Min"] <= fields["Avg"] <= fields["Max"]
            assert fields["Flag"] == "N"


def test_real_time_frames_carry_rtd():
    frames = [parse_frame(f) for f in simulate("HZSIM0000001", "123456", start=START, count=3, cn="2011")]
    assert {frozenset(fields) for frame in frames for fields in frame.values.values()} == {
        frozenset({"Rtd", "Flag"})
    }
    assert frames[1].datatime - frames[0].datatime == timedelta(seconds=30)


def test_daily_and_minute_frames_step_by_their_period():
    daily = [parse_frame(f) for f in simulate("S1", "123456", start=START, count=2, cn="2031")]
    minute = [parse_frame(f) for f in simulate("S1", "123456", start=START, count=2, cn="2051")]
    assert daily[1].datatime - daily[0].datatime == timedelta(days=1)
    assert minute[1].datatime - minute[0].datatime == timedelta(minutes=10)


def test_values_stay_plausible_for_a_week():
    frames = hourly(count=24 * 7, seed=3)
    assert all(6.5 < v < 9.0 for v in series(frames, "pH"))
    assert all(3.0 < v < 11.0 for v in series(frames, "DO"))
    assert all(0.2 < v < 0.8 for v in series(frames, "NH3N"))
    assert all(v > 0 for v in series(frames, "TP"))


def test_dissolved_oxygen_and_temperature_peak_in_the_afternoon():
    frames = hourly(count=24 * 4, seed=5)
    for parameter in ("DO", "WT", "pH"):
        values = series(frames, parameter)
        afternoon = mean(v for f, v in zip(frames, values, strict=True) if 13 <= f.datatime.hour <= 17)
        night = mean(v for f, v in zip(frames, values, strict=True) if 1 <= f.datatime.hour <= 5)
        assert afternoon > night, parameter


def test_an_ammonia_episode_goes_past_class_v_and_comes_back():
    frames = hourly(count=24, exceed="NH3N", seed=2)
    ammonia = series(frames, "NH3N")
    assert max(ammonia[:8]) < 1.0  # before: class III
    assert sum(v > 2.0 for v in ammonia) >= 3  # class V is ≤ 2.0 mg/L
    assert max(ammonia[-6:]) < 1.0  # after


def test_a_dissolved_oxygen_episode_goes_below_class_v():
    frames = hourly(count=24, exceed="DO", seed=2)
    assert sum(v < 2.0 for v in series(frames, "DO")) >= 3


def test_an_episode_rises_holds_and_falls():
    episode = Episode("NH3N", start=2, length=6)
    assert [episode.weight(i) for i in range(10)] == [0, 0, 0.5, 1, 1, 1, 1, 0.5, 0, 0]


def test_metals_are_sent_in_the_unit_of_their_code():
    station = SimulatedStation("S1", "123456", baseline={"Hg": 0.00004, "NH3N": 0.4}, seed=1)
    frame = parse_frame(station.frames("2061", START, 1)[0])
    assert 0.03 < frame.values["w20111"]["Avg"] < 0.05  # μg/L in the frame
    assert codes.to_parameters(frame.values)["Hg"]["Avg"] == pytest.approx(
        frame.values["w20111"]["Avg"] / 1000
    )


def test_a_station_with_many_parameters_sends_split_packets():
    baseline = {key: 0.01 for key in ("Cu", "Zn", "F", "Se", "As", "Hg", "Cd", "Cr6", "Pb", "CN", "VPhenol")}
    baseline |= {"Petroleum": 0.02, "LAS": 0.05, "Sulfide": 0.02, "COD": 15.0, "BOD5": 3.0} | DEFAULT_BASELINE
    frames = [
        parse_frame(f) for f in SimulatedStation("S1", "123456", baseline=baseline).frames("2061", START, 1)
    ]
    assert len(frames) > 1
    assert [f.pno for f in frames] == list(range(1, len(frames) + 1))
    assert len({f.qn for f in frames}) == 1
    assert sum(len(f.values) for f in frames) == len(baseline)


def test_an_unknown_parameter_or_command_is_refused():
    with pytest.raises(KeyError):
        SimulatedStation("S1", "123456", baseline={"Kryptonite": 1.0})
    with pytest.raises(ValueError):
        simulate("S1", "123456", start=START, count=1, cn="1062")
    with pytest.raises(ValueError):
        simulate("S1", "123456", start=START, count=1, exceed="WT")


def test_frames_can_ask_for_no_answer():
    frames = simulate("S1", "123456", start=START, count=2, answer=False)
    assert not any(parse_frame(f).answer_requested for f in frames)
