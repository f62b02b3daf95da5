"""Patrol frequency: rule periods (旬, seasons), the patrol rate by level and sub-region, blank spots, the pages."""

import datetime

import pytest
from django.utils import timezone

from hezhang.patrols import roster
from hezhang.patrols.frequency import blank_spots, patrol_status, rate_by_level, rate_by_subregion, standing
from hezhang.patrols.models import Patrol, PatrolRule
from hezhang.patrols.periods import calendar_period, period_label, rule_periods
from hezhang.registry.models import ChiefAssignment

D = datetime.date
MAY = (D(2024, 5, 1), D(2024, 5, 31))


class Rule:
    def __init__(self, period, times=1):
        self.period, self.times = period, times


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def patrol(user, day, *, valid=True, reaches=(), hour=9):
    p = Patrol.objects.create(
        patroller=user,
        role=user.role,
        chief_level=user.chief_level,
        region=user.region,
        started_at=at(day, hour),
        ended_at=at(day, hour + 1),
        is_valid=valid,
    )
    p.reaches.set(reaches)
    return p


def take_office(world):
    """The world's chiefs took office in 2020, so their assignments cover the dates below; each test sets its
    own rules instead of the platform's defaults."""
    ChiefAssignment.objects.filter(end_date=None).update(start_date=D(2020, 1, 1))
    # update() goes around the signals that keep the roster: what is written so is followed by a rebuild.
    roster.rebuild()
    PatrolRule.objects.all().delete()
    return world


@pytest.fixture
def chiefs(world):
    return take_office(world)


def rule(region, period="month", times=1, **extra):
    return PatrolRule.objects.create(region=region, role="chief", period=period, times=times, **extra)


def by_name(statuses):
    return {s.name: s for s in statuses}


# The calendar


def test_a_ten_day_period_is_the_first_second_or_last_part_of_the_month():
    assert calendar_period("ten_days", D(2024, 2, 10)) == (D(2024, 2, 1), D(2024, 2, 10))
    assert calendar_period("ten_days", D(2024, 2, 11)) == (D(2024, 2, 11), D(2024, 2, 20))
    assert calendar_period("ten_days", D(2024, 2, 25)) == (D(2024, 2, 21), D(2024, 2, 29))
    assert calendar_period("half_month", D(2024, 4, 16)) == (D(2024, 4, 16), D(2024, 4, 30))
    assert calendar_period("quarter", D(2024, 8, 9)) == (D(2024, 7, 1), D(2024, 9, 30))
    assert calendar_period("half_year", D(2024, 8, 9)) == (D(2024, 7, 1), D(2024, 12, 31))
    assert calendar_period("week", D(2024, 5, 1)) == (D(2024, 4, 29), D(2024, 5, 5))


def test_periods_that_straddle_the_range_count_whole():
    weekly = Rule("week")
    weeks = rule_periods(lambda month: weekly, *MAY)
    assert [(p.start, p.end) for p in weeks][0] == (D(2024, 4, 29), D(2024, 5, 5))
    assert [(p.start, p.end) for p in weeks][-1] == (D(2024, 5, 27), D(2024, 6, 2))
    assert len(weeks) == 5
    monthly = Rule("month")
    month = rule_periods(lambda month: monthly, D(2024, 5, 13), D(2024, 5, 19))
    assert [(p.start, p.end) for p in month] == [MAY]


def test_a_seasonal_rule_takes_over_in_its_months_and_cuts_the_week_it_starts_in():
    monthly, weekly = Rule("month"), Rule("week", 2)
    periods = rule_periods(lambda m: weekly if m in (6, 7, 8, 9) else monthly, D(2024, 5, 15), D(2024, 6, 15))
    assert [(p.start, p.end, p.rule.times) for p in periods] == [
        (D(2024, 5, 1), D(2024, 5, 31), 1),
        (D(2024, 6, 1), D(2024, 6, 2), 2),
        (D(2024, 6, 3), D(2024, 6, 9), 2),
        (D(2024, 6, 10), D(2024, 6, 16), 2),
    ]


def test_no_rule_means_no_periods():
    assert rule_periods(lambda m: None, *MAY) == []


def test_periods_are_named_as_people_name_them():
    assert period_label("ten_days", D(2024, 5, 11), D(2024, 5, 20)) == "2024年5月中旬"
    assert period_label("quarter", D(2024, 4, 1), D(2024, 6, 30)) == "2024年第二季度"
    assert period_label("week", D(2024, 5, 13), D(2024, 5, 19)) == "2024年5月13日至5月19日"


