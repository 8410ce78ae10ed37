"""Business-time engine: every SLA.md example, DST, calendar features, pauses, validation."""

import subprocess
import sys
import time as timer
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from okno.sla.businesstime import Calendar, CalendarError, NoWorkingTimeError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MOSCOW = ZoneInfo("Europe/Moscow")
H = 3600
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def weekdays(start="08:00", end="17:00"):
    return {day: [[start, end]] for day in WORKDAYS}


def at(zone, *args):
    return datetime(*args, tzinfo=zone)


def local(moment, zone):
    assert moment.utcoffset() == timedelta(0), "the engine returns UTC"
    return moment.astimezone(zone).replace(tzinfo=zone)


@pytest.fixture
def berlin():
    return Calendar("Europe/Berlin", weekdays())


# --- SLA.md examples --------------------------------------------------------------------------


def test_example_friday_night_to_monday_morning_is_90_business_minutes_and_60h30_real(berlin):
    friday_2100 = at(BERLIN, 2026, 3, 6, 21)
    monday_0930 = at(BERLIN, 2026, 3, 9, 9, 30)
    assert berlin.elapsed(friday_2100, monday_0930) == 1 * H + 30 * 60
    assert (monday_0930 - friday_2100).total_seconds() == 60 * H + 30 * 60


def test_example_monday_0900_plus_24_business_hours_on_9_to_17_is_wednesday_1700():
    calendar = Calendar("Europe/Berlin", weekdays("09:00", "17:00"))
    due = calendar.due(at(BERLIN, 2026, 3, 9, 9), 24 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 11, 17)


def test_example_new_york_24x7_saturday_noon_plus_24h_is_sunday_1300_edt():
    calendar = Calendar.always("America/New_York")
    due = calendar.due(at(NEW_YORK, 2024, 3, 9, 12), 24 * H)
    assert due.astimezone(NEW_YORK).isoformat() == "2024-03-10T13:00:00-04:00"


def test_example_overnight_shift_monday_2300_plus_4h_is_tuesday_0300():
    calendar = Calendar("Europe/Moscow", {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]})
    due = calendar.due(at(MOSCOW, 2026, 3, 9, 23), 4 * H)
    assert local(due, MOSCOW) == at(MOSCOW, 2026, 3, 10, 3)


def test_example_tuesday_1600_plus_4h_is_wednesday_1100(berlin):
    due = berlin.due(at(BERLIN, 2026, 3, 10, 16), 4 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 11, 11)


def test_example_holiday_added_on_that_wednesday_moves_due_to_thursday_1100():
    calendar = Calendar("Europe/Berlin", weekdays(), holidays=["2026-03-11"], version=2)
    due = calendar.due(at(BERLIN, 2026, 3, 10, 16), 4 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 12, 11)


def test_example_pause_monday_1600_to_tuesday_1000_moves_8h_due_to_tuesday_1100(berlin):
    pause = (at(BERLIN, 2026, 3, 9, 16), at(BERLIN, 2026, 3, 10, 10))
    due = berlin.due(at(BERLIN, 2026, 3, 9, 9), 8 * H, [pause])
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 10, 11)


# --- rules from SLA.md ------------------------------------------------------------------------


def test_created_outside_hours_starts_counting_at_next_working_instant(berlin):
    due = berlin.due(at(BERLIN, 2026, 3, 7, 10), 1 * H)  # Saturday
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 9)


def test_zero_target_inside_hours_is_the_start_itself(berlin):
    start = at(BERLIN, 2026, 3, 9, 10, 15, 30, 123456)
    assert berlin.due(start, 0) == start


def test_zero_target_outside_hours_is_the_next_working_instant(berlin):
    assert local(berlin.due(at(BERLIN, 2026, 3, 7, 10), 0), BERLIN) == at(BERLIN, 2026, 3, 9, 8)


def test_zero_target_at_window_end_is_next_morning_because_windows_are_half_open(berlin):
    due = berlin.due(at(BERLIN, 2026, 3, 9, 17), 0)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 10, 8)


def test_due_landing_exactly_on_window_end_is_that_end_not_next_morning(berlin):
    assert local(berlin.due(at(BERLIN, 2026, 3, 9, 8), 9 * H), BERLIN) == at(BERLIN, 2026, 3, 9, 17)
    assert local(berlin.due(at(BERLIN, 2026, 3, 9, 16), 1 * H), BERLIN) == at(
        BERLIN, 2026, 3, 9, 17
    )


