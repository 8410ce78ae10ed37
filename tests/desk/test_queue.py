"""The agent queue: scoped, filterable, keyset-paged, htmx-aware and cheap."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from okno.tickets import actions
from okno.tickets.models import Status

QUEUE = reverse("desk:queue")


def numbers(response):
    return [t.pk for t in response.context["rows"]]


def test_anonymous_is_sent_to_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_requesters_are_redirected_to_the_portal(client, requester):
    client.force_login(requester)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_queue_lists_only_tickets_the_agent_may_see(
    client, agent, specialist, outsider, l2, make_ticket
):
    mine = make_ticket(title="Printer jams")
    elsewhere = make_ticket(actor=specialist, requester=outsider, team=l2, title="Core switch")
    client.force_login(agent)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert numbers(response) == [mine.pk]
    assert "Core switch" not in response.content.decode()
    assert elsewhere.pk not in numbers(client.get(QUEUE, {"q": f"#{elsewhere.pk}"}))


@pytest.fixture
def varied(agent, lead, requester, service, l1, make_ticket):
    """Tickets that differ in exactly one property each, all in Alice's team."""
    from okno.catalog.models import Service

    other_service = Service.objects.create(name="Email", owner_team=l1)
    t = {
        "plain": make_ticket(title="Plain one", service=service),
        "question": make_ticket(title="How do I", type="question", service=service),
        "urgent": make_ticket(title="Everything down", impact=1, urgency=1, service=service),
        "email": make_ticket(title="Mailbox full", service=other_service),
        "mine": make_ticket(title="Assigned to Alice", service=service),
        "leos": make_ticket(title="Assigned to Leo", service=service),
        "waiting": make_ticket(title="Waiting on Rita", service=service),
        "resolved": make_ticket(title="Done already", service=service),
    }
    actions.assign_ticket(t["mine"], actor=agent, assignee=agent)
    actions.assign_ticket(t["leos"], actor=agent, assignee=lead)
    actions.change_status(
        t["waiting"], actor=agent, status=Status.objects.get(key="waiting_customer")
    )
    actions.change_status(t["resolved"], actor=agent, status=Status.objects.get(key="resolved"))
    return t


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"plain", "question", "urgent", "email", "mine", "leos", "waiting"}),
        ({"state": "resolved"}, {"resolved"}),
        ({"state": "waiting"}, {"waiting"}),
        ({"status": "open"}, {"mine", "leos"}),
        ({"assignee": "me"}, {"mine"}),
        ({"assignee": "none"}, {"plain", "question", "urgent", "email", "waiting"}),
        ({"type": "question"}, {"question"}),
        ({"priority": "1"}, {"urgent"}),
        ({"q": "mailbox"}, {"email"}),
    ],
)
def test_each_filter_narrows_the_queue(client, agent, varied, params, expected):
    client.force_login(agent)
    response = client.get(QUEUE, params)
    assert set(numbers(response)) == {varied[k].pk for k in expected}


def test_filter_by_team_service_assignee_id_and_number(
    client, agent, lead, specialist, outsider, l1, l2, varied, make_ticket
):
    other_team = make_ticket(actor=agent, title="Moved to L2", team=l1)
    actions.assign_ticket(other_team, actor=agent, team=l2)
    client.force_login(lead)  # still sees nothing of L2, so team=l2 is empty for Leo
    assert numbers(client.get(QUEUE, {"team": l2.pk})) == []
    client.force_login(agent)
    assert other_team.pk not in numbers(client.get(QUEUE, {"team": l1.pk}))
    email = varied["email"]
    assert numbers(client.get(QUEUE, {"service": email.service_id})) == [email.pk]
    assert numbers(client.get(QUEUE, {"assignee": lead.pk})) == [varied["leos"].pk]
    assert numbers(client.get(QUEUE, {"q": f"#{email.pk}"})) == [email.pk]


def test_bad_filter_values_are_reported_not_fatal(client, agent, varied):
    client.force_login(agent)
    response = client.get(QUEUE, {"priority": "high", "cursor": "garbage"})
    assert response.status_code == 200
    assert "priority" in response.context["flt"].errors
    assert "cursor" in response.context["flt"].errors


@pytest.mark.parametrize("sort", ["score", "newest", "oldest", "updated", "priority"])
def test_next_page_continues_without_duplicates(client, agent, make_ticket, sort):
    created = {make_ticket(impact=1 + i % 3).pk for i in range(7)}
    client.force_login(agent)
    seen: list[int] = []
    params = {"limit": 3, "sort": sort}
    for _page in range(5):
        response = client.get(QUEUE, params)
        seen += numbers(response)
        if not response.context["next_params"]:
            break
        assert "Next page" in response.content.decode()
        params = response.context["next_params"]
        params = dict(pair.split("=", 1) for pair in params.split("&"))
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == created