# Who meets their rule


def test_rate_by_level_and_by_sub_region_with_a_ranking(chiefs):
    w = chiefs
    rule(w.county, times=2)
    patrol(w.chief_a, D(2024, 5, 3))
    patrol(w.chief_a, D(2024, 5, 20))
    patrol(w.chief_b, D(2024, 5, 3))
    patrol(w.chief_b, D(2024, 5, 4), valid=False)
    statuses = patrol_status(w.county, *MAY, today=D(2024, 6, 1))
    people = by_name(statuses)
    assert set(people) == {"赵镇长", "钱乡长", "孙书记"}
    assert (people["赵镇长"].met, people["钱乡长"].met, people["孙书记"].met) == (True, False, False)
    assert (people["钱乡长"].done, people["钱乡长"].required) == (1, 2)

    levels = {row.key: (row.required, row.met) for row in rate_by_level(statuses)}
    assert levels == {"3": (1, 0), "4": (2, 1)}

    rows = rate_by_subregion(statuses, w.county)
    assert [(r.label, r.rank, r.required, r.met) for r in rows] == [
        ("东坝镇", 1, 1, 1),
        ("西河乡", 2, 1, 0),
        ("本级", None, 1, 0),
    ]
    assert rows[0].percent == "100.0%" and rows[1].percent == "0.0%"


def test_every_ten_day_period_must_be_met_not_just_the_total(chiefs):
    w = chiefs
    rule(w.county, period="ten_days")
    for day in (5, 15, 25):
        patrol(w.chief_a, D(2024, 5, day))
    for day in (5, 6, 25):
        patrol(w.chief_b, D(2024, 5, day))
    people = by_name(patrol_status(w.county, *MAY, today=D(2024, 6, 1)))
    assert people["赵镇长"].met is True
    assert people["钱乡长"].met is False and people["钱乡长"].done == people["钱乡长"].required == 3
    assert [p.done for p in people["钱乡长"].periods] == [2, 0, 1]


def test_a_flood_season_rule_applies_in_its_months(chiefs):
    w = chiefs
    rule(w.county, period="month")
    rule(w.county, period="week", months=[6, 7, 8, 9])
    patrol(w.chief_a, D(2024, 6, 4))  # one patrol: enough for May's month, not for June's weeks
    june = patrol_status(w.town_a, D(2024, 6, 1), D(2024, 6, 30), today=D(2024, 7, 1))
    assert [p.rule.period for p in june[0].periods] == ["week"] * 5 and june[0].met is False
    may = patrol_status(w.town_a, D(2024, 5, 1), D(2024, 5, 31), today=D(2024, 7, 1))
    assert may[0].periods[0].rule.period == "month" and may[0].met is False  # the patrol was in June


def test_the_most_specific_rule_wins(chiefs):
    w = chiefs
    rule(None, period="year")
    rule(w.town_a, period="week")
    people = by_name(patrol_status(w.county, *MAY, today=D(2024, 6, 1)))
    assert people["赵镇长"].rule.period == "week" and people["钱乡长"].rule.period == "year"


def test_a_period_still_running_leaves_the_patroller_pending_not_overdue(chiefs):
    w = chiefs
    rule(w.county, period="month")
    status = patrol_status(w.town_a, *MAY, today=D(2024, 5, 20))[0]
    assert not status.met and status.pending and not status.overdue
    status = patrol_status(w.town_a, *MAY, today=D(2024, 6, 1))[0]
    assert not status.met and status.overdue


def test_chiefs_out_of_office_and_people_without_a_rule_are_not_counted(chiefs):
    w = chiefs
    rule(w.town_a)
    ChiefAssignment.objects.filter(chief=w.chief_a).update(end_date=D(2023, 12, 31))
    roster.rebuild()
    assert standing(w.county, *MAY, today=D(2024, 6, 1)).ids.tolist() == []
    assert patrol_status(w.county, *MAY, today=D(2024, 6, 1)) == []


def test_the_count_is_a_handful_of_queries_whatever_the_number_of_patrollers(
    chiefs, django_assert_max_num_queries
):
    rule(chiefs.county)
    with django_assert_max_num_queries(4):
        assert len(patrol_status(chiefs.county, *MAY)) == 3