def test_breach_compares_instants_not_rounded_percentages(berlin):
    due = berlin.due(at(BERLIN, 2026, 3, 9, 8), 1)
    assert due - timedelta(microseconds=1) < due
    assert berlin.elapsed(at(BERLIN, 2026, 3, 9, 8), due - timedelta(microseconds=1)) < 1


def test_due_and_elapsed_keep_microseconds_exactly(berlin):
    start = at(BERLIN, 2026, 3, 9, 8, 0, 0, 1)
    due = berlin.due(start, 0.5)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 8, 0, 0, 500001)
    assert berlin.elapsed(start, due) == 0.5


def test_elapsed_is_zero_for_an_empty_or_reversed_interval(berlin):
    moment = at(BERLIN, 2026, 3, 9, 10)
    assert berlin.elapsed(moment, moment) == 0
    assert berlin.elapsed(moment, moment - timedelta(hours=1)) == 0


def test_results_are_utc_and_inputs_may_be_in_any_zone(berlin):
    due = berlin.due(datetime(2026, 3, 9, 8, tzinfo=UTC), 1 * H)  # 09:00 in Berlin
    assert due.tzinfo == UTC
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 10)


def test_naive_datetimes_are_rejected(berlin):
    with pytest.raises(ValueError, match="naive"):
        berlin.due(datetime(2026, 3, 9, 10), 60)


def test_negative_targets_are_rejected(berlin):
    with pytest.raises(ValueError, match="negative"):
        berlin.due(at(BERLIN, 2026, 3, 9, 10), -1)


# --- daylight saving time ---------------------------------------------------------------------


def test_24x7_across_fall_back_counts_real_seconds():
    calendar = Calendar.always("America/New_York")
    due = calendar.due(at(NEW_YORK, 2024, 11, 2, 12), 24 * H)
    assert due.astimezone(NEW_YORK).isoformat() == "2024-11-03T11:00:00-05:00"


def test_24x7_spring_forward_day_has_23_hours_and_fall_back_day_25():
    calendar = Calendar("Europe/Berlin", {day: [["00:00", "24:00"]] for day in ("sat", "sun")})
    assert calendar.elapsed(at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30)) == 23 * H
    assert calendar.elapsed(at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26)) == 25 * H


def test_window_starting_at_0230_in_new_york_spring_gap_moves_forward_to_0330_edt():
    calendar = Calendar("America/New_York", {"sun": [["02:30", "06:00"]]})
    sunday = at(NEW_YORK, 2024, 3, 10)
    start = calendar.next_working_instant(sunday)
    assert start.astimezone(NEW_YORK).isoformat() == "2024-03-10T03:30:00-04:00"
    assert calendar.elapsed(sunday, at(NEW_YORK, 2024, 3, 11)) == 2 * H + 30 * 60


def test_window_starting_at_0230_in_berlin_spring_gap_moves_forward_to_0330_cest():
    calendar = Calendar("Europe/Berlin", {"sun": [["02:30", "04:00"]]})
    start = calendar.next_working_instant(at(BERLIN, 2026, 3, 29))
    assert start.astimezone(BERLIN).isoformat() == "2026-03-29T03:30:00+02:00"
    assert calendar.elapsed(at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30)) == 30 * 60


def test_window_ending_in_the_spring_gap_ends_after_the_gap():
    calendar = Calendar("America/New_York", {"sun": [["00:00", "02:30"]]})
    sunday = at(NEW_YORK, 2024, 3, 10)
    # 00:00 EST to 02:30 EST(=03:30 EDT) is 2.5 real hours
    assert calendar.elapsed(sunday, at(NEW_YORK, 2024, 3, 11)) == 2 * H + 30 * 60
    due = calendar.due(sunday, 2 * H + 30 * 60)
    assert due.astimezone(NEW_YORK).isoformat() == "2024-03-10T03:30:00-04:00"


def test_window_wholly_inside_the_spring_gap_still_counts_after_moving_forward():
    calendar = Calendar("America/New_York", {"sun": [["02:00", "02:30"]]})
    assert calendar.elapsed(at(NEW_YORK, 2024, 3, 10), at(NEW_YORK, 2024, 3, 11)) == 30 * 60


