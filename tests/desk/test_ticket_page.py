"""The agent's ticket page: every form goes through tickets.actions, errors save nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from okno.tickets import actions
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import Article, Status, Ticket, TicketLink


def url(name, ticket):
    return reverse(name, args=[ticket.pk])


def header(ticket, **changes):
    """The header form as the page renders it, with some fields changed."""
    data = {
        "title": ticket.title,
        "type": ticket.type,
        "service": ticket.service_id or "",
        "status": ticket.status_id,
        "team": ticket.team_id or "",
        "assignee": ticket.assignee_id or "",
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "priority": ticket.priority if ticket.priority_overridden else "",
        "reason": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def noted(ticket, agent):
    actions.add_note(
        ticket,
        actor=agent,
        body="Secret: the CFO's printer.",
        attachments=[NewAttachment("internal-diagnostics.txt", b"toner at 3%")],
    )
    actions.add_reply(
        ticket,
        actor=agent,
        body="We are on it.",
        attachments=[NewAttachment("public-guide.txt", b"unjam steps")],
    )
    return ticket


def test_agent_sees_replies_notes_and_readable_events(client, agent, noted):
    client.force_login(agent)
    response = client.get(url("desk:ticket", noted))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Secret: the CFO&#x27;s printer." in body
    assert "article-note" in body and "Internal" in body
    assert "internal-diagnostics.txt" in body and "public-guide.txt" in body
    attachment = noted.attachments.get(filename="public-guide.txt")
    assert reverse("attachment", args=[attachment.pk, attachment.filename]) in body
    assert "Alice Agent changed status New → Open" in body
    assert "Rita Requester opened the ticket" in body


@pytest.mark.django_db(transaction=True)
def test_timeline_names_every_author_and_actor(
    client, agent, lead, requester, colleague, noted, django_assert_max_num_queries
):
    """Authors and actors come from the agent list and the ticket's requester; anyone else
    (a colleague of the requester, an agent who left) in one query."""
    from okno.desk.timeline import agent_timeline

    actions.add_reply(noted, actor=requester, body="Thanks.")
    actions.add_reply(noted, actor=lead, body="Leo here.")
    actions.assign_ticket(noted, actor=lead, team=noted.team, assignee=agent)
    Article.objects.create(ticket=noted, kind="reply", author=colleague, body_text="Me too.")
    lead.is_active = False  # no longer on the agent list
    lead.save()
    ticket = Ticket.objects.select_related("requester").get(pk=noted.pk)
    agent_timeline(ticket)  # the agent list read once
    with django_assert_max_num_queries(4):  # articles, files, events, the two not in the list
        entries = agent_timeline(ticket)
    expected = {
        a.pk: str(a.author) if a.author_id else None
        for a in noted.articles.select_related("author")
    }
    shown = {e.article.pk: str(e.article.author) for e in entries if e.article and e.article.author}
    assert shown == {pk: name for pk, name in expected.items() if name}
    assert {"Rita Requester", "Carl Colleague", "Leo Lead", "Alice Agent"} <= set(shown.values())
    actors = {str(e.event.actor) for e in entries if e.event and e.event.actor_id}
    assert {"Leo Lead", "Alice Agent"} <= actors
    client.force_login(agent)
    body = client.get(url("desk:ticket", noted)).content.decode()
    assert "Carl Colleague" in body and "Me too." in body and "Leo Lead" in body


# Transactional: inside a test's outer transaction every memo is bypassed once reference data
# changed (refcache cannot tell a test's transaction from a pending admin change).
@pytest.mark.django_db(transaction=True)
def test_ticket_page_query_count_is_bounded(
    client, agent, lead, noted, django_assert_max_num_queries
):
    from okno.notifications.actions import watch
    from okno.ops import refcache

    watch(noted, actor=agent, user=lead)
    client.force_login(agent)
    client.get(url("desk:ticket", noted))  # warm: the session in the cache, reference lists
    # user, team memberships, the ticket (joined), articles, their files (one query for all),
    # events, the requester's other open tickets, tags, links (one query), children, the
    # bell, SLA clocks, mail delivery, watchers, reminders. Statuses, priorities, teams,
    # services, agents, the watcher picker's team members and the macro names come from the
    # per-process memo.
    with django_assert_max_num_queries(15):
        response = client.get(url("desk:ticket", noted))
    assert "Leo Lead" in response.content.decode()
    # A process that has not read the reference lists yet: + statuses, priorities, teams,
    # services, agents, team members, macros.
    refcache.clear()
    with django_assert_max_num_queries(22):
        client.get(url("desk:ticket", noted))


@pytest.mark.django_db(transaction=True)
def test_ticket_forms_show_reference_changes_on_the_next_page(client, agent, lead, ticket, l1):
    """The header and reply forms' selects come from per-process memos; a change anywhere
    shows on the next page, and what a form accepts is still decided by the database."""
    from okno.catalog.models import Service

    client.force_login(agent)
    page = client.get(url("desk:ticket", ticket)).content.decode()
    assert f'<option value="{lead.pk}">Leo Lead</option>' in page
    status = Status.objects.get(key="waiting_third_party")
    status.labels = {**status.labels, "en": "On hold & <waiting>"}
    status.save()
    lead.full_name = "Leo Renamed"
    lead.save()
    l1.name = "Front Desk"
    l1.save()
    Service.objects.create(name="Brand new service", owner_team=l1)
    page = client.get(url("desk:ticket", ticket)).content.decode()
    assert page.count(f'<option value="{status.pk}">On hold &amp; &lt;waiting&gt;</option>') == 2
    assert f'<option value="{lead.pk}">Leo Renamed</option>' in page
    assert f'<option value="{l1.pk}" selected>Front Desk</option>' in page
    assert "Brand new service</option>" in page
    status.is_active = False
    status.save()
    page = client.get(url("desk:ticket", ticket)).content.decode()
    assert "On hold &amp;" not in page
    response = client.post(url("desk:ticket_update", ticket), header(ticket, status=status.pk))
    assert response.status_code == 400  # the form validates against the database


def test_reply_through_the_form(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        url("desk:ticket_reply", ticket),
        {"kind": "reply", "body": "Try tray 1.", "minutes": "5"},
    )
    assert response.status_code == 302
    article = ticket.articles.latest("id")
    assert (article.kind, article.body_text, article.time_spent_minutes) == (
        "reply",
        "Try tray 1.",
        5,
    )
    ticket.refresh_from_db()
    assert ticket.status.key == "open"
    assert "Your reply is sent." in client.get(response["Location"]).content.decode()


def test_reply_and_set_status_with_files(client, agent, ticket):
    client.force_login(agent)
    waiting = Status.objects.get(key="waiting_customer")
    files = [SimpleUploadedFile("a.txt", b"one"), SimpleUploadedFile("b.txt", b"two")]
    response = client.post(
        url("desk:ticket_reply", ticket),
        {"kind": "reply", "body": "Which tray?", "status": waiting.pk, "attachments": files},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == waiting
    article = ticket.articles.latest("id")
    assert sorted(article.attachments.values_list("filename", flat=True)) == ["a.txt", "b.txt"]


def test_internal_note_through_the_form(client, agent, ticket):
    client.force_login(agent)
    client.post(url("desk:ticket_reply", ticket), {"kind": "note", "body": "Call vendor."})
    article = ticket.articles.latest("id")
    assert (article.kind, article.body_text) == ("note", "Call vendor.")


def test_empty_reply_shows_an_error_and_saves_nothing(client, agent, ticket):
    client.force_login(agent)
    before = Article.objects.count()
    response = client.post(url("desk:ticket_reply", ticket), {"kind": "reply", "body": "  "})
    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()
    assert Article.objects.count() == before


def test_empty_file_is_rejected_with_a_message(client, agent, ticket):
    client.force_login(agent)
    before = Article.objects.count()
    response = client.post(
        url("desk:ticket_reply", ticket),
        {"kind": "reply", "body": "See file", "attachments": SimpleUploadedFile("empty.txt", b"")},
    )
    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()
    assert Article.objects.count() == before
    assert ticket.attachments.count() == 0


def test_assign_through_the_header(client, agent, lead, ticket):
    client.force_login(agent)
    response = client.post(url("desk:ticket_update", ticket), header(ticket, assignee=lead.pk))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == lead
    assert ticket.status.key == "open"


def test_bad_assignee_shows_field_error_and_nothing_is_saved(client, agent, specialist, ticket):
    client.force_login(agent)
    response = client.post(
        url("desk:ticket_update", ticket),
        header(ticket, title="Renamed", assignee=specialist.pk),
    )
    assert response.status_code == 400
    form = response.context["header_form"]
    assert "is not a member of" in form.errors["assignee"][0]
    ticket.refresh_from_db()
    assert (ticket.title, ticket.assignee) == ("Printer on floor 3 jams", None)


def test_status_through_the_header(client, agent, ticket):
    client.force_login(agent)
    resolved = Status.objects.get(key="resolved")
    client.post(url("desk:ticket_update", ticket), header(ticket, status=resolved.pk))
    ticket.refresh_from_db()
    assert ticket.status == resolved and ticket.resolved_at is not None


def test_title_type_and_service_through_the_header(client, agent, ticket):
    client.force_login(agent)
    client.post(
        url("desk:ticket_update", ticket),
        header(ticket, title="Printer jams on 3", type="problem", service=""),
    )
    ticket.refresh_from_db()
    assert (ticket.title, ticket.type, ticket.service) == ("Printer jams on 3", "problem", None)


def test_priority_follows_impact_and_urgency(client, agent, ticket):
    client.force_login(agent)
    client.post(url("desk:ticket_update", ticket), header(ticket, impact=1, urgency=1))
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden) == (1, False)


def test_priority_override_needs_a_reason(client, agent, ticket):
    client.force_login(agent)
    response = client.post(url("desk:ticket_update", ticket), header(ticket, priority=1))
    assert response.status_code == 400
    assert "Say why the priority differs" in response.context["header_form"].errors["reason"][0]
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden) == (3, False)

    client.post(url("desk:ticket_update", ticket), header(ticket, priority=1, reason="VIP floor"))
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden) == (1, True)
    body = client.get(url("desk:ticket", ticket)).content.decode()
    assert "by hand: VIP floor" in body


def test_unchanged_header_saves_nothing(client, agent, ticket):
    client.force_login(agent)
    events = ticket.events.count()
    response = client.post(url("desk:ticket_update", ticket), header(ticket), follow=True)
    assert "Nothing to save" in response.content.decode()
    assert ticket.events.count() == events


def test_merge_through_the_form(client, agent, ticket, make_ticket):
    target = make_ticket(title="The original")
    client.force_login(agent)
    response = client.post(url("desk:ticket_merge", ticket), {"target": f"#{target.pk}"})
    assert response.status_code == 302
    assert response["Location"] == url("desk:ticket", target)
    ticket.refresh_from_db()
    assert ticket.merged_into == target
    assert target.articles.count() == 2


@pytest.mark.parametrize("target", ["", "abc", "99999", "self"])
def test_merge_with_a_bad_number_shows_an_error(client, agent, ticket, target):
    client.force_login(agent)
    response = client.post(
        url("desk:ticket_merge", ticket), {"target": ticket.pk if target == "self" else target}
    )
    assert response.status_code == 400
    assert response.context["merge_form"].errors
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_merge_into_an_invisible_ticket_is_refused(client, agent, specialist, outsider, l2, ticket):
    hidden = actions.open_ticket(
        actor=specialist, requester=outsider, team=l2, title="L2 only", description="x"
    )
    client.force_login(agent)
    response = client.post(url("desk:ticket_merge", ticket), {"target": hidden.pk})
    assert "no ticket #" in response.content.decode()
    hidden.refresh_from_db()
    assert hidden.articles.count() == 1


def test_link_and_unlink_through_the_forms(client, agent, ticket, make_ticket):
    other = make_ticket(title="Same printer")
    client.force_login(agent)
    client.post(url("desk:ticket_link", ticket), {"kind": "related", "other": other.pk})
    assert TicketLink.objects.filter(source=ticket, target=other, kind="related").exists()
    assert "Same printer" in client.get(url("desk:ticket", ticket)).content.decode()
    client.post(url("desk:ticket_unlink", ticket), {"kind": "related", "other": other.pk})
    assert not TicketLink.objects.exists()


def test_link_as_child_sets_the_parent(client, agent, ticket, make_ticket):
    major = make_ticket(title="Major incident")
    client.force_login(agent)
    client.post(url("desk:ticket_link", ticket), {"kind": "child", "other": major.pk})
    ticket.refresh_from_db()
    assert ticket.parent == major
    assert "Major incident" in client.get(url("desk:ticket", ticket)).content.decode()


def test_link_to_itself_shows_an_error(client, agent, ticket):
    client.force_login(agent)
    response = client.post(url("desk:ticket_link", ticket), {"kind": "related", "other": ticket.pk})
    assert response.status_code == 400
    assert "cannot be linked to itself" in response.content.decode()


def test_reopen_through_the_form(client, agent, ticket):
    actions.change_status(ticket, actor=agent, status=Status.objects.get(key="resolved"))
    client.force_login(agent)
    response = client.post(url("desk:ticket_reopen", ticket), {"reason": "Jams again"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status.key == "open" and ticket.reopen_count == 1


def test_reopen_an_open_ticket_shows_an_error(client, agent, ticket):
    client.force_login(agent)
    response = client.post(url("desk:ticket_reopen", ticket), {})
    assert response.status_code == 400
    assert "still open" in response.content.decode()


def test_new_ticket_on_behalf_of_a_requester(client, agent, requester, service):
    client.force_login(agent)
    response = client.post(
        reverse("desk:new"),
        {
            "requester_email": "RITA@acme.test",
            "title": "Phoned in: scanner broken",
            "service": service.pk,
            "type": "incident",
            "impact": 2,
            "urgency": 1,
            "team": "",
            "assignee": agent.pk,
            "description": "Rita called.",
            "attachments": SimpleUploadedFile("note.txt", b"call log"),
        },
    )
    ticket = Ticket.objects.get(title="Phoned in: scanner broken")
    assert response["Location"] == url("desk:ticket", ticket)
    assert (ticket.requester, ticket.assignee, ticket.priority) == (requester, agent, 2)
    assert ticket.attachments.count() == 1
    assert f"#{ticket.pk}" in client.get(response["Location"]).content.decode()


def test_new_ticket_for_someone_new_registers_the_requester(client, agent, acme):
    client.force_login(agent)
    client.post(
        reverse("desk:new"),
        {
            "requester_email": "newbie@acme.test",
            "requester_name": "Nina Newbie",
            "title": "First day: no account",
            "type": "service_request",
            "impact": 3,
            "urgency": 2,
            "description": "Walked in.",
        },
    )
    ticket = Ticket.objects.get()
    assert (ticket.requester.email, ticket.requester.full_name) == (
        "newbie@acme.test",
        "Nina Newbie",
    )
    assert ticket.organization == acme


def test_new_ticket_refused_by_the_action_registers_nobody(client, agent, monkeypatch):
    from django.core.exceptions import ValidationError

    from okno.accounts.models import User

    def refuse(**kwargs):
        raise ValidationError({"title": "Refused by the action."})

    monkeypatch.setattr("okno.desk.views.open_ticket", refuse)
    client.force_login(agent)
    users = User.objects.count()
    response = client.post(
        reverse("desk:new"),
        {
            "requester_email": "ghost@nowhere.test",
            "title": "x",
            "type": "incident",
            "impact": 2,
            "urgency": 2,
            "description": "y",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["Refused by the action."]
    assert User.objects.count() == users


def test_new_ticket_with_an_empty_file_is_rejected(client, agent, requester):
    client.force_login(agent)
    response = client.post(
        reverse("desk:new"),
        {
            "requester_email": requester.email,
            "title": "x",
            "type": "incident",
            "impact": 2,
            "urgency": 2,
            "description": "y",
            "attachments": SimpleUploadedFile("empty.txt", b""),
        },
    )
    assert "The submitted file is empty." in response.content.decode()
    assert not Ticket.objects.exists()


def test_new_ticket_requires_a_valid_email(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("desk:new"),
        {
            "requester_email": "not-an-email",
            "title": "x",
            "type": "incident",
            "impact": 2,
            "urgency": 2,
            "description": "y",
        },
    )
    assert "requester_email" in response.context["form"].errors
    assert not Ticket.objects.exists()


DESK_TICKET_URLS = [
    ("get", "desk:ticket"),
    ("post", "desk:ticket_update"),
    ("post", "desk:ticket_reply"),
    ("post", "desk:ticket_merge"),
    ("post", "desk:ticket_link"),
    ("post", "desk:ticket_unlink"),
    ("post", "desk:ticket_reopen"),
]


@pytest.mark.parametrize(("method", "name"), DESK_TICKET_URLS)
def test_other_organization_gets_404_on_every_desk_ticket_url(
    client, outsider, ticket, method, name
):
    client.force_login(outsider)
    response = getattr(client, method)(url(name, ticket), {"body": "hi", "kind": "reply"})
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "name"), DESK_TICKET_URLS)
def test_agent_of_another_team_gets_404(client, specialist, ticket, method, name):
    client.force_login(specialist)
    assert getattr(client, method)(url(name, ticket)).status_code == 404


def test_requester_on_the_desk_ticket_page_goes_to_the_portal(client, requester, ticket):
    client.force_login(requester)
    response = client.get(url("desk:ticket", ticket))
    assert response["Location"] == url("portal:ticket", ticket)


@pytest.mark.parametrize(
    "name", ["desk:ticket_update", "desk:ticket_reply", "desk:ticket_merge", "desk:ticket_link"]
)
def test_requester_writes_on_the_desk_are_forbidden(client, requester, ticket, name):
    client.force_login(requester)
    response = client.post(url(name, ticket), {"kind": "note", "body": "sneaky"})
    assert response.status_code == 403
    assert not ticket.articles.filter(body_text="sneaky").exists()


@pytest.mark.parametrize(("language", "zone"), [("en", "UTC"), ("ru", "Europe/Moscow")])
def test_timeline_is_the_markup_of_the_template_loop_it_replaced(
    client, agent, requester, ticket, language, zone
):
    """desk.timeline.render_entries builds the entries in Python; timeline_loop.html is the
    template loop it replaced, rendered here from the same page context for comparison."""
    from pathlib import Path

    from django.template import Context, Template
    from django.utils import timezone, translation

    agent.full_name = 'Alice <script>alert("x")</script>'
    agent.language, agent.time_zone = language, zone
    agent.save()
    actions.add_note(
        ticket,
        actor=agent,
        body="Line one <b>bold</b>\n\nSecond & last",
        attachments=[
            NewAttachment('diag "x" <1>.txt', b"toner"),
            NewAttachment("big.log", b"x" * 5000),
        ],
        time_spent_minutes=1,
    )
    actions.add_reply(ticket, actor=agent, body="We are on it.", time_spent_minutes=5)
    actions.add_reply(ticket, actor=requester, body="Thanks!")
    Article.objects.create(ticket=ticket, kind="system", channel="web", body_text="Merged.")
    Article.objects.create(ticket=ticket, kind="reply", channel="email", body_text="No author")
    loop = Path(__file__).with_name("timeline_loop.html").read_text()
    reference = Template("{% load i18n %}" + loop)
    client.force_login(agent)
    for merged in (False, True):
        if merged:
            other = Ticket.objects.create(
                title="Target", requester=requester, status=ticket.status, team=ticket.team
            )
            Ticket.objects.filter(pk=ticket.pk).update(merged_into=other)
        response = client.get(url("desk:ticket", ticket))
        html = response.content.decode()
        start = html.index('<ol class="timeline" id="timeline"')
        start = html.index(">", start) + len(">\n")  # the loop file keeps its indentation
        end = html.index("\n    </ol>", start)
        page = next(c for c in response.context if "timeline" in c and "csrf_token" in c)
        context = Context(page.flatten())
        with translation.override(language), timezone.override(zone):
            expected = reference.render(context)
        assert html[start:end] == expected
        assert html.count('class="tag-chip"') == 0 and "&lt;script&gt;" in expected
        assert ("split-title-" in expected) is not merged
        assert expected.count('<ul class="attachments">') == 1 and "big.log</a>" in expected
        assert "article-system" in expected and "from-requester" in expected


@pytest.mark.django_db(transaction=True)
def test_macro_picker_lists_own_and_shared_macros_as_they_change(client, agent, lead, ticket):
    from okno.desk.models import Macro

    client.force_login(agent)
    Macro.objects.create(owner=agent, name="Mine <1>", body="x")
    Macro.objects.create(owner=lead, name="Leo's shared", body="x", shared=True)
    private = Macro.objects.create(owner=lead, name="Leo's private", body="x")
    page = client.get(url("desk:ticket", ticket)).content.decode()
    assert '<option value="Mine &lt;1&gt;">Mine &lt;1&gt;</option>' in page
    assert "Leo&#x27;s shared</option>" in page and "Leo&#x27;s private" not in page
    private.shared = True
    private.save()
    Macro.objects.create(owner=agent, name="Added later", body="x")
    page = client.get(url("desk:ticket", ticket)).content.decode()
    assert "Leo&#x27;s private</option>" in page and "Added later</option>" in page
    Macro.objects.filter(owner=agent).delete()
    page = client.get(url("desk:ticket", ticket)).content.decode()
    assert "Added later" not in page and "Mine &lt;1&gt;" not in page
