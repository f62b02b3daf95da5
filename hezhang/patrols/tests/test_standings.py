"""The kept standings: the same rates as counting now, kept in step with patrols, people, offices and rules."""

import datetime

import pytest
from django.utils import timezone

from hezhang.patrols import standings
from hezhang.patrols.frequency import rate_by_level, rate_by_subregion, rate_totals, standing, standings_of
from hezhang.patrols.jobs import keep_standings
from hezhang.patrols.models import PatrollerStanding, PatrolRule, StandingDay
from hezhang.patrols.periods import calendar_period
from hezhang.patrols.tests.test_frequency import patrol, rule, take_office
from hezhang.registry.models import ChiefAssignment
from hezhang.statistics.figures import patrol_figures


@pytest.fixture
def ruled(world):
    """Weekly rules for the county's chiefs, a valid patrol of alice's township chief today, the rows kept."""
    w = take_office(world)
    rule(w.county, period="week")
    rule(w.county, period="month", times=2, chief_level=3)
    patrol(w.chief_a, timezone.localdate())
    standings.rebuild()
    return w


def tables(statuses, region):
    return (
        [(r.key, r.required, r.met) for r in rate_by_level(statuses)],
        [(r.key, r.required, r.met, r.rank) for r in rate_by_subregion(statuses, region)],
        rate_totals(statuses),
    )


def current(period):
    return calendar_period(period, timezone.localdate())


@pytest.mark.parametrize("period", standings.PERIODS)
def test_kept_standings_give_the_rates_counting_now_gives(ruled, period):
    start, end = current(period)
    for region in (None, ruled.county, ruled.town_a, ruled.town_b):
        kept = standings.kept(region, start, end)
        assert kept is not None
        assert tables(kept, region) == tables(standing(region, start, end), region)


def test_a_valid_patrol_recorded_after_the_rows_were_kept_counts_at_once(ruled):
    start, end = current("week")
    before = standings.kept(ruled.town_b, start, end)
    patrol(ruled.chief_b, timezone.localdate())
    after = standings.kept(ruled.town_b, start, end)
    assert after.met == before.met + 1
    assert tables(after, ruled.town_b) == tables(standing(ruled.town_b, start, end), ruled.town_b)


def test_a_patrol_found_invalid_later_is_taken_back(ruled):
    start, end = current("week")
    p = patrol(ruled.chief_b, timezone.localdate())
    assert standings.kept(ruled.town_b, start, end).met == 1
    p.is_valid = False
    p.save()
    assert standings.kept(ruled.town_b, start, end).met == 0


def test_a_chief_who_leaves_office_is_no_longer_asked_to_patrol(ruled):
    start, end = current("month")
    required = standings.kept(ruled.town_b, start, end).required
    ChiefAssignment.objects.filter(chief=ruled.chief_b).update(end_date=datetime.date(2020, 6, 30))
    # update() goes around the signals: a save of one of them is what the pages do.
    ChiefAssignment.objects.filter(chief=ruled.chief_b).first().save()
    assert standings.kept(ruled.town_b, start, end).required == required - 1
    assert tables(standings.kept(None, start, end), None) == tables(standing(None, start, end), None)


def test_a_patroller_moved_to_another_township_is_counted_there(ruled):
    start, end = current("week")
    ruled.chief_b.region = ruled.town_a
    ruled.chief_b.save()
    for region in (ruled.town_a, ruled.town_b):
        assert tables(standings.kept(region, start, end), region) == tables(
            standing(region, start, end), region
        )


def test_a_change_of_the_rules_sends_the_pages_back_to_counting_until_the_job_keeps_them_again(ruled):
    start, end = current("week")
    PatrolRule.objects.filter(period="week").update(times=5)
    PatrolRule.objects.filter(period="week").first().save()
    assert standings.kept(None, start, end) is None and standings.stale()
    keep_standings()
    kept = standings.kept(None, start, end)
    assert kept is not None and kept.met == 0
    assert tables(kept, None) == tables(standing(None, start, end), None)


def test_yesterdays_rows_are_not_read_today_and_the_job_judges_everyone_again(ruled):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    standings.rebuild(today=yesterday)
    start, end = current("month")
    assert standings.kept(None, start, end) is None and standings.stale()
    keep_standings()
    assert not standings.stale() and standings.kept(None, start, end) is not None
    assert StandingDay.objects.count() == 4


def test_patrols_recorded_while_the_rows_are_stale_leave_them_alone(ruled):
    standings.forget()
    rows = list(PatrollerStanding.objects.values_list("patroller", "period", "met").order_by("pk"))
    patrol(ruled.chief_b, timezone.localdate())
    assert list(PatrollerStanding.objects.values_list("patroller", "period", "met").order_by("pk")) == rows


def test_a_custom_range_is_counted_as_asked(ruled):
    start, end = current("month")
    assert standings.kept(None, start, end - datetime.timedelta(days=1)) is None
    assert isinstance(standings_of(None, start, start), type(standing(None, start, start)))


def test_the_rates_page_from_kept_rows_shows_what_counting_now_shows(ruled, login):
    client = login(ruled.county_office)
    kept = client.get("/patrols/rates/?period=month")
    standings.forget()
    live = client.get("/patrols/rates/?period=month")
    for name in ("by_level", "by_region"):
        assert [(r.key, r.required, r.met, r.rank) for r in kept.context[name]] == [
            (r.key, r.required, r.met, r.rank) for r in live.context[name]
        ]
    assert (kept.context["total"], kept.context["total_met"]) == (
        live.context["total"],
        live.context["total_met"],
    )
    assert [s.user_id for s, _tags in kept.context["unmet"]] == [
        s.user_id for s, _tags in live.context["unmet"]
    ]
    assert [tags for _s, tags in kept.context["unmet"]] == [tags for _s, tags in live.context["unmet"]]
    assert kept.context["unmet_count"] == live.context["unmet_count"] > 0


def test_the_statistics_of_a_kept_period_are_those_counted_now(ruled):
    start, end = current("quarter")
    kept = patrol_figures(ruled.county, start, end)
    standings.forget()
    live = patrol_figures(ruled.county, start, end)
    assert kept == live


def test_a_region_re_coded_sends_the_pages_back_to_counting_until_the_job_keeps_them_again(ruled):
    start, end = current("week")
    town = ruled.town_b
    town.code = town.code[:6] + "777" + town.code[9:]
    town.save()
    assert standings.kept(None, start, end) is None and standings.stale()
    keep_standings()
    assert tables(standings.kept(None, start, end), None) == tables(standing(None, start, end), None)


def test_the_list_of_patrollers_missing_their_rule_is_in_the_order_counting_now_gives(ruled):
    start, end = current("month")
    for name, who in (("Zhao", ruled.chief_b), ("zhang", ruled.county_chief), ("钱乡长", ruled.chief_a)):
        who.name = name
        who.save()
    kept = standings.kept(ruled.county, start, end)
    live = standing(ruled.county, start, end, names=True)
    assert len(live.unmet()) >= 2
    assert list(kept.unmet().values_list("patroller_id", flat=True)) == live.ids[live.unmet()].tolist()