def test_blank_spots_are_reaches_without_a_valid_patrol_in_the_range(chiefs):
    w = chiefs
    patrol(w.chief_a, D(2024, 5, 3), reaches=[w.reach_a])
    patrol(w.chief_b, D(2024, 5, 3), reaches=[w.reach_b], valid=False)
    patrol(w.chief_b, D(2024, 6, 3), reaches=[w.reach_b])
    assert list(blank_spots(w.county, *MAY)) == [w.reach_b]
    assert list(blank_spots(w.town_a, *MAY)) == []
    assert set(blank_spots(w.county, D(2024, 4, 1), D(2024, 4, 30))) == {w.reach_a, w.reach_b}


# The pages


def test_a_township_office_sees_only_its_subtree(chiefs, login):
    w = chiefs
    rule(w.county)
    client = login(w.alice)
    page = client.get("/patrols/rates/").content.decode()
    assert "赵镇长" in page and "钱乡长" not in page and 'href="tel:13900000001"' in page
    page = client.get(f"/patrols/rates/?region={w.town_b.pk}").content.decode()
    assert "钱乡长" not in page
    spots = client.get("/patrols/blank-spots/").content.decode()
    assert "清水河东坝段" in spots and "清水河西河段" not in spots


def test_the_county_office_ranks_its_townships_and_drills_down(chiefs, login):
    w = chiefs
    rule(w.county)
    patrol(w.chief_b, timezone.localdate())
    client = login(w.county_office)
    response = client.get("/patrols/rates/?period=month")
    assert response.status_code == 200
    ranked = [row.label for row in response.context["by_region"]]
    assert ranked == ["西河乡", "东坝镇", "本级"]
    assert f'href="?region={w.town_a.pk}&amp;period=month"' in response.content.decode()
    down = client.get(f"/patrols/rates/?region={w.town_a.pk}&period=month")
    assert down.context["region"] == w.town_a and [row.label for row in down.context["by_region"]] == [
        "柳庄村",
        "本级",
    ]


def test_custom_dates_are_checked(chiefs, login):
    client = login(chiefs.county_office)
    response = client.get("/patrols/rates/?period=custom&start=2024-05-31&end=2024-05-01")
    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()
    response = client.get("/patrols/rates/?period=custom&start=2024-05-01&end=2024-05-31")
    assert (response.context["start"], response.context["end"]) == MAY


def test_a_chief_sees_the_rates_without_phone_numbers(chiefs, login):
    rule(chiefs.county)
    page = login(chiefs.county_chief).get("/patrols/rates/").content.decode()
    assert "赵镇长" in page and "tel:" not in page


def test_the_pages_need_a_login(client):
    assert client.get("/patrols/rates/").status_code == 302
    assert client.get("/patrols/blank-spots/").status_code == 302


def test_a_platform_admin_starts_from_the_whole_platform(chiefs, login):
    rule(chiefs.county)
    response = login(chiefs.admin).get("/patrols/rates/")
    assert response.context["region"] is None
    assert [(row.label, row.required) for row in response.context["by_region"]] == [("河北省", 3)]


def test_periods_that_have_not_begun_ask_nothing_yet(chiefs):
    rule(chiefs.county, period="month")
    status = patrol_status(chiefs.town_a, D(2024, 1, 1), D(2024, 12, 31), today=D(2024, 3, 5))[0]
    assert [p.start.month for p in status.periods] == [1, 2, 3]
    assert patrol_status(chiefs.town_a, D(2025, 1, 1), D(2025, 1, 31), today=D(2024, 3, 5)) == []


def test_the_list_of_patrollers_missing_their_rule_comes_a_page_at_a_time_keeping_the_region(
    chiefs, login, monkeypatch
):
    from hezhang.patrols.rate_views import PatrolRates

    w = chiefs
    rule(w.county)
    monkeypatch.setattr(PatrolRates, "page_size", 1)
    client = login(w.county_office)
    first = client.get(f"/patrols/rates/?region={w.county.pk}&period=month")
    assert first.context["unmet_count"] == 3 and len(first.context["unmet"].object_list) == 1
    assert f"?region={w.county.pk}&amp;period=month&page=2" in first.content.decode()


def test_patrols_in_several_regions_and_on_either_side_of_new_year_count_in_one_week(chiefs):
    w = chiefs
    rule(w.county, period="week", times=2)
    patrol(w.chief_a, D(2024, 12, 31))
    p = patrol(w.chief_a, D(2025, 1, 2))
    p.region = w.town_b  # a reach of the other township
    p.save()
    status = by_name(patrol_status(w.county, D(2025, 1, 1), D(2025, 1, 5), today=D(2025, 1, 6)))["赵镇长"]
    assert [(x.start, x.end, x.done) for x in status.periods] == [(D(2024, 12, 30), D(2025, 1, 5), 2)]
    assert status.met


