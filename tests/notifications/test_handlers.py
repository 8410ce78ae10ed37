"""Who hears about what: assignment, replies, notes, mentions, SLA — in the app and by email."""

import pytest
from django.core import mail

from okno.notifications.actions import save_preferences, watch
from okno.notifications.handlers import mentioned_agents, on_ticket_event
from okno.notifications.models import Kind, Notification
from okno.tickets import actions, events
from tests.conftest import make_user


def kinds(user):
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_assignment_notifies_the_new_assignee_in_app_and_by_email(
    ticket, agent, lead, django_capture_on_commit_callbacks
):
    actions.assign_ticket(ticket, actor=lead, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        on_ticket_event(ticket.pk, "assigned")
    note = Notification.objects.get(user=agent)
    assert note.kind == Kind.ASSIGNED and f"#{ticket.pk}" in note.text and note.read_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@okno.test"]
    assert f"[#{ticket.pk}]" in mail.outbox[0].subject
    assert f"/desk/tickets/{ticket.pk}/" in mail.outbox[0].body


def test_plain_text_email_is_not_html_escaped(
    ticket, agent, lead, django_capture_on_commit_callbacks
):
    actions.update_ticket(ticket, actor=lead, title="Tom & Jerry's <printer>")
    actions.assign_ticket(ticket, actor=lead, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        on_ticket_event(ticket.pk, "assigned")
    assert "Tom & Jerry's <printer>" in mail.outbox[0].subject
    assert "Tom & Jerry's <printer>" in mail.outbox[0].body


def test_a_rerun_job_adds_nothing_twice(ticket, agent, lead, django_capture_on_commit_callbacks):
    actions.assign_ticket(ticket, actor=lead, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        on_ticket_event(ticket.pk, "assigned")
        on_ticket_event(ticket.pk, "assigned")
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_taking_a_ticket_yourself_is_not_news(ticket, agent):
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    on_ticket_event(ticket.pk, "assigned")
    assert not Notification.objects.exists()


def test_reply_reaches_assignee_and_watchers_but_not_its_author(
    ticket, agent, lead, requester, django_capture_on_commit_callbacks
):
    actions.assign_ticket(ticket, actor=lead, assignee=agent)
    watch(ticket, actor=lead)
    reply = actions.add_reply(ticket, actor=requester, body="Still jams")
    on_ticket_event(ticket.pk, "replied", article_id=reply.pk)
    assert kinds(agent) == [Kind.REPLIED] and kinds(lead) == [Kind.REPLIED]
    assert not kinds(requester)
    answer = actions.add_reply(ticket, actor=agent, body="On my way")
    on_ticket_event(ticket.pk, "replied", article_id=answer.pk)
    assert kinds(agent) == [Kind.REPLIED]  # not about their own reply
    assert kinds(lead) == [Kind.REPLIED, Kind.REPLIED]


def test_mentions_in_a_note_notify_the_named_agents(ticket, agent, lead, specialist, l1):
    note = actions.add_note(ticket, actor=agent, body='@leo please look; @"Sam Specialist" too')
    on_ticket_event(ticket.pk, "noted", article_id=note.pk)
    assert kinds(lead) == [Kind.MENTIONED]
    assert "mentioned you" in Notification.objects.get(user=lead).text
    # Sam (L2) cannot see an L1 ticket: a mention tells him nothing.
    assert kinds(specialist) == []
    assert kinds(agent) == []


def test_mentions_resolve_to_agents_only(agent, lead, requester):
    make_user("leo@elsewhere.test", name="Leo Requester")
    assert mentioned_agents("@leo @rita") == [lead]
    assert mentioned_agents('@"alice agent"') == [agent]


def test_notes_reach_watchers_who_are_not_mentioned(ticket, agent, lead):
    watch(ticket, actor=lead)
    note = actions.add_note(ticket, actor=agent, body="Ordered a part")
    on_ticket_event(ticket.pk, "noted", article_id=note.pk)
    assert kinds(lead) == [Kind.NOTED]


def test_preferences_choose_the_channels(
    ticket, agent, lead, requester, django_capture_on_commit_callbacks
):
    save_preferences(agent, {(Kind.ASSIGNED, "in_app"): False, (Kind.ASSIGNED, "email"): True})
    save_preferences(agent, {(Kind.REPLIED, "in_app"): False, (Kind.REPLIED, "email"): False})
    actions.assign_ticket(ticket, actor=lead, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        on_ticket_event(ticket.pk, "assigned")
        reply = actions.add_reply(ticket, actor=requester, body="hello")
        on_ticket_event(ticket.pk, "replied", article_id=reply.pk)
    note = Notification.objects.get(user=agent)
    assert note.kind == Kind.ASSIGNED and not note.shown  # email only
    assert len(mail.outbox) == 1


def test_email_is_in_the_recipients_language(
    ticket, agent, lead, django_capture_on_commit_callbacks
):
    agent.language = "ru"
    agent.save()
    actions.assign_ticket(ticket, actor=lead, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        on_ticket_event(ticket.pk, "assigned")
    assert len(mail.outbox) == 1  # rendered under the recipient's language (translations: lead)


@pytest.mark.parametrize("event", ["sla_warning", "sla_breached"])
def test_sla_events_notify_the_assignee_or_the_team_leads(ticket, agent, lead, event):
    events.record(ticket, event, actor=None, field="resolution", target="resolution")
    on_ticket_event(ticket.pk, event)
    assert kinds(lead) == [event]  # unassigned: the team lead
    actions.assign_ticket(ticket, actor=lead, assignee=agent)
    events.record(ticket, event, actor=None, field="resolution", target="resolution")
    on_ticket_event(ticket.pk, event)
    assert kinds(agent) == [event]
    assert "resolution" in Notification.objects.get(user=agent).text


def test_nobody_hears_about_a_ticket_they_cannot_see(ticket, agent, specialist, l1):
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    from okno.notifications.models import Watcher

    Watcher.objects.create(ticket=ticket, user=specialist)  # left over from another team
    note = actions.add_note(ticket, actor=agent, body="private")
    on_ticket_event(ticket.pk, "noted", article_id=note.pk)
    assert kinds(specialist) == []


def test_unknown_tickets_and_events_are_fine(ticket):
    assert on_ticket_event(999999, "assigned") == "gone"
    assert on_ticket_event(ticket.pk, "merged") == "ignored"


def test_runs_as_a_real_followup_job(
    ticket, agent, lead, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign_ticket(ticket, actor=lead, assignee=agent)
    run_tasks()
    assert kinds(agent) == [Kind.ASSIGNED]
