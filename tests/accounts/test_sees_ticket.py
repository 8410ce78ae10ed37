"""``sees_ticket`` (one loaded ticket) and ``visible_tickets`` (a filter) agree everywhere.

``get_ticket_for`` loads a ticket by key and then asks ``sees_ticket``; every list asks
``visible_tickets``. A difference between the two would show a ticket on one page that
another hides, so this walks every role and flag against tickets in every relation to them.
"""

from __future__ import annotations

import itertools

import pytest
from django.http import Http404

from okno.accounts.models import Organization, Role, User
from okno.accounts.queries import get_ticket_for, sees_ticket, visible_tickets
from okno.tickets.models import Ticket
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(acme, globex, l1, l2):
    shared = Organization.objects.create(name="Initech", shared_tickets=True)
    acme.shared_tickets = False
    acme.save()
    people: list[User] = []
    for n, (role, org, flag, teams, active, superuser) in enumerate(
        itertools.product(
            [Role.REQUESTER, Role.AGENT, Role.MANAGER, Role.ADMIN],
            [None, acme, shared],
            [False, True],
            [(), (l1,), (l1, l2)],
            [True, False],
            [False, True],
        )
    ):
        if superuser and role != Role.AGENT:
            continue
        if teams and role == Role.REQUESTER and n % 2:
            continue  # a requester with memberships (left over from a role change): some
        people.append(
            make_user(
                f"p{n}@grid.test",
                role,
                organization=org,
                teams=teams,
                sees_organization_tickets=flag,
                is_active=active,
                is_superuser=superuser,
            )
        )
    from okno.tickets.actions import open_ticket

    admin = make_user("root@grid.test", "admin")

    def one(role, org, flag, teams, active=True):
        return next(
            p
            for p in people
            if (p.role, p.organization_id, p.sees_organization_tickets, p.is_active)
            == (role, org and org.pk, flag, active)
            and len(p.memberships.all()) == teams
        )

    requesters = [
        one(Role.REQUESTER, acme, True, 0),  # organization not shared
        one(Role.REQUESTER, shared, True, 0),
        one(Role.REQUESTER, shared, False, 0),
        one(Role.REQUESTER, None, True, 0),
        one(Role.AGENT, shared, True, 1),
    ]
    assignees = [None, one(Role.AGENT, None, False, 0), one(Role.AGENT, acme, False, 0, False)]
    tickets = []
    for requester, org, team, assignee in itertools.product(
        requesters, [None, acme, shared, globex], [None, l1, l2], assignees
    ):
        ticket = open_ticket(actor=admin, requester=requester, title="t", description="d")
        Ticket.objects.filter(pk=ticket.pk).update(organization=org, team=team, assignee=assignee)
        tickets.append(ticket.pk)
    return [*people, admin], tickets


def test_the_test_of_one_ticket_is_the_filter(world):
    people, ids = world
    tickets = list(Ticket.objects.filter(pk__in=ids))
    assert len(tickets) == 5 * 4 * 3 * 3
    seen_somewhere = set()
    for user in people:
        user = User.objects.get(pk=user.pk)  # fresh: no cached teams
        listed = set(visible_tickets(user).filter(pk__in=ids).values_list("pk", flat=True))
        tested = {t.pk for t in tickets if sees_ticket(user, t)}
        assert tested == listed, (user.email, user.role, sorted(tested ^ listed)[:5])
        seen_somewhere |= listed
        for pk in ids[:: len(ids) // 12]:
            if pk in listed:
                assert get_ticket_for(user, pk).pk == pk
            else:
                with pytest.raises(Http404):
                    get_ticket_for(user, pk)
    assert seen_somewhere and any(
        0 < len(set(visible_tickets(u).filter(pk__in=ids))) < len(ids) for u in people
    )


def test_nobody_and_bad_keys_see_nothing(ticket, requester):
    from django.contrib.auth.models import AnonymousUser

    assert not sees_ticket(None, ticket)
    assert not sees_ticket(AnonymousUser(), ticket)
    for bad in ("x", None, "1.5", 2**63, -(2**63) - 1, 10**30):
        with pytest.raises(Http404):
            get_ticket_for(requester, bad)
    found = get_ticket_for(requester, str(ticket.pk))
    # loaded with the relations a page shows, as select_related leaves them
    assert found.status.key and found.requester.pk == requester.pk