def test_htmx_request_gets_only_the_rows(client, agent, make_ticket):
    make_ticket(title="Partial please")
    client.force_login(agent)
    response = client.get(QUEUE, {"q": "partial"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="queue-results"' in body
    assert "Partial please" in body
    assert "<html" not in body
    assert "sidebar" not in body
    assert "HX-Request" in response["Vary"]
    full = client.get(QUEUE).content.decode()
    assert "<html" in full and 'hx-target="#queue-results"' in full


def test_history_restore_gets_the_whole_page(client, agent):
    client.force_login(agent)
    response = client.get(
        QUEUE, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_sidebar_counters_match_the_views(client, agent, varied):
    client.force_login(agent)
    response = client.get(QUEUE)
    builtin = response.context["sidebar"]["builtin"]
    counts = {item["view"].key: item["count"] for item in builtin}
    assert counts == {
        "mine": 1,
        "for_me": 1,
        "unassigned": 5,
        "breaching": 0,
        "team": 7,
        "waiting": 1,
        "resolved": 1,
    }
    for key, count in counts.items():
        view = next(i["view"] for i in builtin if i["view"].key == key)
        listed = client.get(QUEUE + f"?view={key}{view.params}")
        assert len(numbers(listed)) == count, key


def test_empty_queue_says_what_to_do(client, agent):
    client.force_login(agent)
    body = client.get(QUEUE).content.decode()
    assert "The queue is empty" in body
    assert reverse("desk:new") in body
    body = client.get(QUEUE, {"q": "nothing like this"}).content.decode()
    assert "Clear filters" in body


def test_queue_query_count_does_not_grow_with_rows(
    client, agent, lead, acme, service, make_ticket, django_assert_max_num_queries
):
    for i in range(30):
        ticket = make_ticket(service=service, title=f"Load {i}")
        if i % 2:
            actions.assign_ticket(ticket, actor=agent, assignee=lead)
    client.force_login(agent)
    client.get(QUEUE)  # warm the session
    cache.clear()  # counters not cached yet: the one aggregate runs
    # +1 in each budget: the SLA badges read the page's clocks in one query (sla_clocks_for);
    # +1: the notification bell's unread count in the top bar.
    # +1: the page's tag chips, one prefetch for all rows (tags.queries.prefetch_tags).
    with django_assert_max_num_queries(15):
        response = client.get(QUEUE)
    with django_assert_max_num_queries(14):  # counters cached for 30 s
        response = client.get(QUEUE)
    assert len(response.context["rows"]) == 30
    with django_assert_max_num_queries(7):  # +1: tag chips
        client.get(QUEUE, headers={"HX-Request": "true"})


def test_rows_escape_text_and_show_times_in_the_viewers_zone(client, agent, make_ticket):
    """The rows are built in Python (desk/rows.py): every value is escaped, times are local."""
    from datetime import UTC, datetime

    from okno.tickets.models import Ticket

    ticket = make_ticket(title='<script>alert("x")</script> & co')
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=datetime(2026, 1, 15, 21, 30, tzinfo=UTC))
    agent.time_zone, agent.language = "Europe/Moscow", "en"
    agent.save(update_fields=["time_zone", "language"])
    client.force_login(agent)
    html = client.get(QUEUE, {"columns": "updated"}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert f'data-href="/desk/tickets/{ticket.pk}/"' in html
    assert 'datetime="2026-01-16T00:30:00+03:00"' in html  # 21:30 UTC is past midnight in Moscow


def test_filter_bar_options_keep_the_selection_and_escape_labels(client, agent, l1):
    from okno.desk.templatetags.desk_tags import options

    html = options([(1, "A & B"), (2, "<b>Two</b>")], "2", "Any")
    assert html == (
        '<option value="">Any</option><option value="1">A &amp; B</option>'
        '<option value="2" selected>&lt;b&gt;Two&lt;/b&gt;</option>'
    )
    client.force_login(agent)
    page = client.get(QUEUE, {"team": l1.pk, "assignee": "me"}).content.decode()
    assert f'<option value="{l1.pk}" selected>{l1.name}</option>' in page
    assert f'<option value="{agent.pk}" selected>' in page  # bulk assignee defaults to me