def test_window_moved_by_the_gap_merges_with_a_later_window_it_now_overlaps():
    calendar = Calendar("America/New_York", {"sun": [["02:30", "02:45"], ["03:00", "03:10"]]})
    # 02:30-02:45 becomes 03:30-03:45 EDT, after the 03:00-03:10 window
    assert calendar.elapsed(at(NEW_YORK, 2024, 3, 10), at(NEW_YORK, 2024, 3, 11)) == 25 * 60
    start = calendar.next_working_instant(at(NEW_YORK, 2024, 3, 10))
    assert start.astimezone(NEW_YORK).isoformat() == "2024-03-10T03:00:00-04:00"


def test_ambiguous_fall_back_window_start_takes_the_first_occurrence_in_new_york():
    calendar = Calendar("America/New_York", {"sun": [["01:30", "03:00"]]})
    start = calendar.next_working_instant(at(NEW_YORK, 2024, 11, 3))
    assert start.astimezone(NEW_YORK).isoformat() == "2024-11-03T01:30:00-04:00"
    # 01:30 EDT to 03:00 EST is 2.5 real hours
    assert calendar.elapsed(at(NEW_YORK, 2024, 11, 3), at(NEW_YORK, 2024, 11, 4)) == 2 * H + 30 * 60


def test_ambiguous_fall_back_window_at_0230_in_berlin_counts_two_real_hours():
    calendar = Calendar("Europe/Berlin", {"sun": [["02:30", "03:30"]]})
    start = calendar.next_working_instant(at(BERLIN, 2026, 10, 25))
    assert start.astimezone(BERLIN).isoformat() == "2026-10-25T02:30:00+02:00"
    assert calendar.elapsed(at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26)) == 2 * H


def test_office_hours_over_a_dst_weekend_stay_on_local_wall_clock():
    calendar = Calendar("America/New_York", weekdays())
    due = calendar.due(at(NEW_YORK, 2024, 3, 8, 16), 2 * H)
    assert due.astimezone(NEW_YORK).isoformat() == "2024-03-11T09:00:00-04:00"


# --- calendar features ------------------------------------------------------------------------


def test_holiday_is_skipped_whole():
    calendar = Calendar("Europe/Berlin", weekdays(), holidays=[date(2026, 3, 10)])
    due = calendar.due(at(BERLIN, 2026, 3, 9, 16), 2 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 11, 9)


def test_shift_shortens_a_pre_holiday_day():
    calendar = Calendar("Europe/Berlin", weekdays(), shifts={"2026-03-06": [["08:00", "12:00"]]})
    due = calendar.due(at(BERLIN, 2026, 3, 6, 11), 2 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 9)


def test_shift_turns_a_saturday_into_a_working_day():
    calendar = Calendar("Europe/Moscow", weekdays(), shifts={"2026-03-07": [["09:00", "15:00"]]})
    due = calendar.due(at(MOSCOW, 2026, 3, 6, 16), 2 * H)
    assert local(due, MOSCOW) == at(MOSCOW, 2026, 3, 7, 10)


def test_empty_shift_makes_a_weekday_a_day_off():
    calendar = Calendar("Europe/Berlin", weekdays(), shifts={"2026-03-10": []})
    due = calendar.due(at(BERLIN, 2026, 3, 9, 16), 2 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 11, 9)


def test_holiday_wins_over_a_shift_on_the_same_date():
    calendar = Calendar(
        "Europe/Berlin",
        weekdays(),
        holidays=["2026-03-07"],
        shifts={"2026-03-07": [["09:00", "15:00"]]},
    )
    assert not calendar.is_working_day(date(2026, 3, 7))


def test_break_removes_an_interval_on_one_date_only():
    calendar = Calendar("Europe/Berlin", weekdays(), breaks={"2026-03-05": [["12:00", "13:00"]]})
    due = calendar.due(at(BERLIN, 2026, 3, 5, 11), 2 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 5, 14)
    due = calendar.due(at(BERLIN, 2026, 3, 12, 11), 2 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 12, 13)


def test_several_windows_per_day_with_a_lunch_gap():
    calendar = Calendar("Europe/Berlin", {"mon": [["13:00", "17:00"], ["08:00", "12:00"]]})
    assert calendar.hours is not None
    assert calendar.hours[0] == ((8 * H, 12 * H), (13 * H, 17 * H))
    due = calendar.due(at(BERLIN, 2026, 3, 9, 11), 2 * H)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 14)


