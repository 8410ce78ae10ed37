"""The "Breaching soon" view: open tickets with a running SLA clock due within two hours."""

from django.urls import reverse

from okno.tickets import actions
from tests.sla.conftest import (  # noqa: F401 (fixtures shared with the SLA tests)
    _fresh_version_caches,
    calendar,
    make_policy,
    travel,
)


def test_breaching_soon_counts_and_lists_the_same_tickets(
    client,
    agent,
    make_ticket,
    service,
    make_policy,  # noqa: F811
    travel,  # noqa: F811
):
    travel("2026-03-02 09:00")  # a Monday, inside working hours
    make_policy(
        targets=[
            {"kind": "first_response", "amount": 1, "unit": "hours"},
            {"kind": "resolution", "amount": 40, "unit": "hours"},
        ]
    )
    due_soon = make_ticket(service=service, title="Due at ten")
    answered = make_ticket(service=service, title="Answered")
    actions.add_reply(answered, actor=agent, body="On it.")  # first response met
    client.force_login(agent)
    response = client.get(reverse("desk:queue"), {"view": "breaching"})
    assert [t.pk for t in response.context["rows"]] == [due_soon.pk]
    counts = {i["view"].key: i["count"] for i in response.context["sidebar"]["builtin"]}
    assert counts["breaching"] == 1
