"""The agent queue: scoped, filterable, keyset-paged, htmx-aware and cheap."""

import pytest
from django.urls import reverse

from okno.tickets import actions
from okno.tickets.models import Status
from tests.sla.conftest import (  # noqa: F401 (fixtures shared with the SLA tests)
    _fresh_version_caches,
    calendar,
    make_policy,
    travel,
)

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


def test_memoized_option_lists_render_as_the_options_tag_does():
    from okno.desk.reference import OptionList
    from okno.desk.templatetags.desk_tags import options

    pairs = [(1, "A & B"), (2, "<b>Two</b>"), ('x"y', "Q's")]
    for selected in (None, "", "2", 2, 'x"y', "missing"):
        for blank in (None, "Any <x>", "—"):
            expected = options(pairs, selected, blank)
            assert OptionList(pairs).render(selected, blank) == expected
            assert options(OptionList(pairs), selected, blank) == expected


# Transactional: inside a test's outer transaction every memo is bypassed once reference data
# changed (refcache cannot tell a test's transaction from a pending admin change).
@pytest.mark.django_db(transaction=True)
def test_queue_query_count_does_not_grow_with_rows(
    client,
    agent,
    lead,
    acme,
    service,
    make_ticket,
    make_policy,  # noqa: F811
    travel,  # noqa: F811
    django_assert_max_num_queries,
):
    from okno.desk.views import forget_counters
    from okno.ops import refcache
    from okno.tags.actions import change_tags

    travel("2026-03-02 09:00")  # SLA clocks on every ticket: a badge per row, one query
    make_policy(
        targets=[
            {"kind": "first_response", "amount": 1, "unit": "hours"},
            {"kind": "resolution", "amount": 40, "unit": "hours"},
        ]
    )
    for i in range(30):
        ticket = make_ticket(service=service, title=f"Load {i}")
        if i % 2:
            actions.assign_ticket(ticket, actor=agent, assignee=lead)
        if i % 3 == 0:
            change_tags(ticket, actor=agent, add=f"vpn, tag{i}")
    client.force_login(agent)
    client.get(QUEUE)  # warm: the session in the cache, reference lists, counters
    # The page: user, team memberships, rows (one statement, joined), SLA clocks and tag chips
    # of the page (one query each), the notification bell. The filter and bulk bars' lists
    # (statuses, priorities, teams, services, agents) come from the per-process memo.
    with django_assert_max_num_queries(6):
        response = client.get(QUEUE)
    assert len(response.context["rows"]) == 30
    assert response.content.decode().count('class="tag-chip"') == 20
    assert response.content.decode().count('class="pill sla-badge') == 30
    # Sidebar counters not cached: + saved views, the counters' four index-only statements
    # (the teams' and the agent's own open and recently resolved tickets), availability.
    forget_counters(agent)
    with django_assert_max_num_queries(12):
        client.get(QUEUE)
    # A process that has not read the reference lists yet: + statuses, priorities, teams,
    # services, agents.
    refcache.clear()
    with django_assert_max_num_queries(11):
        client.get(QUEUE)
    with django_assert_max_num_queries(5):  # htmx: only the rows (no bell, no bars)
        client.get(QUEUE, headers={"HX-Request": "true"})


@pytest.mark.django_db(transaction=True)
def test_filter_bar_shows_reference_changes_on_the_next_page(client, agent, l1, lead):
    """The filter and bulk bars' lists are memoized per process; a change anywhere shows on
    the very next page (team renamed, status relabelled, new agent, agent renamed)."""
    from okno.accounts.models import Team

    from ..conftest import make_user

    client.force_login(agent)
    page = client.get(QUEUE).content.decode()
    assert f'<option value="{l1.pk}">Service Desk</option>' in page
    l1.name = "Front Desk"
    l1.save()
    status = Status.objects.get(key="open")
    status.labels = {**status.labels, "en": "In progress <now>"}
    status.save()
    lead.full_name = "Leo Renamed"
    lead.save()
    newcomer = make_user("nina@okno.test", "agent", teams=[l1], name="Nina Newcomer")
    page = client.get(QUEUE).content.decode()
    assert f'<option value="{l1.pk}">Front Desk</option>' in page
    assert "Service Desk</option>" not in page
    assert '<option value="open">In progress &lt;now&gt;</option>' in page
    assert page.count(f'<option value="{lead.pk}">Leo Renamed</option>') == 2  # filter + bulk
    assert page.count(f'<option value="{newcomer.pk}">Nina Newcomer</option>') == 2
    Team.objects.create(name="Night <shift>", line=1)
    assert "Night &lt;shift&gt;</option>" in client.get(QUEUE).content.decode()


@pytest.mark.django_db(transaction=True)
def test_agent_leaving_the_role_leaves_the_lists(client, agent, lead):
    client.force_login(agent)
    assert f'<option value="{lead.pk}">Leo Lead</option>' in client.get(QUEUE).content.decode()
    lead.role = "requester"
    lead.save(update_fields=["role"])
    assert "Leo Lead</option>" not in client.get(QUEUE).content.decode()


@pytest.mark.django_db(transaction=True)
def test_sign_in_does_not_reload_the_reference_lists(client, agent, lead):
    from okno.ops import refcache

    client.force_login(agent)
    client.get(QUEUE)
    generation = refcache.generation()
    client.force_login(lead)  # saves last_login only
    assert refcache.generation() == generation


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


@pytest.mark.django_db(transaction=True)
def test_memoized_lists_are_kept_per_language(client, agent, lead):
    client.force_login(agent)
    assert '<option value="open">Open</option>' in client.get(QUEUE).content.decode()
    lead.language = "ru"
    lead.save(update_fields=["language"])
    client.force_login(lead)
    page = client.get(QUEUE).content.decode()
    assert '<option value="open">В работе</option>' in page
    assert "<option" in page and '<option value="open">Open</option>' not in page
    client.force_login(agent)
    assert '<option value="open">Open</option>' in client.get(QUEUE).content.decode()