def test_touching_windows_merge_and_24_00_closes_the_day():
    calendar = Calendar("UTC", {"mon": [["00:00", "12:00"], ["12:00", "24:00"]]})
    assert calendar.hours is not None
    assert calendar.hours[0] == ((0, 24 * H),)
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    assert calendar.due(monday, 24 * H) == datetime(2026, 3, 10, tzinfo=UTC)


def test_overnight_shift_written_as_two_windows_is_one_continuous_window():
    calendar = Calendar("Europe/Moscow", {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]})
    explanation = calendar.explain(at(MOSCOW, 2026, 3, 9, 22), 8 * H)
    assert [(w.start.hour, w.end.hour, w.seconds) for w in explanation.windows] == [(22, 6, 8 * H)]


def test_overnight_shift_across_new_year_merges_between_expanded_years():
    calendar = Calendar("UTC", {"wed": [["22:00", "24:00"]], "thu": [["00:00", "06:00"]]})
    wednesday = datetime(2025, 12, 31, 22, tzinfo=UTC)
    assert calendar.due(wednesday, 8 * H) == datetime(2026, 1, 1, 6, tzinfo=UTC)
    assert calendar.next_working_instant(datetime(2026, 1, 1, 3, tzinfo=UTC)).hour == 3


def test_no_hours_means_24x7_but_holidays_still_apply():
    calendar = Calendar("UTC", None, holidays=["2026-03-10"])
    due = calendar.due(datetime(2026, 3, 9, 12, tzinfo=UTC), 24 * H)
    assert due == datetime(2026, 3, 11, 12, tzinfo=UTC)


def test_calendar_is_hashable_and_equal_by_value():
    one = Calendar("Europe/Berlin", weekdays(), holidays=["2026-01-01"])
    two = Calendar("Europe/Berlin", weekdays(), holidays=[date(2026, 1, 1)])
    assert one == two
    assert hash(one) == hash(two)
    assert one != Calendar("Europe/Berlin", weekdays(), holidays=["2026-01-01"], version=1)


# --- pauses -----------------------------------------------------------------------------------


def test_pause_outside_working_time_changes_nothing(berlin):
    start = at(BERLIN, 2026, 3, 6, 15)
    weekend = (at(BERLIN, 2026, 3, 6, 18), at(BERLIN, 2026, 3, 9, 7))
    assert berlin.due(start, 4 * H, [weekend]) == berlin.due(start, 4 * H)
    assert berlin.elapsed(start, at(BERLIN, 2026, 3, 9, 12), [weekend]) == 6 * H


def test_pause_extends_due_by_business_overlap_only(berlin):
    pause = (at(BERLIN, 2026, 3, 9, 16), at(BERLIN, 2026, 3, 9, 20))  # 1 working hour
    due = berlin.due(at(BERLIN, 2026, 3, 9, 9), 8 * H, [pause])
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 10, 9)


def test_elapsed_subtracts_working_overlap_of_pauses(berlin):
    pause = (at(BERLIN, 2026, 3, 9, 16), at(BERLIN, 2026, 3, 10, 10))
    assert berlin.elapsed(at(BERLIN, 2026, 3, 9, 9), at(BERLIN, 2026, 3, 10, 12), [pause]) == 9 * H


def test_overlapping_and_unsorted_pauses_count_once(berlin):
    pauses = [
        (at(BERLIN, 2026, 3, 9, 12), at(BERLIN, 2026, 3, 9, 14)),
        (at(BERLIN, 2026, 3, 9, 10), at(BERLIN, 2026, 3, 9, 13)),
    ]
    assert berlin.elapsed(at(BERLIN, 2026, 3, 9, 8), at(BERLIN, 2026, 3, 9, 17), pauses) == 5 * H


def test_pause_that_began_before_start_delays_the_clock(berlin):
    pause = (at(BERLIN, 2026, 3, 9, 7), at(BERLIN, 2026, 3, 9, 10))
    due = berlin.due(at(BERLIN, 2026, 3, 9, 9), 1 * H, [pause])
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 11)


def test_open_ended_pause_holds_the_clock_without_a_due_time(berlin):
    pause = (at(BERLIN, 2026, 3, 9, 10), None)
    assert berlin.due(at(BERLIN, 2026, 3, 9, 9), 2 * H, [pause]) is None
    assert berlin.elapsed(at(BERLIN, 2026, 3, 9, 9), at(BERLIN, 2026, 3, 12, 9), [pause]) == 1 * H


