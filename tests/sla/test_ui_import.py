"""The pure .ics / CSV parsers of the calendar editor: good files, bad files, properties."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okno.sla.calendar_import import (
    DayEntry,
    ImportFileError,
    first_hours,
    parse_csv,
    parse_ics,
    parse_windows,
)

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:1\r
DTSTART;VALUE=DATE:20260101\r
DTEND;VALUE=DATE:20260103\r
SUMMARY:New Year\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2\r
DTSTART:20260221T090000\r
DTEND:20260221T150000\r
SUMMARY:Shortened\r
  day\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:3\r
DTSTART;VALUE=DATE:20261107\r
CATEGORIES:working\r
SUMMARY:Transferred working Saturday\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_ics_all_day_events_are_holidays_timed_events_shortened_days():
    entries = parse_ics(ICS)
    assert entries == [
        DayEntry(date(2026, 1, 1), "holiday", name="New Year"),
        DayEntry(date(2026, 1, 2), "holiday", name="New Year"),
        DayEntry(date(2026, 2, 21), "short", (("09:00", "15:00"),), name="Shortened day"),
        DayEntry(date(2026, 11, 7), "working", name="Transferred working Saturday"),
    ]


def test_ics_files_read_by_the_icalendar_package_are_the_same_files():
    import icalendar

    cal = icalendar.Calendar.from_ical(ICS)
    assert len(list(cal.walk("VEVENT"))) == 3


def test_csv_kinds_hours_and_windows():
    text = "date,kind,hours\n2026-01-01,holiday,\n2026-02-20,short,7\n2026-11-07,working,\n"
    text += "2026-03-06,short,09:00-12:00 13:00-15:00\n"
    assert parse_csv(text) == [
        DayEntry(date(2026, 1, 1), "holiday"),
        DayEntry(date(2026, 2, 20), "short", hours=7.0),
        DayEntry(date(2026, 11, 7), "working"),
        DayEntry(date(2026, 3, 6), "short", (("09:00", "12:00"), ("13:00", "15:00"))),
    ]


def test_csv_with_semicolons_and_a_bom():
    assert parse_csv("\ufeffdate;kind;hours\n2026-05-01;holiday;\n") == [
        DayEntry(date(2026, 5, 1), "holiday")
    ]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("", 0, "", "empty"),
        ("day,kind\n2026-01-01,holiday\n", 1, "date", "missing column"),
        ("date,kind,hours\n2026-13-01,holiday,\n", 2, "date", "YYYY-MM-DD"),
        ("date,kind,hours\n2026-01-01,vacation,\n", 2, "kind", "holiday, short, working"),
        ("date,kind,hours\n2026-01-01,short,\n", 2, "hours", "needs its hours"),
        ("date,kind,hours\n2026-01-01,short,9-15\n", 2, "hours", "HH:MM-HH:MM"),
        ("date,kind,hours\n2026-01-01,short,15:00-09:00\n", 2, "hours", "ends before"),
        ("date,kind,hours\n2026-01-01,short,30\n", 2, "hours", "0 < hours"),
        ("date,kind,hours\n2026-01-01,holiday,8\n", 2, "hours", "no hours"),
        ("date,kind,hours\n2026-01-01,holiday,\n\n2026-01-01,holiday,\n", 4, "date", "line 2"),
    ],
)
def test_bad_csv_names_the_line_and_field(text, line, field, words):
    with pytest.raises(ImportFileError) as info:
        parse_csv(text)
    assert (info.value.line, info.value.field) == (line, field)
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("hello", 1, "", "not an iCalendar"),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR",
            2,
            "DTSTART",
            "no start",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-01-01\nEND:VEVENT\nEND:VCALENDAR",
            3,
            "DTSTART",
            "YYYYMMDD",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260105\nDTEND;VALUE=DATE:20260101\nEND:VEVENT\nEND:VCALENDAR",
            4,
            "DTEND",
            "before",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260105\nEND:VCALENDAR",
            2,
            "VEVENT",
            "never closed",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260105\nX-OKNO-KIND:party\nEND:VEVENT\nEND:VCALENDAR",
            4,
            "X-OKNO-KIND",
            "expected one of",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260105T090000\nEND:VEVENT\nEND:VCALENDAR",
            3,
            "DTEND",
            "must end",
        ),
        ("BEGIN:VCALENDAR\nno colon here\nEND:VCALENDAR", 2, "", "NAME:VALUE"),
    ],
)
def test_bad_ics_names_the_line_and_field(text, line, field, words):
    with pytest.raises(ImportFileError) as info:
        parse_ics(text)
    assert (info.value.line, info.value.field) == (line, field)
    assert words in str(info.value)


def test_first_hours_cuts_from_the_start_of_the_day():
    day = [("09:00", "13:00"), ("14:00", "18:00")]
    assert first_hours(day, 7) == (("09:00", "13:00"), ("14:00", "17:00"))
    assert first_hours(day, 2.5) == (("09:00", "11:30"),)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
kinds = st.sampled_from(["holiday", "short", "working"])
minutes = st.integers(min_value=0, max_value=24 * 60)


@st.composite
def windows(draw):
    points = sorted(draw(st.sets(minutes, min_size=2, max_size=6)))
    if len(points) % 2:
        points = points[:-1]
    return tuple(
        (f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}")
        for a, b in zip(points[::2], points[1::2], strict=True)
    )


@given(st.dictionaries(days, st.tuples(kinds, windows()), max_size=20))
def test_csv_round_trip(rows):
    lines = ["date,kind,hours"]
    expected = []
    for day, (kind, wins) in rows.items():
        hours = "" if kind == "holiday" else " ".join(f"{a}-{b}" for a, b in wins)
        lines.append(f"{day.isoformat()},{kind},{hours}")
        expected.append(DayEntry(day, kind, () if kind == "holiday" else wins))
    assert parse_csv("\n".join(lines) + "\n") == expected


@given(days, st.integers(min_value=1, max_value=30))
def test_ics_all_day_span_marks_every_day_up_to_dtend(start, length):
    end = start + timedelta(days=length)
    text = (
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\n"
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}\nDTEND;VALUE=DATE:{end:%Y%m%d}\n"
        "END:VEVENT\nEND:VCALENDAR\n"
    )
    entries = parse_ics(text)
    assert [e.day for e in entries] == [start + timedelta(days=n) for n in range(length)]
    assert {e.kind for e in entries} == {"holiday"}


@given(st.text(max_size=200))
def test_parsers_raise_only_import_errors(text):
    for parse in (parse_csv, parse_ics):
        with contextlib.suppress(ImportFileError):
            parse(text)


@given(windows(), st.floats(min_value=0.01, max_value=24))
def test_first_hours_never_exceeds_the_day_or_the_hours(wins, hours):
    cut = first_hours(wins, hours)
    total = sum((int(b[:2]) * 60 + int(b[3:])) - (int(a[:2]) * 60 + int(a[3:])) for a, b in cut)
    whole = sum((int(b[:2]) * 60 + int(b[3:])) - (int(a[:2]) * 60 + int(a[3:])) for a, b in wins)
    assert total == min(whole, round(hours * 60))
    assert parse_windows(" ".join(f"{a}-{b}" for a, b in wins), 1) == wins


@given(st.dates(), st.dates(), st.booleans())
def test_any_ics_dates_give_entries_or_a_clear_error(start, end, timed):
    if timed:
        lines = f"DTSTART:{start:%Y%m%d}T090000\nDTEND:{end:%Y%m%d}T000000\n"
    else:
        lines = f"DTSTART;VALUE=DATE:{start:%Y%m%d}\nDTEND;VALUE=DATE:{end:%Y%m%d}\n"
    text = f"BEGIN:VCALENDAR\nBEGIN:VEVENT\n{lines}END:VEVENT\nEND:VCALENDAR\n"
    with contextlib.suppress(ImportFileError):
        for entry in parse_ics(text):
            assert 1900 <= entry.day.year <= 2200


def test_dates_outside_the_supported_years_are_refused():
    with pytest.raises(ImportFileError, match="line 2, date: 0001-01-01 is outside"):
        parse_csv("date,kind\n0001-01-01,holiday\n")