def test_two_valid_patrols_on_one_day_are_two(chiefs):
    w = chiefs
    rule(w.county, period="week", times=3)
    for hour in (8, 10, 14):
        patrol(w.chief_a, D(2024, 5, 6), hour=hour)
    patrol(w.chief_a, D(2024, 5, 7), valid=False)
    status = by_name(patrol_status(w.county, D(2024, 5, 6), D(2024, 5, 12), today=D(2024, 5, 13)))["赵镇长"]
    assert status.done == 3 and status.met


def test_grid_members_and_delegates_each_get_their_own_rule(chiefs, django_user_model):
    w = chiefs
    django_user_model.objects.create_user(username="grid", role="grid", region=w.village_a, name="网格员")
    delegate = django_user_model.objects.create_user(
        username="rep", role="delegate", region=w.village_a, name="代表"
    )
    PatrolRule.objects.create(role="grid", period="week", times=2)
    PatrolRule.objects.create(role="delegate", period="month", times=1)
    patrol(delegate, D(2024, 5, 3))
    people = by_name(patrol_status(w.county, *MAY, today=D(2024, 6, 1)))
    assert (
        people["网格员"].rule.period == "week"
        and len(people["网格员"].periods) == 5
        and not people["网格员"].met
    )
    assert people["代表"].rule.period == "month" and people["代表"].met
    assert (people["网格员"].category, people["代表"].category) == ("grid", "delegate")


def test_a_chief_without_a_level_of_their_own_has_their_highest_assignments(chiefs):
    w = chiefs
    w.chief_a.chief_level = None
    w.chief_a.save()
    ChiefAssignment.objects.create(
        chief=w.chief_a, water_body=w.river, region=w.county, level=3, start_date=D(2020, 1, 1)
    )
    rule(w.county)
    status = by_name(patrol_status(w.county, *MAY, today=D(2024, 6, 1)))["赵镇长"]
    assert status.level == 3 and status.category == "3"


def test_who_patrolled_counts_everyone_with_a_patrol_there_valid_or_not(chiefs):
    from hezhang.patrols.frequency import patrolled_by

    w = chiefs
    patrol(w.chief_a, D(2024, 5, 3), valid=False)
    patrol(w.chief_a, D(2024, 5, 4))
    patrol(w.chief_b, D(2024, 5, 31))
    patrol(w.alice, D(2024, 5, 10))  # an office worker's patrol counts too
    patrol(w.county_chief, D(2024, 6, 1))  # the day after
    assert patrolled_by(w.county, *MAY) == 3
    assert patrolled_by(w.town_a, *MAY) == 2 and patrolled_by(w.town_a, D(2024, 5, 5), D(2024, 5, 9)) == 0
    assert patrolled_by(None, D(2024, 5, 31), D(2024, 6, 1)) == 2
    # Whole years are counted by their rows, a patroller once however many regions they patrolled in.
    patrol(w.chief_a, D(2025, 3, 1))
    w.chief_a.region = w.town_b
    w.chief_a.save()
    patrol(w.chief_a, D(2024, 7, 1))
    assert patrolled_by(w.county, D(2024, 1, 1), D(2024, 12, 31)) == 4
    assert patrolled_by(w.town_b, D(2024, 1, 1), D(2024, 12, 31)) == 2
    assert patrolled_by(w.county, D(2024, 1, 1), D(2025, 12, 31)) == 4
    assert patrolled_by(w.county, D(2025, 1, 1), D(2025, 12, 31)) == 1


def test_the_rates_page_shows_each_period_of_a_patroller_missing_their_rule_coloured_by_its_standing(
    chiefs, login
):
    w = chiefs
    rule(w.county, period="week")
    patrol(w.chief_a, D(2024, 5, 8))
    page = login(w.county_office).get("/patrols/rates/?period=custom&start=2024-05-01&end=2024-05-31")
    html = page.content.decode()
    assert '<span class="tag red" title="2024-04-29 — 2024-05-05">4/29–5/5 0/1</span>' in html
    assert '<span class="tag green" title="2024-05-06 — 2024-05-12">5/6–5/12 1/1</span>' in html