def test_open_ended_pause_after_the_due_time_does_not_matter(berlin):
    pause = (at(BERLIN, 2026, 3, 9, 12), None)
    due = berlin.due(at(BERLIN, 2026, 3, 9, 9), 2 * H, [pause])
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 11)


def test_zero_target_skips_a_pause_covering_the_first_working_instant(berlin):
    pause = (at(BERLIN, 2026, 3, 9, 7), at(BERLIN, 2026, 3, 9, 9))
    due = berlin.due(at(BERLIN, 2026, 3, 7, 9), 0, [pause])
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 9)


def test_pause_ending_before_it_starts_is_rejected(berlin):
    with pytest.raises(ValueError, match=r"pauses\[0\]"):
        berlin.elapsed(
            at(BERLIN, 2026, 3, 9, 8),
            at(BERLIN, 2026, 3, 9, 17),
            [(at(BERLIN, 2026, 3, 9, 12), at(BERLIN, 2026, 3, 9, 11))],
        )


# --- business days ----------------------------------------------------------------------------


def test_one_business_day_is_the_next_working_day_same_local_time(berlin):
    due = berlin.add_business_days(at(BERLIN, 2026, 3, 9, 10, 17), 1)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 10, 10, 17)


def test_business_days_skip_weekends_and_holidays():
    calendar = Calendar("Europe/Berlin", weekdays(), holidays=["2026-03-09"])
    due = calendar.add_business_days(at(BERLIN, 2026, 3, 6, 10), 2)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 11, 10)


def test_business_days_from_outside_hours_start_at_the_next_working_instant(berlin):
    due = berlin.add_business_days(at(BERLIN, 2026, 3, 6, 20), 1)  # Friday evening
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 10, 8)


def test_business_day_landing_outside_a_shortened_day_moves_to_the_next_working_instant():
    calendar = Calendar("Europe/Berlin", weekdays(), shifts={"2026-03-10": [["08:00", "12:00"]]})
    due = calendar.add_business_days(at(BERLIN, 2026, 3, 9, 15), 1)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 11, 8)


def test_zero_business_days_is_the_next_working_instant(berlin):
    due = berlin.add_business_days(at(BERLIN, 2026, 3, 7, 10), 0)
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 8)


def test_business_days_keep_local_time_across_dst():
    calendar = Calendar("America/New_York", weekdays())
    due = calendar.add_business_days(at(NEW_YORK, 2024, 3, 8, 10), 1)
    assert due.astimezone(NEW_YORK).isoformat() == "2024-03-11T10:00:00-04:00"


def test_business_days_with_a_pause_are_extended_by_its_working_overlap(berlin):
    pause = (at(BERLIN, 2026, 3, 9, 11), at(BERLIN, 2026, 3, 9, 13))
    due = berlin.add_business_days(at(BERLIN, 2026, 3, 9, 10), 1, [pause])
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 10, 12)


# --- explain ----------------------------------------------------------------------------------


def test_explain_lists_windows_pauses_and_skipped_dates():
    calendar = Calendar("Europe/Berlin", weekdays(), holidays=["2026-03-09"])
    pause = (at(BERLIN, 2026, 3, 10, 9), at(BERLIN, 2026, 3, 10, 10))
    explanation = calendar.explain(at(BERLIN, 2026, 3, 6, 16), 3 * H, [pause])
    assert explanation.due == at(BERLIN, 2026, 3, 10, 11)
    assert [(w.start, w.end, w.seconds) for w in explanation.windows] == [
        (at(BERLIN, 2026, 3, 6, 16), at(BERLIN, 2026, 3, 6, 17), H),
        (at(BERLIN, 2026, 3, 10, 8), at(BERLIN, 2026, 3, 10, 11), 2 * H),
    ]
    assert [(p.start.hour, p.end.hour, p.seconds) for p in explanation.pauses] == [(9, 10, H)]
    assert [(d.day.day, d.reason) for d in explanation.skipped] == [
        (7, "no hours on sat"),
        (8, "no hours on sun"),
        (9, "holiday"),
    ]
    assert sum(w.seconds for w in explanation.windows) == explanation.target_seconds


