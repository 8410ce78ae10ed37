"""Notification pages, the bell, preferences, and the ticket panel (watch, CC, remind me)."""

import zoneinfo
from datetime import datetime, timedelta

import time_machine
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from okno.notifications.models import Kind, Notification, Preference, Reminder, Watcher
from okno.notifications.tasks import fire_due_reminders

HTMX = {"HTTP_HX_REQUEST": "true"}


def make(user, ticket=None, text="Ticket #1 is assigned to you", **kw):
    return Notification.objects.create(
        user=user, ticket=ticket, kind=Kind.ASSIGNED, text=text, **kw
    )


def test_list_shows_own_notifications_and_marks_them_read(client, agent, lead, ticket):
    mine = make(agent, ticket)
    make(lead, ticket, text="Leo's secret")
    client.force_login(agent)
    body = client.get(reverse("notifications:list")).content.decode()
    assert mine.text in body and "Leo&#x27;s secret" not in body and "Mark all as read" in body
    client.post(reverse("notifications:read"), {"id": [mine.pk]})
    mine.refresh_from_db()
    assert mine.read_at is not None
    body = client.get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert "You have read everything." in body


def test_opening_a_notification_marks_it_read_and_goes_to_the_ticket(
    client, agent, lead, requester, ticket
):
    note = make(agent, ticket)
    client.force_login(agent)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("desk:ticket", args=[ticket.pk])
    note.refresh_from_db()
    assert note.read_at is not None
    other = make(lead, ticket)
    assert client.get(reverse("notifications:open", args=[other.pk])).status_code == 404
    portal_note = make(requester, ticket)
    client.force_login(requester)
    response = client.get(reverse("notifications:open", args=[portal_note.pk]))
    assert response["Location"] == reverse("portal:ticket", args=[ticket.pk])


def test_mark_all_read_touches_only_own(client, agent, lead):
    make(agent), make(agent)
    theirs = make(lead)
    client.force_login(agent)
    response = client.post(reverse("notifications:read"), {"all": "1"}, **HTMX)
    assert response.status_code == 200 and "0 unread" in response.content.decode()
    assert not Notification.objects.filter(user=agent, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_bell_counts_unread_shown_notifications(client, agent, django_assert_max_num_queries):
    make(agent), make(agent), make(agent, shown=False, read_at=timezone.now())
    client.force_login(agent)
    body = client.get(reverse("notifications:bell")).content.decode()
    assert "2 unread" in body and 'hx-trigger="every 60s"' in body
    request = client.get(reverse("notifications:list")).wsgi_request
    with django_assert_max_num_queries(1):
        out = Template("{% load notifications %}{% notification_bell %}").render(
            Context({"user": request.user})
        )
    assert ">2<" in out


def test_preferences_page_saves_every_choice(client, agent):
    client.force_login(agent)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "I am mentioned in a note" in page
    response = client.post(
        reverse("notifications:preferences"),
        {"assigned__in_app": "on", "mentioned__email": "on"},
    )
    assert response.status_code == 302
    saved = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=agent)}
    assert saved[("assigned", "in_app")] and not saved[("assigned", "email")]
    assert saved[("mentioned", "email")] and not saved[("mentioned", "in_app")]
    assert len(saved) == len(Kind.values) * 2


def test_desk_ticket_page_includes_the_panel(client, agent, ticket):
    client.force_login(agent)
    body = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert 'id="notifications-panel"' in body
    assert reverse("notifications:watch", args=[ticket.pk]) in body
    assert "Tomorrow at 10:00" in body


def test_watch_and_unwatch(client, agent, lead, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("notifications:watch", args=[ticket.pk]), {"action": "watch"}, **HTMX
    )
    assert response.status_code == 200 and "Stop watching" in response.content.decode()
    assert Watcher.objects.filter(ticket=ticket, user=agent).exists()
    assert ticket.events.filter(kind="watcher_added", new=agent.pk).exists()
    client.post(
        reverse("notifications:watch", args=[ticket.pk]), {"action": "watch", "user": lead.pk}
    )
    assert Watcher.objects.filter(ticket=ticket, user=lead).exists()
    response = client.post(reverse("notifications:watch", args=[ticket.pk]), {"action": "unwatch"})
    assert response.status_code == 302
    assert list(Watcher.objects.values_list("user", flat=True)) == [lead.pk]


