"""SLA pages: calendar editor (writes, versions, recompute), badges and panel, report, document."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from okno.sla import calendar_actions
from okno.sla.models import Calendar, CalendarVersion, ClockState, SlaClock
from okno.tickets import actions
from tests.conftest import PASSWORD, make_user

from .conftest import berlin, clock

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    assert c.login(email=user.email, password=PASSWORD)
    return c


@pytest.fixture
def manager(l1):
    return make_user("mona@okno.test", role="manager", teams=[l1])


def open_for(requester, service, title="Printer jams"):
    return actions.open_ticket(
        actor=requester, title=title, description="Page 3 every time.", service=service
    )


# --- calendar editor ---------------------------------------------------------------------------


def test_editing_hours_bumps_the_version_and_moves_open_clocks(
    manager,
    policy,
    calendar,
    requester,
    service,
    travel,
    django_capture_on_commit_callbacks,
    run_tasks,
):
    travel("2026-03-03 16:00")  # Tue
    ticket = open_for(requester, service)
    assert clock(ticket, "first_response").due_at == berlin("2026-03-04 11:00")
    travel("2026-03-03 16:30")
    c = client_for(manager)
    grid = {f"hours_{d}": "08:00-17:00" for d in ("mon", "tue", "thu", "fri")}
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            reverse("sla:calendar", args=[calendar.pk]),
            {"op": "hours", "timezone": "Europe/Berlin", **grid, "hours_wed": ""},
        )
    assert r.status_code == 302
    calendar.refresh_from_db()
    assert calendar.version == 2 and calendar.hours["wed"] == []
    assert CalendarVersion.objects.filter(calendar=calendar, version=2).exists()
    run_tasks()
    # Wednesday is no longer worked: 3.5 h left after Tue 16:30 → 30 min Tue + Thu 08:00 + 3 h.
    assert clock(ticket, "first_response").due_at == berlin("2026-03-05 11:00")


def test_holiday_shift_break_round_trip_through_the_editor(manager, calendar):
    c = client_for(manager)
    url = reverse("sla:calendar", args=[calendar.pk])
    assert c.post(url, {"op": "holiday_add", "date": "2026-05-01"}).status_code == 302
    assert (
        c.post(
            url, {"op": "shift_set", "date": "2026-04-30", "shift_hours": "08:00-13:00"}
        ).status_code
        == 302
    )
    assert (
        c.post(
            url, {"op": "break_set", "date": "2026-03-05", "break_hours": "12:00-13:00"}
        ).status_code
        == 302
    )
    calendar.refresh_from_db()
    assert calendar.holidays == ["2026-05-01"]
    assert calendar.shifts == {"2026-04-30": [["08:00", "13:00"]]}
    assert calendar.breaks == {"2026-03-05": [["12:00", "13:00"]]}
    assert calendar.version == 4
    page = c.get(url).content.decode()
    assert "2026-05-01" in page and "08:00–13:00" in page
    assert c.post(url, {"op": "holiday_remove", "date": "2026-05-01"}).status_code == 302
    assert c.post(url, {"op": "shift_remove", "date": "2026-04-30"}).status_code == 302
    assert c.post(url, {"op": "break_remove", "date": "2026-03-05"}).status_code == 302
    calendar.refresh_from_db()
    assert (calendar.holidays, calendar.shifts, calendar.breaks, calendar.version) == (
        [],
        {},
        {},
        7,
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"op": "hours", "timezone": "Mars/Olympus"}, "timezone"),
        ({"op": "hours", "timezone": "UTC", "hours_mon": "17:00-08:00"}, "hours_mon"),
        ({"op": "holiday_add", "date": "tomorrow"}, "date"),
        ({"op": "shift_set", "date": "2026-01-01", "shift_hours": ""}, "shift_hours"),
        ({"op": "seed", "country": "XX", "years": "2026"}, "country"),
        ({"op": "seed", "country": "DE", "years": "soon"}, "years"),
        ({"op": "import"}, "file"),
    ],
)
def test_bad_edits_name_the_field_and_save_nothing(manager, calendar, data, field):
    r = client_for(manager).post(reverse("sla:calendar", args=[calendar.pk]), data)
    assert r.status_code == 400
    assert field in r.context["errors"]
    calendar.refresh_from_db()
    assert calendar.version == 1


def test_create_calendar(manager):
    c = client_for(manager)
    r = c.post(reverse("sla:calendars"), {"name": "Moscow", "timezone": "Europe/Moscow"})
    cal = Calendar.objects.get(name="Moscow")
    assert r.status_code == 302 and cal.version == 1 and cal.hours["mon"] == [["09:00", "17:00"]]
    again = c.post(reverse("sla:calendars"), {"name": "Moscow", "timezone": "Europe/Moscow"})
    assert again.status_code == 400 and "name" in again.context["errors"]


@pytest.mark.parametrize("country", ["RU", "UA", "KZ", "BY", "US", "DE", "GB", "PL"])
def test_seeding_holidays_for_a_country(country, calendar):
    import holidays

    added = calendar_actions.seed_holidays(calendar, country, [2026, 2027], actor=None)
    expected = {d.isoformat() for d in holidays.country_holidays(country, years=[2026, 2027])}
    calendar.refresh_from_db()
    assert added == len(expected) and set(calendar.holidays) == expected
    # Ukraine has no public holidays under martial law: nothing changes, no new version.
    assert calendar.country == country and calendar.version == (2 if expected else 1)
    assert calendar_actions.seed_holidays(calendar, country, [2026], actor=None) == 0


def test_russian_new_year_via_the_editor(manager, calendar):
    r = client_for(manager).post(
        reverse("sla:calendar", args=[calendar.pk]),
        {"op": "seed", "country": "RU", "years": "2026"},
    )
    assert r.status_code == 302
    calendar.refresh_from_db()
    assert "2026-01-01" in calendar.holidays and "2026-01-07" in calendar.holidays


def test_importing_ics_and_csv_files(manager, calendar):
    c = client_for(manager)
    url = reverse("sla:calendar", args=[calendar.pk])
    ics = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n"
        "DTEND;VALUE=DATE:20260103\r\nSUMMARY:New Year\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    r = c.post(url, {"op": "import", "file": SimpleUploadedFile("h.ics", ics.encode())})
    assert r.status_code == 302
    rows = (
        "date,kind,hours\n2026-03-06,short,7\n2026-03-07,working,\n2026-01-02,short,09:00-12:00\n"
    )
    r = c.post(url, {"op": "import", "file": SimpleUploadedFile("days.csv", rows.encode())})
    assert r.status_code == 302
    calendar.refresh_from_db()
    assert calendar.holidays == ["2026-01-01"]  # the CSV turned Jan 2 into a short day
    assert calendar.shifts == {
        "2026-01-02": [["09:00", "12:00"]],
        "2026-03-06": [["08:00", "15:00"]],  # Friday 08:00-17:00 cut to 7 hours
        "2026-03-07": [["08:00", "17:00"]],  # Saturday worked with Monday's hours
    }
    assert calendar.version == 3


def test_a_bad_import_file_says_where_and_saves_nothing(manager, calendar):
    rows = "date,kind,hours\n2026-03-06,short,7\n2026-03-07,party,\n"
    r = client_for(manager).post(
        reverse("sla:calendar", args=[calendar.pk]),
        {"op": "import", "file": SimpleUploadedFile("days.csv", rows.encode())},
    )
    assert r.status_code == 400
    assert "line 3, kind" in r.context["errors"]["file"]
    calendar.refresh_from_db()
    assert calendar.shifts == {} and calendar.version == 1


# --- badges and the ticket panel ---------------------------------------------------------------


def render(text, **context):
    return Template("{% load sla_tags %}" + text).render(Context(context))


def test_badges_for_a_page_take_one_query_and_turn_warning_then_breached(
    policy, requester, service, travel, django_assert_num_queries, settings
):
    from okno.tickets.models import Ticket

    travel("2026-03-02 09:00")
    tickets = [open_for(requester, service, f"T{n}") for n in range(3)]
    rows = list(Ticket.objects.filter(pk__in=[t.pk for t in tickets]))
    page = "{% sla_clocks_for rows as sla %}{% for t in rows %}[{% sla_badge sla t %}]{% endfor %}"
    with django_assert_num_queries(1):
        html = render(page, rows=rows)
    assert html.count('data-sla-level="ok"') == 3 and "4h 00m left" in html
    travel("2026-03-02 12:00")  # 75 % of the 4 h first response
    assert render(page, rows=rows).count('data-sla-level="warning"') == 3
    travel("2026-03-02 13:30")
    html = render(page, rows=rows)
    assert html.count('data-sla-level="breached"') == 3 and "30m overdue" in html
    with django_assert_num_queries(0):
        assert render(page, rows=[]) == ""


def test_badge_title_shows_the_due_instant_in_the_viewers_zone(policy, requester, service, travel):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        html = render("{% sla_ticket_clocks t as c %}{% sla_badge c t %}", t=ticket)
    assert "9 p.m." in html  # 13:00 Berlin = 21:00 Tokyo


def test_ticket_panel_and_explain(policy, calendar, requester, agent, service, travel):
    calendar_actions.add_holidays(calendar, [date(2026, 3, 3)], actor=None)
    travel("2026-03-02 15:00")
    ticket = open_for(requester, service)
    c = client_for(agent)
    page = c.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert "sla-panel" in page and "First response" in page and "Resolution" in page
    assert reverse("sla:explain", args=[ticket.pk]) in page
    x = c.get(reverse("sla:explain", args=[ticket.pk]))
    body = x.content.decode()
    assert x.status_code == 200
    assert "Standard" in body and "Berlin office" in body
    assert "03.03.2026" in body  # the holiday skipped
    assert "Window counted" in body


def test_ticket_badge_and_panel_share_one_query(policy, requester, service, travel):
    from django.db import connection
    from django.template.loader import get_template
    from django.test.utils import CaptureQueriesContext

    travel("2026-03-02 13:30")
    ticket = open_for(requester, service)
    travel("2026-03-03 10:00")  # first response was due 08:30
    page = Template(
        "{% load sla_tags %}{% sla_ticket_clocks ticket as sla_clocks %}"
        "{% sla_badge sla_clocks ticket %}{% include 'sla/ticket_panel.html' %}"
    )
    get_template("sla/ticket_panel.html")  # template loading is not a query, but warm it anyway
    with CaptureQueriesContext(connection) as queries:
        html = page.render(Context({"ticket": ticket}))
    assert len(queries) == 1
    assert html.count('class="sla-clock"') == 2  # first response and resolution
    assert "Breached, running" in html


def test_queue_shows_badges(policy, requester, agent, service, travel):
    travel("2026-03-02 09:00")
    open_for(requester, service)
    page = client_for(agent).get(reverse("desk:queue")).content.decode()
    assert 'data-sla-level="ok"' in page


# --- report ------------------------------------------------------------------------------------


@pytest.fixture
def month_of_clocks(make_policy, requester, agent, service, travel):
    """Hand-made: 3 tickets Mon 2 March; replies at 1 h (met), 5 h (breached), none (open)."""
    policy = make_policy(penalty_per_breach="150.00")
    travel("2026-03-02 09:00")
    met = open_for(requester, service, "met")
    late = open_for(requester, service, "late")
    open_for(requester, service, "open")
    travel("2026-03-02 10:00")
    actions.add_reply(met, actor=agent, body="Done.")
    travel("2026-03-02 14:00")
    actions.add_reply(late, actor=agent, body="Sorry.")
    return policy


def test_report_counts_open_clocks_before_their_due_time(manager, month_of_clocks, travel):
    travel("2026-03-02 12:00")  # viewed at noon: the unanswered ticket has an hour left
    r = client_for(manager).get(
        reverse("sla:report"),
        {"kind": "first_response", "since": "2026-03-01", "until": "2026-03-31"},
    )
    (row,) = r.context["rows"]
    assert (row.total, row.met, row.breached, row.open) == (2, 1, 1, 1)


def test_report_numbers_and_csv(manager, month_of_clocks, travel):
    c = client_for(manager)
    params = {
        "by": "service",
        "kind": "first_response",
        "since": "2026-03-01",
        "until": "2026-03-31",
    }
    r = c.get(reverse("sla:report"), params)
    assert r.status_code == 200
    (row,) = r.context["rows"]
    # At 14:00 the unanswered ticket is past its 13:00 due time: breached even before the sweep.
    assert (row.group, row.total, row.met, row.breached, row.open) == ("Printing", 3, 1, 2, 0)
    assert row.percent_met == "33.3" and str(row.penalty) == "300.00"
    reasons = [reason for _clock, reason in r.context["breaches"]]
    assert sorted(reasons) == [
        "First response met late, 1\xa0hour after the due time",
        "First response not met; overdue by 1\xa0hour",
    ]
    out = c.get(reverse("sla:report"), {**params, "format": "csv"})
    assert out["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(out.content.decode())))
    assert lines == [
        ["service", "target", "finished", "met", "breached", "open", "percent_met", "penalty"],
        ["Printing", "first_response", "3", "1", "2", "0", "33.3", "300.00"],
    ]
    empty = c.get(reverse("sla:report"), {**params, "since": "2026-04-01", "until": "2026-04-30"})
    assert empty.context["rows"] == []


def test_breaches_csv(manager, month_of_clocks):
    params = {"kind": "first_response", "since": "2026-03-01", "until": "2026-03-31"}
    out = client_for(manager).get(reverse("sla:report"), {**params, "format": "breaches-csv"})
    lines = list(csv.reader(io.StringIO(out.content.decode())))
    assert lines[0][:3] == ["ticket", "title", "service"] and lines[0][-1] == "reason"
    rows = sorted(lines[1:], key=lambda r: r[1])
    assert [(r[1], r[2], r[3], r[6], r[12]) for r in rows] == [
        ("late", "Printing", "Acme", "first_response", "150.00"),
        ("open", "Printing", "Acme", "first_response", "150.00"),
    ]
    assert rows[0][10] and not rows[1][10]  # met late / never met


def test_report_groups_by_organization_team_month(manager, month_of_clocks):
    c = client_for(manager)
    for by, group in [("organization", "Acme"), ("month", None)]:
        r = c.get(
            reverse("sla:report"),
            {"by": by, "kind": "first_response", "since": "2026-03-01", "until": "2026-03-31"},
        )
        (row,) = r.context["rows"]
        assert (row.total, row.met) == (3, 1)
        if group:
            assert row.group == group


def test_breached_running_counts_as_finished(manager, month_of_clocks, travel):
    from okno.sla.sweep import sweep

    travel("2026-03-02 13:30")
    sweep()
    states = set(SlaClock.objects.filter(kind="first_response").values_list("state", flat=True))
    assert ClockState.BREACHED_RUNNING in states
    r = client_for(manager).get(
        reverse("sla:report"),
        {"kind": "first_response", "since": "2026-03-01", "until": "2026-03-31"},
    )
    (row,) = r.context["rows"]
    assert (row.total, row.met, row.breached, row.open) == (3, 1, 2, 0)


# --- SLA document --------------------------------------------------------------------------------


def test_sla_document(agent, month_of_clocks, calendar):
    calendar_actions.add_holidays(calendar, [date(2026, 12, 25)], actor=None)
    c = client_for(agent)
    page = c.get(reverse("sla:document")).content.decode()
    for text in [
        "Service level agreement",
        "Printing",  # the service
        "Berlin office",
        "08:00–17:00",
        "45.0 hours a week",
        "26.8 %",
        "2026-12-25",
        "4 business hours",
        "16 business hours",
        "waiting",
        "150.00",
        "How time is measured",
        "@media print" if False else "window.print()",
    ]:
        assert text in page, text
    one = c.get(reverse("sla:document_policy", args=[month_of_clocks.pk]))
    assert one.status_code == 200 and "Standard" in one.content.decode()
    assert c.get(reverse("sla:document_policy", args=[99999])).status_code == 404


# --- permissions ---------------------------------------------------------------------------------


def test_who_may_see_what(
    requester, outsider, agent, manager, admin, calendar, policy, service, travel
):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    manager_only = [
        reverse("sla:calendars"),
        reverse("sla:calendar", args=[calendar.pk]),
        reverse("sla:report"),
    ]
    agent_pages = [reverse("sla:document"), reverse("sla:explain", args=[ticket.pk])]
    for user in (requester, outsider):
        c = client_for(user)
        for url in manager_only + agent_pages:
            assert c.get(url).status_code == 403, url
        r = c.post(
            reverse("sla:calendar", args=[calendar.pk]), {"op": "holiday_add", "date": "2026-05-01"}
        )
        assert r.status_code == 403
    for url in manager_only:
        assert client_for(agent).get(url).status_code == 403
    for url in agent_pages:
        assert client_for(agent).get(url).status_code == 200
    for url in manager_only + agent_pages:
        assert client_for(manager).get(url).status_code == 200
        assert client_for(admin).get(url).status_code == 200
    assert Client().get(reverse("sla:report")).status_code == 302
    calendar.refresh_from_db()
    assert calendar.holidays == []
