"""headline_clocks (one query, open clocks of the latest cycles only) picks the badge clock
that headline() picks from every clock of the ticket."""

from __future__ import annotations

from okno.sla.models import SlaClock
from okno.sla.queries import clocks_for_tickets, headline, headline_clocks
from okno.tickets import actions
from okno.tickets.models import Status


def test_same_badge_clock_as_from_all_clocks(
    make_policy, travel, requester, agent, service, django_assert_num_queries
):
    travel("2026-03-02 09:00")
    make_policy(
        targets=[
            {"kind": "first_response", "amount": 1, "unit": "hours"},
            {"kind": "next_response", "amount": 2, "unit": "hours"},
            {"kind": "resolution", "amount": 8, "unit": "hours"},
        ]
    )

    def ticket(title):
        return actions.open_ticket(
            actor=requester, requester=requester, title=title, description="…", service=service
        )

    fresh, answered, waiting, done, talking = (ticket(t) for t in "abcde")
    actions.add_reply(answered, actor=agent, body="On it.")
    actions.add_reply(
        waiting, actor=agent, body="Which?", status=Status.objects.get(key="waiting_customer")
    )
    actions.change_status(done, actor=agent, status=Status.objects.get(key="resolved"))
    for body in ("Which printer?", "Floor 3.", "Replaced the roller.", "Now floor 4."):
        author = agent if body.endswith("?") or body.startswith("Replaced") else requester
        actions.add_reply(talking, actor=author, body=body)
    assert SlaClock.objects.filter(ticket_id=talking.pk, cycle=2, state="running").exists()
    assert SlaClock.objects.filter(ticket_id=talking.pk, cycle=1, state="met").exists()
    tickets = [fresh, answered, waiting, done, talking]
    for moment in ("2026-03-02 09:30", "2026-03-02 11:00", "2026-03-03 16:00"):
        travel(moment)  # due soon, then overdue
        expected = {
            t.pk: headline(v)
            for t, v in zip(tickets, clocks_for_tickets(tickets).values(), strict=True)
        }
        with django_assert_num_queries(1):
            found = headline_clocks(tickets)
        assert found == expected, moment
    assert found[done.pk] is None and found[talking.pk] is not None
    assert headline_clocks([]) == {}
