"""Agent workspace: saved views, bulk actions, macros, split, children, presence, time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from okno.desk.models import Macro, SavedView
from okno.routing.models import AgentStatus
from okno.tickets import actions
from okno.tickets.models import Status, Ticket, TicketLink

QUEUE = reverse("desk:queue")


def url(name, ticket):
    return reverse(name, args=[ticket.pk])


def rows(response):
    return [t.pk for t in response.context["rows"]]


# Saved views --------------------------------------------------------------------------


def test_save_a_view_and_count_it_in_the_sidebar(client, agent, make_ticket, service, lead):
    mine = make_ticket(title="Mine P1", service=service, impact=1, urgency=1)
    actions.assign_ticket(mine, actor=agent, assignee=agent)
    make_ticket(title="Other", service=service)
    client.force_login(agent)
    response = client.post(
        reverse("desk:view_save"),
        {
            "name": "My urgent",
            "params": "assignee=me&priority=1&cursor=x",
            "columns": ["status", "priority"],
        },
    )
    view = SavedView.objects.get(name="My urgent")
    assert view.params == "assignee=me&priority=1"  # paging is not part of a view
    assert view.columns == ["status", "priority"]
    assert response["Location"] == f"/desk/?sv={view.pk}&assignee=me&priority=1"
    page = client.get(response["Location"])
    assert rows(page) == [mine.pk]
    assert page.context["columns"] == ["status", "priority"]
    saved = page.context["sidebar"]["saved"]
    assert [(s["view"].name, s["count"]) for s in saved] == [("My urgent", 1)]


def test_saved_view_with_bad_filters_is_refused(client, agent):
    client.force_login(agent)
    client.post(reverse("desk:view_save"), {"name": "Broken", "params": "state=nonsense"})
    assert not SavedView.objects.exists()


def test_shared_view_is_seen_by_other_agents_but_only_its_owner_deletes_it(client, agent, lead):
    view = SavedView.objects.create(owner=lead, name="Team P1", params="priority=1", shared=True)
    private = SavedView.objects.create(owner=lead, name="Leo only", params="priority=2")
    client.force_login(agent)
    names = [s["view"].name for s in client.get(QUEUE).context["sidebar"]["saved"]]
    assert names == ["Team P1"]
    assert client.get(QUEUE, {"sv": private.pk}).context["saved_view"] is None
    assert client.post(reverse("desk:view_delete", args=[view.pk])).status_code == 403
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_closed_state_views_get_no_counter(client, agent):
    SavedView.objects.create(owner=agent, name="Closed", params="state=closed")
    client.force_login(agent)
    saved = client.get(QUEUE).context["sidebar"]["saved"]
    assert saved[0]["count"] is None


def ticket_count(sql: str) -> bool:
    return "COUNT(" in sql and "tickets_ticket" in sql


def test_sidebar_counters_are_cached_and_dropped_by_own_changes(
    client, agent, make_ticket, service
):
    client.force_login(agent)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        client.get(QUEUE)
    # (The notification bell counts unread notifications: not a ticket counter.)
    assert not any(ticket_count(q["sql"]) for q in queries.captured_queries)
    client.post(reverse("desk:view_save"), {"name": "All", "params": ""})
    with CaptureQueriesContext(connection) as queries:
        client.get(QUEUE)
    # Recomputed at once: the built-in counters' four index-only statements (the teams' open
    # and recently resolved tickets, the agent's own open and recently resolved ones) and one
    # for the saved views.
    assert sum(ticket_count(q["sql"]) for q in queries.captured_queries) == 5


# Bulk actions -------------------------------------------------------------------------


def test_bulk_assign_reports_what_failed(client, agent, lead, make_ticket, service, l2, specialist):
    ours = [make_ticket(service=service, title=f"Ours {i}") for i in range(3)]
    theirs = make_ticket(team=None, title="Infra")
    actions.assign_ticket(theirs, actor=None, team=l2)
    client.force_login(agent)
    ids = [t.pk for t in ours] + [theirs.pk, 999999]
    response = client.post(
        reverse("desk:bulk"),
        {"ids": ids, "operation": "assign", "assignee": lead.pk, "next": "/desk/?view=team"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/desk/?view=team"
    text = response.content.decode()
    assert "3 updated, 2 failed" in text
    assert f"#{theirs.pk} — " in text and "#999999 — not found" in text
    assert set(Ticket.objects.filter(assignee=lead).values_list("pk", flat=True)) == {
        t.pk for t in ours
    }
    theirs.refresh_from_db()
    assert theirs.assignee is None


def test_bulk_status_priority_and_merge(client, agent, make_ticket, service):
    a, b, c = (make_ticket(service=service, title=t) for t in ("A", "B", "C"))
    client.force_login(agent)
    waiting = Status.objects.filter(category="waiting", is_active=True).first()
    client.post(
        reverse("desk:bulk"), {"ids": [a.pk, b.pk], "operation": "status", "status": waiting.pk}
    )
    assert set(Ticket.objects.filter(status=waiting).values_list("pk", flat=True)) == {a.pk, b.pk}
    # A priority override needs a reason: nothing changes without one.
    client.post(reverse("desk:bulk"), {"ids": [a.pk], "operation": "priority", "priority": 1})
    a.refresh_from_db()
    assert a.priority != 1
    client.post(
        reverse("desk:bulk"),
        {"ids": [a.pk, b.pk], "operation": "priority", "priority": 1, "reason": "Outage"},
    )
    assert set(Ticket.objects.filter(priority=1).values_list("pk", flat=True)) == {a.pk, b.pk}
    client.post(
        reverse("desk:bulk"), {"ids": [a.pk, b.pk, c.pk], "operation": "merge", "target": c.pk}
    )
    assert set(Ticket.objects.filter(merged_into=c).values_list("pk", flat=True)) == {a.pk, b.pk}


def test_bulk_without_ticks_changes_nothing(client, agent):
    client.force_login(agent)
    response = client.post(reverse("desk:bulk"), {"operation": "assign"}, follow=True)
    assert "Tick at least one ticket." in response.content.decode()


def test_bulk_next_must_stay_on_this_site(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("desk:bulk"),
        {
            "ids": [ticket.pk],
            "operation": "assign",
            "assignee": agent.pk,
            "next": "https://evil.test/",
        },
    )
    assert response["Location"] == QUEUE


# Ticket page --------------------------------------------------------------------------


def test_timeline_filters(client, agent, ticket):
    actions.add_note(ticket, actor=agent, body="Internal thought")
    actions.add_reply(ticket, actor=agent, body="Public answer", time_spent_minutes=7)
    client.force_login(agent)
    notes = client.get(url("desk:ticket", ticket), {"show": "notes"}).content.decode()
    assert "Internal thought" in notes and "Public answer" not in notes
    replies = client.get(url("desk:ticket", ticket), {"show": "replies"}).content.decode()
    assert "Public answer" in replies and "Internal thought" not in replies
    events = client.get(url("desk:ticket", ticket), {"show": "events"})
    assert all(e.event for e in events.context["timeline"])
    assert events.context["time_by_agent"] == [("Alice Agent", 7)]


def test_macro_picks_the_requesters_language_and_substitutes(client, agent, lead, ticket):
    ticket.requester.language = "ru"
    ticket.requester.save()
    Macro.objects.create(
        owner=lead, name="Thanks", body="Thanks {{ requester.first_name }}", shared=True
    )
    Macro.objects.create(
        owner=lead,
        name="Thanks",
        language="ru",
        body="Спасибо, {{ requester.first_name }}! #{{ ticket.number }} — {{ agent.first_name }} {{ agent.password }}",
        shared=True,
    )
    Macro.objects.create(owner=lead, name="Leo private", body="x")
    client.force_login(agent)
    page = client.get(url("desk:ticket", ticket))
    assert page.context["macro_names"] == ["Thanks"]
    text = client.get(url("desk:ticket_macro", ticket), {"name": "Thanks"})
    assert text.content.decode() == f"Спасибо, Rita! #{ticket.pk} — Alice {{{{ agent.password }}}}"
    assert client.get(url("desk:ticket_macro", ticket), {"name": "Leo private"}).status_code == 404
    # Without JavaScript, ?macro= prefills the reply box.
    page = client.get(url("desk:ticket", ticket), {"macro": "Thanks"})
    assert "Спасибо, Rita!" in page.content.decode()


def test_macro_page_saves_and_validates(client, agent):
    client.force_login(agent)
    bad = client.post(reverse("desk:macros"), {"name": "Oops", "body": "Hi {{ user.password }}"})
    assert bad.status_code == 400 and "Unknown variables: user.password" in bad.content.decode()
    client.post(
        reverse("desk:macros"),
        {"name": "Hi", "body": "Hi {{ requester.first_name }}", "language": "en"},
    )
    assert Macro.objects.get(name="Hi").language == "en"


def test_split_an_article_into_a_related_ticket(client, agent, ticket):
    reply = actions.add_reply(ticket, actor=ticket.requester, body="Also my monitor flickers.")
    client.force_login(agent)
    response = client.post(
        url("desk:ticket_split", ticket), {"article": reply.pk, "title": "Monitor flickers"}
    )
    new = Ticket.objects.get(title="Monitor flickers")
    assert response["Location"] == url("desk:ticket", new)
    assert new.requester == ticket.requester and new.team == ticket.team
    assert new.articles.first().body_text == "Also my monitor flickers."
    assert TicketLink.objects.filter(source=new, target=ticket, kind="related").exists()


def test_split_refuses_an_article_of_another_ticket(client, agent, ticket, make_ticket):
    other = make_ticket()
    client.force_login(agent)
    response = client.post(url("desk:ticket_split", ticket), {"article": other.articles.first().pk})
    assert response.status_code == 404


def test_reply_to_all_children(client, agent, ticket, make_ticket, service):
    kids = [make_ticket(service=service, parent=ticket) for _ in range(3)]
    client.force_login(agent)
    page = client.get(url("desk:ticket", ticket)).content.decode()
    assert "Send to all 3 child tickets" in page
    response = client.post(
        url("desk:ticket_children_reply", ticket), {"body": "Fixed for everyone."}, follow=True
    )
    assert "3 updated" in response.content.decode()
    for kid in kids:
        assert kid.articles.filter(
            kind="reply", author=agent, body_text="Fixed for everyone."
        ).exists()


def test_presence_shows_other_agents(client, agent, lead, ticket):
    from django.test import Client

    other = Client()
    other.force_login(lead)
    client.force_login(agent)
    first = client.post(url("desk:ticket_presence", ticket), {"state": "viewing"})
    assert "is viewing" not in first.content.decode()
    other.post(url("desk:ticket_presence", ticket), {"state": "replying"})
    seen = client.post(url("desk:ticket_presence", ticket), {"state": "viewing"}).content.decode()
    assert "Leo Lead is replying" in seen
    seen = other.post(url("desk:ticket_presence", ticket), {"state": "replying"}).content.decode()
    assert "Alice Agent is viewing" in seen
    client.post(url("desk:ticket_presence", ticket), {"state": "left"})
    assert (
        "Alice"
        not in other.post(
            url("desk:ticket_presence", ticket), {"state": "replying"}
        ).content.decode()
    )


def test_presence_is_for_the_ticket_team_only(client, specialist, ticket, outsider):
    client.force_login(specialist)
    assert client.post(url("desk:ticket_presence", ticket)).status_code in (403, 404)
    client.force_login(outsider)
    assert client.post(url("desk:ticket_presence", ticket)).status_code in (302, 404)


def test_agents_set_themselves_away(client, agent):
    client.force_login(agent)
    client.post(reverse("desk:availability"), {"available": "0"})
    assert AgentStatus.objects.get(agent=agent).available is False
    assert "Set me available" in client.get(QUEUE).content.decode()
    client.post(reverse("desk:availability"), {"available": "1"})
    assert AgentStatus.objects.get(agent=agent).available is True


@pytest.mark.parametrize("name", ["view_save", "bulk", "availability", "macros"])
def test_requesters_are_sent_to_the_portal(client, requester, name):
    client.force_login(requester)
    response = client.post(reverse(f"desk:{name}"))
    assert response.status_code == 302 and "/portal" in response["Location"]


def test_pages_of_other_apps_in_the_desk_layout_get_the_sidebar(client, agent):
    client.force_login(agent)
    body = client.get(reverse("redbutton:stats")).content.decode()
    assert "Unassigned in my teams" in body and "Set me away" in body


def test_children_listed_are_the_visible_ones_newest_first(
    client, agent, requester, ticket, make_ticket, l1, l2, monkeypatch
):
    from okno.desk import ticket_views
    from okno.ops.lookup import JoinedLookup
    from okno.tickets.models import Ticket

    kids = [
        make_ticket(agent, requester=requester, team=l2 if n % 3 else l1, parent=ticket)
        for n in range(9)
    ]
    seen = [k.pk for k in reversed(kids) if k.team_id == l1.pk]  # 0, 3, 6: agent's team
    client.force_login(agent)
    page = client.get(url("desk:ticket", ticket))
    assert [t.pk for t in page.context["children"]] == seen
    # Invisible children fill the first rows read: the page asks for the visible ones.
    monkeypatch.setattr(ticket_views, "CHILDREN_SHOWN", 2)
    few = JoinedLookup(Ticket, ["status"], where=[("parent", "exact")], order_by=("-pk",), limit=3)
    monkeypatch.setattr(ticket_views, "_CHILDREN", few)
    page = client.get(url("desk:ticket", ticket))
    assert [t.pk for t in page.context["children"]] == seen[:2]
    first_rows = few.all(ticket.pk)
    assert len(first_rows) == 3 and sum(k.team_id == l1.pk for k in first_rows) == 1