def test_explain_with_an_open_pause_stops_where_the_clock_is_held(berlin):
    explanation = berlin.explain(
        at(BERLIN, 2026, 3, 9, 9), 4 * H, [(at(BERLIN, 2026, 3, 9, 10), None)]
    )
    assert explanation.due is None
    assert [w.seconds for w in explanation.windows] == [H]
    assert [(p.start.hour, p.end, p.seconds) for p in explanation.pauses] == [(10, None, 0)]


# --- range and speed --------------------------------------------------------------------------


def test_year_long_target_costs_microseconds_not_milliseconds(berlin):
    start = at(BERLIN, 2026, 3, 9, 9)
    year = 250 * 9 * H
    berlin.due(start, year)  # warm the cache
    began = timer.perf_counter()
    for _ in range(2000):
        berlin.due(start, year)
    per_call = (timer.perf_counter() - began) / 2000
    assert per_call < 100e-6


def test_far_past_and_far_future_starts_extend_the_cache(berlin):
    berlin.due(at(BERLIN, 2026, 3, 9, 9), 60)
    assert local(berlin.due(at(BERLIN, 1999, 3, 5, 16), 2 * H), BERLIN) == at(BERLIN, 1999, 3, 8, 9)
    assert local(berlin.due(at(BERLIN, 2100, 3, 5, 16), 2 * H), BERLIN) == at(BERLIN, 2100, 3, 8, 9)


def test_target_of_many_years_is_reached():
    calendar = Calendar("UTC", weekdays())
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)  # a Monday
    weeks = 52 * 10
    assert calendar.due(start, weeks * 5 * 9 * H) == start + timedelta(
        weeks=weeks, days=-3, hours=9
    )


def test_calendar_without_any_working_time_left_raises():
    calendar = Calendar("UTC", {}, shifts={"2026-03-07": [["09:00", "10:00"]]})
    with pytest.raises(NoWorkingTimeError):
        calendar.due(datetime(2026, 3, 1, tzinfo=UTC), 2 * H)
    assert calendar.due(datetime(2026, 3, 1, tzinfo=UTC), H) == datetime(2026, 3, 7, 10, tzinfo=UTC)


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"hours": {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}}, "hours.mon[1]", "overlaps"),
        ({"hours": {"tue": [["17:00", "08:00"]]}}, "hours.tue[0]", "not after start"),
        ({"hours": {"wed": [["8am", "17:00"]]}}, "hours.wed[0]", "bad time"),
        ({"hours": {"thu": [["08:00", "24:30"]]}}, "hours.thu[0]", "24:00"),
        ({"hours": {"fri": [["24:00", "24:00"]]}}, "hours.fri[0]", "24:00"),
        ({"hours": {"fri": [["08:00"]]}}, "hours.fri[0]", "pair"),
        ({"hours": {"monday": []}}, "hours.monday", "unknown weekday"),
        ({"holidays": ["2026-13-01"]}, "holidays[0]", "bad date"),
        (
            {"shifts": {"2026-02-21": [["09:00", "15:00"], ["10:00", "11:00"]]}},
            "shifts.2026-02-21[1]",
            "overlaps",
        ),
        ({"breaks": {"2026-03-05": [["13:00", "12:00"]]}}, "breaks.2026-03-05[0]", "not after"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "unknown time zone"),
    ],
)
def test_invalid_calendar_raises_calendar_error_naming_the_field(kwargs, field, message):
    kwargs = {"timezone": "Europe/Berlin", **kwargs}
    with pytest.raises(CalendarError, match=message) as caught:
        Calendar(**kwargs)
    assert caught.value.field == field


def test_pure_modules_import_no_django():
    code = (
        "import sys, okno.sla.businesstime, okno.sla.calendarfile, okno.sla.cli\n"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not bad, bad\n"
    )
    env = {"PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=root)


def test_instants_beyond_the_supported_years_raise_instead_of_hanging(berlin):
    with pytest.raises(ValueError, match="supported years"):
        berlin.due(datetime(9999, 6, 1, tzinfo=UTC), 60)


def test_a_pause_decades_later_does_not_matter_when_due_comes_first(berlin):
    pause = (at(BERLIN, 2090, 1, 2, 9), at(BERLIN, 2090, 1, 2, 10))
    due = berlin.due(at(BERLIN, 2026, 3, 9, 9), H, [pause])
    assert local(due, BERLIN) == at(BERLIN, 2026, 3, 9, 10)
