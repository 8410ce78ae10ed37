"""Each ticket action: what it changes and the events it writes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from okno.tickets import actions
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import Article, Status, Ticket, TicketEvent, TicketLink


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


def status(key):
    return Status.objects.get(key=key)


def test_open_ticket_sets_priority_from_matrix_team_from_service_and_writes_created(
    requester, service, l1
):
    ticket = actions.open_ticket(
        actor=requester,
        title="VPN down",
        description="No VPN",
        service=service,
        impact=1,
        urgency=2,
    )
    assert ticket.priority == 2  # I + U - 1
    assert ticket.team == l1
    assert ticket.organization == requester.organization
    assert ticket.status.key == "new" and ticket.status_category == "new"
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.kind == "created" and event.actor == requester
    assert event.data["priority"] == 2 and event.data["status_category"] == "new"
    assert ticket.articles.get().author == requester


def test_open_ticket_with_attachments_stores_hash_and_sniffed_type(requester):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    ticket = actions.open_ticket(
        actor=requester,
        title="Screen",
        description="See screenshot",
        attachments=[NewAttachment("../../etc/shot.html", png)],
    )
    attachment = ticket.attachments.get()
    assert attachment.filename == "shot.html"
    assert attachment.content_type == "image/png"
    assert len(attachment.sha256) == 64 and attachment.size == len(png)
    assert kinds(ticket) == ["created", "attachment_added"]


@pytest.mark.parametrize(
    ("content", "code"), [(b"", "empty"), (b"x" * (1024 * 1024 + 1), "too_large")]
)
def test_bad_attachment_rejects_the_whole_ticket(requester, settings, content, code):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        actions.open_ticket(
            actor=requester,
            title="x",
            description="y",
            attachments=[NewAttachment("a.txt", content)],
        )
    assert "attachments" in exc.value.message_dict
    assert Ticket.objects.count() == 0 and Article.objects.count() == 0


def test_open_ticket_reports_every_bad_field_at_once(requester):
    with pytest.raises(ValidationError) as exc:
        actions.open_ticket(actor=requester, title=" ", description="", impact=7, type="bogus")
    assert set(exc.value.message_dict) == {"title", "description", "impact", "type"}
    assert Ticket.objects.count() == 0


def test_requester_cannot_choose_team(requester, l1):
    with pytest.raises(ValidationError) as exc:
        actions.open_ticket(actor=requester, title="t", description="d", team=l1)
    assert "team" in exc.value.message_dict


def test_agent_reply_is_first_response_and_opens_new_ticket(ticket, agent):
    article = actions.add_reply(ticket, actor=agent, body="On it", time_spent_minutes=5)
    ticket.refresh_from_db()
    assert ticket.first_response_at == article.created_at
    assert ticket.status.key == "open"
    assert kinds(ticket)[-3:] == ["replied", "first_response", "status_changed"]
    changed = TicketEvent.objects.filter(ticket=ticket, kind="status_changed").get()
    assert (changed.old, changed.new) == ("new", "open")
    assert article.time_spent_minutes == 5


def test_second_agent_reply_is_not_a_first_response(ticket, agent):
    actions.add_reply(ticket, actor=agent, body="1")
    actions.add_reply(ticket, actor=agent, body="2")
    assert kinds(ticket).count("first_response") == 1


def test_requester_reply_is_not_a_response_and_reopens_waiting(ticket, agent, requester):
    actions.change_status(ticket, actor=agent, status=status("waiting_customer"))
    actions.add_reply(ticket, actor=requester, body="Here is the info")
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.status.key == "open"
    assert kinds(ticket)[-2:] == ["replied", "status_changed"]


def test_requester_reply_to_resolved_ticket_reopens_it(ticket, agent, requester):
    actions.change_status(ticket, actor=agent, status=status("resolved"))
    actions.add_reply(ticket, actor=requester, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status_category == "open" and ticket.resolved_at is None
    assert ticket.reopen_count == 1
    assert kinds(ticket)[-3:] == ["replied", "status_changed", "reopened"]


def test_requester_cannot_reply_to_closed_ticket(ticket, agent, requester):
    actions.change_status(ticket, actor=agent, status=status("closed"))
    with pytest.raises(ValidationError):
        actions.add_reply(ticket, actor=requester, body="hello?")


def test_reply_with_status_sets_both(ticket, agent):
    actions.add_reply(ticket, actor=agent, body="Please confirm", status=status("waiting_customer"))
    ticket.refresh_from_db()
    assert ticket.status.key == "waiting_customer"


def test_empty_reply_is_rejected_and_nothing_saved(ticket, agent):
    before = ticket.events.count()
    with pytest.raises(ValidationError) as exc:
        actions.add_reply(ticket, actor=agent, body="   ")
    assert "body" in exc.value.message_dict
    assert ticket.events.count() == before


def test_note_is_internal_and_only_for_agents(ticket, agent, requester):
    note = actions.add_note(ticket, actor=agent, body="Check the fuser unit")
    assert note.kind == "note" and not note.is_public
    assert kinds(ticket)[-1] == "note_added"
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is not a response
    with pytest.raises(PermissionDenied):
        actions.add_note(ticket, actor=requester, body="sneaky")


def test_agent_outside_team_cannot_note(ticket, specialist):
    with pytest.raises(PermissionDenied):
        actions.add_note(ticket, actor=specialist, body="not my queue")


def test_assign_writes_assigned_and_opens(ticket, agent):
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.status.key == "open"
    event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
    assert (event.old, event.new, event.actor) == (None, agent.pk, agent)


def test_move_to_other_team_drops_assignee_outside_it(ticket, agent, l2):
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    actions.assign_ticket(ticket, actor=agent, team=l2)
    ticket.refresh_from_db()
    assert ticket.team == l2 and ticket.assignee is None
    assert kinds(ticket)[-2:] == ["team_changed", "assigned"]


def test_assigning_a_non_member_is_an_error(ticket, agent, specialist):
    with pytest.raises(ValidationError) as exc:
        actions.assign_ticket(ticket, actor=agent, assignee=specialist)
    assert "assignee" in exc.value.message_dict


def test_assign_same_values_writes_nothing(ticket, agent):
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    before = ticket.events.count()
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    assert ticket.events.count() == before


def test_resolve_and_close_set_timestamps(ticket, agent):
    actions.change_status(ticket, actor=agent, status=status("resolved"))
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None and ticket.closed_at is None
    actions.change_status(ticket, actor=agent, status=status("closed"))
    ticket.refresh_from_db()
    assert ticket.closed_at is not None
    changes = TicketEvent.objects.filter(ticket=ticket, kind="status_changed")
    assert [(e.data["old_category"], e.data["new_category"]) for e in changes] == [
        ("new", "resolved"),
        ("resolved", "closed"),
    ]


def test_requester_may_only_resolve(ticket, requester):
    with pytest.raises(PermissionDenied):
        actions.change_status(ticket, actor=requester, status=status("open"))
    actions.change_status(ticket, actor=requester, status=status("resolved"))
    assert Ticket.objects.get(pk=ticket.pk).status_category == "resolved"


def test_reopen_by_requester_with_reason(ticket, agent, requester):
    actions.change_status(ticket, actor=agent, status=status("resolved"))
    actions.reopen_ticket(ticket, actor=requester, reason="It broke again")
    ticket.refresh_from_db()
    assert ticket.status_category == "open" and ticket.reopen_count == 1
    assert kinds(ticket)[-3:] == ["status_changed", "reopened", "replied"]
    assert ticket.articles.last().body_text == "It broke again"


def test_reopen_active_ticket_is_an_error(ticket, requester):
    with pytest.raises(ValidationError):
        actions.reopen_ticket(ticket, actor=requester)


def test_requester_cannot_reopen_closed_but_agent_can(ticket, agent, requester):
    actions.change_status(ticket, actor=agent, status=status("closed"))
    with pytest.raises(ValidationError):
        actions.reopen_ticket(ticket, actor=requester)
    actions.reopen_ticket(ticket, actor=agent)
    assert Ticket.objects.get(pk=ticket.pk).status_category == "open"


def test_priority_follows_matrix_and_override_needs_reason(ticket, agent):
    actions.change_priority(ticket, actor=agent, impact=1, urgency=1)
    ticket.refresh_from_db()
    assert ticket.priority == 1 and not ticket.priority_overridden
    assert kinds(ticket)[-3:] == ["field_changed", "field_changed", "priority_changed"]
    with pytest.raises(ValidationError) as exc:
        actions.change_priority(ticket, actor=agent, priority=4)
    assert "reason" in exc.value.message_dict
    actions.change_priority(ticket, actor=agent, priority=4, reason="Workaround in place")
    event = TicketEvent.objects.filter(ticket=ticket, kind="priority_changed").last()
    assert (event.old, event.new) == (1, 4)
    assert event.data == {"overridden": True, "reason": "Workaround in place"}


def test_requester_cannot_change_priority(ticket, requester):
    with pytest.raises(PermissionDenied):
        actions.change_priority(ticket, actor=requester, impact=1)


def test_update_ticket_records_each_field(ticket, agent, service):
    actions.update_ticket(ticket, actor=agent, title="New title", type="service_request")
    events = TicketEvent.objects.filter(ticket=ticket, kind="field_changed")
    assert {(e.field, e.new) for e in events} == {
        ("title", "New title"),
        ("type", "service_request"),
    }


def test_merge_moves_conversation_and_closes_source(requester, agent):
    a = actions.open_ticket(actor=requester, title="Mail down", description="A")
    b = actions.open_ticket(actor=requester, title="Mail down again", description="B")
    actions.merge_tickets(b, a, actor=agent)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into == a and b.status.key == "merged" and b.status_category == "closed"
    assert a.articles.count() == 2 and b.articles.count() == 0
    assert kinds(b)[-2:] == ["status_changed", "merged_into"]
    assert kinds(a)[-1] == "merged"
    with pytest.raises(ValidationError):
        actions.merge_tickets(b, a, actor=agent)


def test_merge_into_itself_is_an_error(ticket, agent):
    with pytest.raises(ValidationError):
        actions.merge_tickets(ticket, ticket, actor=agent)


def test_link_related_and_parent_child(requester, agent):
    a = actions.open_ticket(actor=requester, title="Outage", description="all down")
    b = actions.open_ticket(actor=requester, title="No mail", description="x")
    c = actions.open_ticket(actor=requester, title="No web", description="y")
    actions.link_tickets(b, a, actor=agent, kind="related")
    assert TicketLink.objects.filter(source=b, target=a, kind="related").exists()
    assert kinds(b)[-1] == "linked" and kinds(a)[-1] == "linked"
    actions.link_tickets(c, a, actor=agent, kind="child")
    c.refresh_from_db()
    assert c.parent == a
    with pytest.raises(ValidationError):
        actions.link_tickets(a, c, actor=agent, kind="child")  # would be a cycle
    actions.unlink_tickets(c, a, actor=agent, kind="child")
    c.refresh_from_db()
    assert c.parent is None and kinds(c)[-1] == "unlinked"
    actions.unlink_tickets(b, a, actor=agent, kind="related")
    assert not TicketLink.objects.exists()


def test_events_are_append_only(ticket):
    event = ticket.events.first()
    event.kind = "tampered"
    with pytest.raises(ValueError):
        event.save()


def test_followup_job_is_queued_after_commit_and_sends_acknowledgement(
    requester, django_capture_on_commit_callbacks, run_tasks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.open_ticket(actor=requester, title="Mouse", description="Broken")
    assert run_tasks() >= 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert f"[#{ticket.pk}]" in message.subject
    assert message.extra_headers["Auto-Submitted"] == "auto-replied"
    assert message.to == [requester.email]
    # Running the queue again sends nothing twice.
    from okno.tickets.tasks import ticket_followup

    ticket_followup.call(ticket_id=ticket.pk, event="created", article_id=ticket.articles.get().pk)
    assert len(mailoutbox) == 1


def test_failing_followup_job_keeps_the_ticket(
    requester, django_capture_on_commit_callbacks, run_tasks, settings
):
    settings.EMAIL_BACKEND = "tests.tickets.test_actions.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.open_ticket(actor=requester, title="Keyboard", description="Broken")
    run_tasks()
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    outbound = ticket.outbound_emails.get()
    assert outbound.state == "failed" and "SMTP is down" in outbound.error


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP is down")