def test_cc_someone_who_cannot_see_the_ticket_is_a_field_error(client, agent, specialist, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("notifications:watch", args=[ticket.pk]),
        {"action": "watch", "user": specialist.pk},
        **HTMX,
    )
    assert response.status_code == 400
    assert "cannot see this ticket" in response.content.decode()
    assert not Watcher.objects.exists()


def test_requesters_and_outsiders_cannot_watch(client, requester, outsider, ticket):
    client.force_login(requester)
    assert client.post(reverse("notifications:watch", args=[ticket.pk])).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("notifications:watch", args=[ticket.pk])).status_code == 404
    assert client.post(reverse("notifications:remind", args=[ticket.pk])).status_code == 404
    assert not Watcher.objects.exists() and not Reminder.objects.exists()


def test_remind_me_tomorrow_at_ten_in_my_time_zone(client, agent, ticket):
    agent.time_zone = "Asia/Tokyo"
    agent.save()
    client.force_login(agent)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    now = datetime(2026, 3, 4, 22, 30, tzinfo=tokyo)  # Wednesday evening in Tokyo
    with time_machine.travel(now, tick=False):
        response = client.post(
            reverse("notifications:remind", args=[ticket.pk]),
            {"preset": "tomorrow_10", "note": "call back"},
            **HTMX,
        )
    assert response.status_code == 200
    reminder = Reminder.objects.get()
    assert reminder.remind_at == datetime(2026, 3, 5, 10, 0, tzinfo=tokyo)
    assert reminder.note == "call back" and reminder.user == agent
    assert "call back" in response.content.decode()


def test_custom_reminder_time_is_validated(client, agent, ticket):
    client.force_login(agent)
    url = reverse("notifications:remind", args=[ticket.pk])
    missing = client.post(url, {"preset": "custom"}, **HTMX)
    assert missing.status_code == 400 and "Choose the date and time." in missing.content.decode()
    past = client.post(url, {"preset": "custom", "remind_at": "2001-01-01T10:00"}, **HTMX)
    assert past.status_code == 400 and "in the future" in past.content.decode()
    assert not Reminder.objects.exists()
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"preset": "custom", "remind_at": future}, **HTMX).status_code == 200
    assert Reminder.objects.count() == 1


def test_due_reminders_fire_once_and_can_be_cancelled(
    client, agent, lead, ticket, django_capture_on_commit_callbacks
):
    soon = Reminder.objects.create(
        ticket=ticket, user=agent, remind_at=timezone.now() + timedelta(minutes=5), note="check"
    )
    later = Reminder.objects.create(
        ticket=ticket, user=agent, remind_at=timezone.now() + timedelta(hours=5)
    )
    client.force_login(lead)
    assert client.post(reverse("notifications:reminder_cancel", args=[later.pk])).status_code == 404
    client.force_login(agent)
    client.post(reverse("notifications:reminder_cancel", args=[later.pk]))
    assert fire_due_reminders() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert fire_due_reminders(timezone.now() + timedelta(minutes=10)) == 1
        assert fire_due_reminders(timezone.now() + timedelta(days=1)) == 0
    note = Notification.objects.get(user=agent)
    assert note.kind == Kind.REMINDER and f"#{ticket.pk}" in note.text
    assert len(mail.outbox) == 1 and "check" in mail.outbox[0].body
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.done and later.done


def test_reminder_job_is_a_periodic_job():
    from okno.ops.periodic import PERIODIC_JOBS

    assert "okno.notifications.tasks.send_due_reminders" in {j.task_path for j in PERIODIC_JOBS}


def test_list_keeps_to_its_query_budget(client, agent, ticket, django_assert_max_num_queries):
    for i in range(60):
        make(agent, ticket, text=f"notice {i}")
    client.force_login(agent)
    client.get(reverse("notifications:list"))
    with django_assert_max_num_queries(5):
        response = client.get(reverse("notifications:list"))
    assert len(response.context["rows"]) == 50 and response.context["next_before"]
    older = client.get(reverse("notifications:list"), {"before": response.context["next_before"]})
    assert len(older.context["rows"]) == 10 and older.context["next_before"] is None


def test_admin_lists_notifications_watchers_and_reminders(client, admin, agent, ticket):
    make(agent, ticket)
    Watcher.objects.create(ticket=ticket, user=agent)
    Reminder.objects.create(ticket=ticket, user=agent, remind_at=timezone.now())
    client.force_login(admin)
    for model in ("notification", "preference", "watcher", "reminder"):
        assert client.get(reverse(f"admin:notifications_{model}_changelist")).status_code == 200
