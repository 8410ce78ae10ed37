"""Auto-assignment within a team: round-robin and least-loaded, availability and skills."""

import pytest

from okno.routing.actions import auto_assign, set_availability
from okno.routing.handlers import on_ticket_event
from okno.routing.models import AgentStatus, Strategy, TeamRouting
from okno.tickets import actions
from tests.conftest import make_user


@pytest.fixture
def team(l1, agent, lead):
    """Service Desk with three agents: Alice, Leo and Bea (ids ascending)."""
    bea = make_user("bea@okno.test", "agent", teams=[l1], name="Bea Backup")
    return {"team": l1, "people": [agent, lead, bea]}


@pytest.fixture
def new_ticket(requester, service):
    def make(**fields):
        return actions.open_ticket(
            actor=requester, title="Help", description="Please.", service=service, **fields
        )

    return make


def route(team, strategy, **options):
    return TeamRouting.objects.create(team=team["team"], strategy=strategy, **options)


def test_round_robin_takes_turns_and_wraps(team, new_ticket):
    route(team, Strategy.ROUND_ROBIN)
    chosen = [auto_assign(new_ticket().pk) for _ in range(4)]
    people = team["people"]
    assert chosen == [people[0], people[1], people[2], people[0]]


def test_least_loaded_picks_the_agent_with_fewest_open_tickets(team, new_ticket):
    route(team, Strategy.LEAST_LOADED)
    alice, leo, bea = team["people"]
    for person, n in ((alice, 2), (leo, 1)):
        for _ in range(n):
            actions.assign_ticket(new_ticket(), actor=None, assignee=person)
    assert auto_assign(new_ticket().pk) == bea
    assert auto_assign(new_ticket().pk) in (leo, bea)  # now 1 / 1: lowest id wins
    assert auto_assign(new_ticket().pk) == bea


def test_away_agents_are_skipped_unless_the_team_ignores_availability(team, new_ticket):
    routing = route(team, Strategy.ROUND_ROBIN)
    alice, leo, bea = team["people"]
    set_availability(alice, actor=alice, available=False)
    set_availability(leo, actor=leo, available=False)
    assert auto_assign(new_ticket().pk) == bea
    assert auto_assign(new_ticket().pk) == bea
    routing.respect_availability = False
    routing.save()
    assert auto_assign(new_ticket().pk) == alice


def test_nobody_available_leaves_the_ticket_unassigned(team, new_ticket):
    route(team, Strategy.ROUND_ROBIN)
    for person in team["people"]:
        set_availability(person, actor=person, available=False)
    ticket = new_ticket()
    assert auto_assign(ticket.pk) is None
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_skills_match_prefers_skilled_agents_and_falls_back(team, new_ticket, service):
    route(team, Strategy.ROUND_ROBIN, match_skills=True)
    alice, leo, bea = team["people"]
    AgentStatus.objects.create(agent=leo).skills.add(service)
    assert [auto_assign(new_ticket().pk) for _ in range(2)] == [leo, leo]
    set_availability(leo, actor=leo, available=False)
    assert auto_assign(new_ticket().pk) in (alice, bea)


def test_no_strategy_or_already_assigned_does_nothing(team, new_ticket):
    routing = route(team, Strategy.NONE)
    ticket = new_ticket()
    assert auto_assign(ticket.pk) is None
    routing.strategy = Strategy.ROUND_ROBIN
    routing.save()
    actions.assign_ticket(ticket, actor=None, assignee=team["people"][2])
    assert auto_assign(ticket.pk) is None
    assert auto_assign(987654) is None


def test_assignment_is_recorded_as_a_system_event(team, new_ticket):
    route(team, Strategy.ROUND_ROBIN)
    ticket = new_ticket()
    on_ticket_event(ticket.pk, "created")
    event = ticket.events.filter(kind="assigned").get()
    assert event.actor is None and event.new == team["people"][0].pk
    ticket.refresh_from_db()
    assert ticket.status_category == "open"


def test_only_created_events_trigger_assignment(team, new_ticket):
    route(team, Strategy.ROUND_ROBIN)
    ticket = new_ticket()
    on_ticket_event(ticket.pk, "assigned")
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_agents_cannot_set_others_away(team):
    from django.core.exceptions import PermissionDenied

    alice, leo, _bea = team["people"]
    with pytest.raises(PermissionDenied):
        set_availability(leo, actor=alice, available=False)
