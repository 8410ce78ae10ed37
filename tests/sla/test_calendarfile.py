"""Calendar file format and duration parsing."""

import json
from datetime import date

import pytest

from okno.sla.businesstime import Calendar, CalendarError
from okno.sla.calendarfile import (
    Duration,
    calendar_from_dict,
    calendar_to_dict,
    load_calendar,
    parse_duration,
)

EXAMPLE = {
    "timezone": "Europe/Berlin",
    "hours": {
        "mon": [["08:00", "17:00"]],
        "tue": [["08:00", "17:00"]],
        "wed": [["08:00", "17:00"]],
        "thu": [["08:00", "17:00"]],
        "fri": [["08:00", "17:00"]],
        "sat": [],
        "sun": [],
    },
    "holidays": ["2026-01-01"],
    "shifts": {"2026-02-21": [["09:00", "15:00"]]},
    "breaks": {"2026-03-05": [["12:00", "13:00"]]},
}


def test_example_file_format_loads_every_part(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(EXAMPLE))
    calendar = load_calendar(path)
    assert calendar.timezone == "Europe/Berlin"
    assert calendar.hours is not None
    assert calendar.hours[0] == ((8 * 3600, 17 * 3600),)
    assert calendar.hours[5] == ()
    assert calendar.holidays == frozenset({date(2026, 1, 1)})
    assert calendar.day_spans(date(2026, 2, 21)) == ((9 * 3600, 15 * 3600),)
    assert calendar.day_spans(date(2026, 3, 5)) == ((8 * 3600, 12 * 3600), (13 * 3600, 17 * 3600))


def test_missing_hours_means_24x7():
    calendar = calendar_from_dict({"timezone": "UTC"})
    assert calendar == Calendar.always("UTC")
    assert calendar.hours is None


def test_calendar_round_trips_through_a_dict():
    calendar = calendar_from_dict(EXAMPLE)
    assert calendar_from_dict(calendar_to_dict(calendar)) == calendar
    assert calendar_to_dict(calendar) == EXAMPLE


def test_missing_weekday_is_a_day_off():
    calendar = calendar_from_dict({"timezone": "UTC", "hours": {"mon": [["08:00", "17:00"]]}})
    assert calendar.hours is not None
    assert calendar.hours[1] == ()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"timezone": "Nowhere/Atlantis"}, "timezone"),
        ({"timezone": 3}, "timezone"),
        (
            {"timezone": "UTC", "hours": {"mon": [["08:00", "12:00"], ["11:00", "17:00"]]}},
            "hours.mon[1]",
        ),
        ({"timezone": "UTC", "hours": {"mon": [["17:00", "08:00"]]}}, "hours.mon[0]"),
        ({"timezone": "UTC", "hours": {"mon": [["8", "17:00"]]}}, "hours.mon[0]"),
        ({"timezone": "UTC", "hours": {"mon": "08:00-17:00"}}, "hours.mon"),
        ({"timezone": "UTC", "hours": []}, "hours"),
        ({"timezone": "UTC", "holidays": "2026-01-01"}, "holidays"),
        ({"timezone": "UTC", "holidays": ["2026-01-01", 20260102]}, "holidays[1]"),
        ({"timezone": "UTC", "shifts": {"21.02.2026": []}}, "shifts.21.02.2026"),
        (
            {"timezone": "UTC", "breaks": {"2026-03-05": [["12:00", "25:00"]]}},
            "breaks.2026-03-05[0]",
        ),
        ({"timezone": "UTC", "holiday": []}, "holiday"),
        ({"timezone": "UTC", "version": "2"}, "version"),
        (["not", "an", "object"], "calendar"),
    ],
)
def test_bad_calendar_data_names_the_field(data, field):
    with pytest.raises(CalendarError) as caught:
        calendar_from_dict(data)
    assert caught.value.field == field


def test_bad_json_and_missing_file_are_reported_as_file_errors(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text('{"timezone": "UTC",')
    with pytest.raises(CalendarError, match="bad JSON") as caught:
        load_calendar(path)
    assert caught.value.field == "file"
    with pytest.raises(CalendarError, match="cannot read"):
        load_calendar(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3600", Duration(3600, "seconds")),
        ("90m", Duration(5400, "seconds")),
        ("4h", Duration(14400, "seconds")),
        ("1h30m", Duration(5400, "seconds")),
        ("1.5h", Duration(5400, "seconds")),
        ("45s", Duration(45, "seconds")),
        ("0", Duration(0, "seconds")),
        ("3d", Duration(3, "business_days")),
        (" 2D ", Duration(2, "business_days")),
    ],
)
def test_parse_duration_units(text, expected):
    assert parse_duration(text) == expected


def test_business_days_are_a_distinct_unit_not_24_hours():
    assert parse_duration("1d").is_business_days
    assert not parse_duration("24h").is_business_days


@pytest.mark.parametrize("text", ["", "4x", "h", "1.5d", "1d2h", "-5m", "4h junk"])
def test_bad_durations_name_the_field(text):
    with pytest.raises(CalendarError) as caught:
        parse_duration(text, "targets.resolution")
    assert caught.value.field == "targets.resolution"
