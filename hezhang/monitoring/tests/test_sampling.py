import datetime

import pytest

from hezhang.monitoring.entry import EntryError
from hezhang.monitoring.models import Evaluation, Interval, Sample, Source
from hezhang.monitoring.sampling import record_sample, refresh_evaluations
from hezhang.monitoring.tests.conftest import CLEAN, DIRTY, at


def test_a_sample_is_classed_when_it_is_stored(wq):
    done = record_sample(wq.section_b, at(1), DIRTY)
    sample = Sample.objects.get(pk=done.sample.pk)
    assert done.created
    assert sample.water_class == 6
    assert sample.item_classes["NH3N"] == 6
    assert "NH3N" in sample.main_pollutants


def test_the_same_sample_sent_twice_is_stored_once(wq):
    first = record_sample(wq.section_b, at(1), CLEAN)
    again = record_sample(wq.section_b, at(1), dict(CLEAN))
    assert not again.created
    assert again.sample.pk == first.sample.pk
    assert Sample.objects.count() == 1


def test_different_values_for_a_stored_time_are_refused_and_the_first_kept(wq):
    record_sample(wq.section_b, at(1), CLEAN)
    with pytest.raises(EntryError, match="已有数据且数值不同"):
        record_sample(wq.section_b, at(1), DIRTY)
    assert Sample.objects.get().values == CLEAN


def test_a_split_station_message_adds_its_items_to_the_same_sample(wq):
    moment = at(0.2)
    record_sample(
        wq.section_b, moment, {"NH3N": 0.3}, interval=Interval.HOUR, source=Source.AUTOMATIC, merge=True
    )
    second = record_sample(
        wq.section_b, moment, {"TP": 0.5}, interval=Interval.HOUR, source=Source.AUTOMATIC, merge=True
    )
    sample = Sample.objects.get()
    assert not second.created
    assert sample.values == {"NH3N": 0.3, "TP": 0.5}
    assert sample.water_class == 6  # TP 0.5 > 0.4 (class V limit for rivers)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"NH3N": "abc"}, "不是数值"),
        ({"NH3N": -1}, "不能小于"),
        ({"pH": 15}, "不能大于"),
        ({"XYZ": 1}, "未知的监测项目"),
        ({}, "至少需要一个"),
    ],
)
def test_bad_values_are_refused_with_a_reason(wq, values, reason):
    with pytest.raises(EntryError, match=reason):
        record_sample(wq.section_b, at(1), values)
    assert not Sample.objects.exists()


def test_a_sample_time_in_the_future_is_refused(wq):
    with pytest.raises(EntryError, match="不能晚于当前时间"):
        record_sample(wq.section_b, at(-2), CLEAN)


def test_the_month_is_the_mean_of_its_samples_against_the_target(wq):
    day = datetime.date.today().replace(day=1) - datetime.timedelta(days=20)
    first = datetime.datetime.combine(day.replace(day=3), datetime.time(9))
    second = datetime.datetime.combine(day.replace(day=17), datetime.time(9))
    record_sample(wq.section_b, first, {**CLEAN, "NH3N": 0.8})
    record_sample(wq.section_b, second, {**CLEAN, "NH3N": 1.4})
    month = Evaluation.objects.get(section=wq.section_b, period="month", start=day.replace(day=1))
    assert month.values["NH3N"] == pytest.approx(1.1)
    assert month.water_class == 4  # 1.1 mg/L ammonia is class IV
    assert month.samples == 2
    assert month.meets_target is False
    year = Evaluation.objects.get(section=wq.section_b, period="year", start=day.replace(month=1, day=1))
    assert year.water_class == 4


def test_lab_samples_decide_the_month_over_station_hourly_data(wq):
    moment = at(0.5)
    record_sample(
        wq.section_b, moment, {**CLEAN, "NH3N": 1.8}, interval=Interval.HOUR, source=Source.AUTOMATIC
    )
    record_sample(wq.section_b, moment, CLEAN)  # the lab's grab sample at the same time
    month = Evaluation.objects.get(section=wq.section_b, period="month")
    assert month.basis == Interval.SAMPLE
    assert month.water_class == 2


def test_a_month_without_samples_left_has_no_evaluation(wq):
    done = record_sample(wq.section_b, at(1), CLEAN)
    done.sample.delete()
    refresh_evaluations(wq.section_b, at(1).date())
    assert not Evaluation.objects.filter(period="month").exists()


def test_lake_samples_use_the_lake_phosphorus_limits(wq):
    section = wq.section_b
    section.water_body = wq.pond_b
    section.save()
    done = record_sample(section, at(1), {"TP": 0.08})
    assert done.sample.water_class == 4  # 0.08 is class II in a river but IV in a lake


def test_real_time_station_data_cost_no_re_evaluation_of_the_month(wq):
    record_sample(wq.section_b, at(0.3), CLEAN, interval=Interval.HOUR, source=Source.AUTOMATIC)
    before = Evaluation.objects.get(section=wq.section_b, period="month")
    record_sample(wq.section_b, at(0.2), DIRTY, interval=Interval.REALTIME, source=Source.AUTOMATIC)
    after = Evaluation.objects.get(section=wq.section_b, period="month")
    assert after.updated_at == before.updated_at
    assert after.basis == Interval.HOUR and after.water_class == 2
