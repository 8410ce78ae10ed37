"""``okno sla due|elapsed`` run in-process (and once as ``python -m``)."""

import json
import subprocess
import sys

import pytest

from okno.sla.cli import main

WEEK = {day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def calendar_file(tmp_path):
    def write(data=None, text=None):
        path = tmp_path / "cal.json"
        path.write_text(text if text is not None else json.dumps(data))
        return str(path)

    return write


@pytest.fixture
def berlin(calendar_file):
    return calendar_file({"timezone": "Europe/Berlin", "hours": WEEK, "holidays": ["2026-03-11"]})


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_due_prints_iso_instant_in_the_calendar_zone(capsys, berlin):
    code, out, err = run(
        capsys,
        "due",
        "--calendar",
        berlin,
        "--start",
        "2026-03-06T21:00:00+01:00",
        "--duration",
        "4h",
    )
    assert (code, out, err) == (0, "2026-03-09T12:00:00+01:00", "")


def test_due_accepts_utc_input_and_pauses(capsys, berlin):
    code, out, _ = run(
        capsys,
        "due",
        "--calendar",
        berlin,
        "--start",
        "2026-03-09T08:00:00Z",
        "--duration",
        "8h",
        "--pause",
        "2026-03-09T16:00+01:00/2026-03-10T10:00+01:00",
    )
    assert (code, out) == (0, "2026-03-10T11:00:00+01:00")  # Wednesday is a holiday, not reached


def test_due_in_business_days_skips_the_holiday(capsys, berlin):
    code, out, _ = run(
        capsys, "due", "--calendar", berlin, "--start", "2026-03-10T10:30", "--duration", "1d"
    )
    assert (code, out) == (0, "2026-03-12T10:30:00+01:00")


def test_due_with_an_open_pause_prints_paused(capsys, berlin):
    code, out, _ = run(
        capsys,
        "due",
        "--calendar",
        berlin,
        "--start",
        "2026-03-09T09:00+01:00",
        "--duration",
        "2h",
        "--pause",
        "2026-03-09T10:00+01:00/",
    )
    assert (code, out) == (0, "paused")


def test_elapsed_prints_whole_business_seconds(capsys, berlin):
    code, out, _ = run(
        capsys,
        "elapsed",
        "--calendar",
        berlin,
        "--from",
        "2026-03-06T21:00:00+01:00",
        "--to",
        "2026-03-09T09:30:00+01:00",
    )
    assert (code, out) == (0, "5400")


def test_elapsed_prints_fractions_when_not_whole(capsys, berlin):
    code, out, _ = run(
        capsys,
        "elapsed",
        "--calendar",
        berlin,
        "--from",
        "2026-03-09T09:00",
        "--to",
        "2026-03-09T09:00:00.5",
    )
    assert (code, out) == (0, "0.5")


def test_missing_hours_in_the_file_means_24x7(capsys, calendar_file):
    path = calendar_file({"timezone": "America/New_York"})
    code, out, _ = run(
        capsys,
        "due",
        "--calendar",
        path,
        "--start",
        "2024-03-09T12:00:00-05:00",
        "--duration",
        "24h",
    )
    assert (code, out) == (0, "2024-03-10T13:00:00-04:00")


@pytest.mark.parametrize(
    ("calendar", "field"),
    [
        ({"timezone": "Europe/Atlantis", "hours": WEEK}, "timezone"),
        (
            {"timezone": "UTC", "hours": {"mon": [["08:00", "12:00"], ["11:00", "17:00"]]}},
            "hours.mon[1]",
        ),
        ({"timezone": "UTC", "hours": {"tue": [["17:00", "08:00"]]}}, "hours.tue[0]"),
        ({"timezone": "UTC", "shifts": {"2026-02-21": [["9:00", "x"]]}}, "shifts.2026-02-21[0]"),
    ],
)
def test_bad_calendar_exits_2_with_one_line_naming_the_field(
    capsys, calendar_file, calendar, field
):
    path = calendar_file(calendar)
    code, out, err = run(
        capsys, "due", "--calendar", path, "--start", "2026-03-09T09:00Z", "--duration", "1h"
    )
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert f": {field}: " in err


def test_bad_json_exits_2_naming_the_calendar_option(capsys, calendar_file):
    path = calendar_file(text="{nope")
    code, _, err = run(
        capsys, "due", "--calendar", path, "--start", "2026-03-09T09:00Z", "--duration", "1h"
    )
    assert code == 2
    assert "--calendar: bad JSON" in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["due", "--start", "2026-03-09T09:00Z", "--duration", "soon"], "--duration"),
        (["due", "--start", "yesterday", "--duration", "1h"], "--start"),
        (
            ["due", "--start", "2026-03-09T09:00Z", "--duration", "1h", "--pause", "2026-03-09"],
            "--pause[0]",
        ),
        (
            [
                "due",
                "--start",
                "2026-03-09T09:00Z",
                "--duration",
                "1h",
                "--pause",
                "2026-03-09T10:00Z/2026-03-09T09:00Z",
            ],
            "--pause[0]",
        ),
        (["elapsed", "--from", "2026-03-09T09:00Z", "--to", "2026-03-08T09:00Z"], "--to"),
        (["elapsed", "--from", "2026-03-09T09:00Z"], "--to"),
        (["due", "--start", "2026-03-09T09:00Z"], "--duration"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_naming_the_field(capsys, berlin, argv, field):
    code, out, err = run(capsys, argv[0], "--calendar", berlin, *argv[1:])
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert field in err


def test_unknown_command_exits_2(capsys):
    code, _, err = run(capsys, "breach")
    assert code == 2
    assert "invalid choice" in err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "due" in capsys.readouterr().out


def test_runs_as_python_module(berlin):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "okno.sla.cli",
            "due",
            "--calendar",
            berlin,
            "--start",
            "2026-03-10T16:00+01:00",
            "--duration",
            "4h",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "2026-03-12T11:00:00+01:00")
