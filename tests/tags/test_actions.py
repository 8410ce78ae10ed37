"""Tagging tickets and managing the vocabulary: normalization, events, who may do what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from okno.desk.timeline import agent_timeline
from okno.tags import actions
from okno.tags.events import TAGS_CHANGED
from okno.tags.models import Tag, TicketTag, normalize_name, split_names
from okno.tickets.models import TicketEvent

from .conftest import names


def tag_events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket, kind=TAGS_CHANGED).order_by("id"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  VPN  ", "VPN"),
        ("printer \t  floor\n3", "printer floor 3"),
        ("cafe\u0301", "café"),  # NFC: the decomposed and composed é are one tag
    ],
)
def test_names_are_trimmed_and_collapsed(raw, expected):
    assert normalize_name(raw) == expected


def test_split_keeps_the_first_spelling_once():
    assert split_names("VPN, vpn;  Printer ,,\nvpn ") == ["VPN", "Printer"]


def test_add_creates_tags_once_case_insensitively_and_writes_one_event(ticket, agent):
    added = actions.add_tags(ticket, "VPN, printer floor 3", actor=agent)
    assert added == ["VPN", "printer floor 3"]
    again = actions.add_tags(ticket, ["vpn", "  PRINTER   floor 3 "], actor=agent)
    assert again == []
    assert Tag.objects.count() == 2
    assert names(ticket) == ["printer floor 3", "VPN"]  # by key: case does not sort first
    (event,) = tag_events(ticket)
    assert event.actor == agent and event.field == "tags"
    assert event.data == {"added": ["VPN", "printer floor 3"], "removed": []}
    assert event.old == [] and sorted(event.new) == ["VPN", "printer floor 3"]
    link = TicketTag.objects.get(ticket=ticket, tag__key="vpn")
    assert link.created_by == agent


def test_existing_tag_keeps_its_spelling(ticket, agent):
    Tag.objects.create(name="VPN")
    actions.add_tags(ticket, ["vpn"], actor=agent)
    assert names(ticket) == ["VPN"]
    assert tag_events(ticket)[0].data["added"] == ["VPN"]


def test_remove_and_set_record_what_changed(ticket, agent):
    actions.add_tags(ticket, "a, b, c", actor=agent)
    assert actions.remove_tags(ticket, ["B", "unknown"], actor=agent) == ["b"]
    added, removed = actions.set_tags(ticket, ["c", "d"], actor=agent)
    assert (added, removed) == (["d"], ["a"])
    assert names(ticket) == ["c", "d"]
    events = tag_events(ticket)
    assert [e.data for e in events] == [
        {"added": ["a", "b", "c"], "removed": []},
        {"added": [], "removed": ["b"]},
        {"added": ["d"], "removed": ["a"]},
    ]
    assert events[-1].old == ["a", "c"] and events[-1].new == ["c", "d"]


@pytest.fixture
def followups(monkeypatch):
    calls = []
    monkeypatch.setattr(
        actions, "enqueue_ticket_followup", lambda pk, event, **kw: calls.append((pk, event))
    )
    return calls


def test_no_change_writes_no_event_and_queues_nothing(ticket, agent, followups):
    actions.add_tags(ticket, "a", actor=agent)
    assert actions.add_tags(ticket, "A", actor=agent) == []
    assert actions.remove_tags(ticket, "zzz", actor=agent) == []
    assert followups == [(ticket.pk, "updated")]
    assert len(tag_events(ticket)) == 1


def test_a_change_queues_the_updated_followups_and_touches_the_ticket(ticket, agent, followups):
    before = ticket.updated_at
    actions.add_tags(ticket, "a", actor=agent)
    actions.add_tags(ticket, "b", actor=None, followup=False)  # e.g. at creation
    assert followups == [(ticket.pk, "updated")]
    ticket.refresh_from_db()
    assert ticket.updated_at > before


@pytest.mark.parametrize(
    ("bad", "code_word"),
    [("x" * 51, "too long"), ("", None)],
)
def test_bad_names_are_refused_before_anything_changes(ticket, agent, bad, code_word):
    if code_word is None:  # an empty list is simply no change
        assert actions.add_tags(ticket, [bad, " "], actor=agent) == []
        return
    with pytest.raises(ValidationError) as exc:
        actions.add_tags(ticket, ["fine", bad], actor=agent)
    assert code_word in " ".join(exc.value.message_dict["tags"])
    assert not Tag.objects.exists() and not tag_events(ticket)


def test_fifty_characters_is_the_limit(ticket, agent):
    assert actions.add_tags(ticket, ["x" * 50], actor=agent) == ["x" * 50]


def test_requester_cannot_tag_even_their_own_ticket(ticket, requester):
    with pytest.raises(PermissionDenied):
        actions.add_tags(ticket, "mine", actor=requester)
    with pytest.raises(PermissionDenied):
        actions.set_tags(ticket, [], actor=requester)
    assert not Tag.objects.exists()


def test_agent_of_another_team_cannot_tag(ticket, specialist):
    with pytest.raises(PermissionDenied):
        actions.add_tags(ticket, "infra", actor=specialist)


def test_the_system_may_tag_and_create_tags(ticket):
    assert actions.add_tags(ticket, "from-mail", actor=None) == ["from-mail"]
    assert tag_events(ticket)[0].actor is None


def test_only_agents_may_create_tags():
    from okno.accounts.models import User

    assert actions.may_create_tags(None)
    assert not actions.may_create_tags(User(role="requester"))
    assert actions.may_create_tags(User(role="agent"))


def test_timeline_shows_a_readable_line(ticket, agent):
    actions.add_tags(ticket, "vpn, urgent", actor=agent)
    actions.change_tags(ticket, actor=agent, add="network", remove="urgent")
    actions.remove_tags(ticket, "vpn", actor=agent)
    texts = [e.text for e in agent_timeline(ticket) if e.event and e.event.kind == TAGS_CHANGED]
    assert texts == [
        "Alice Agent tagged the ticket vpn, urgent",
        "Alice Agent tagged the ticket network and removed urgent",
        "Alice Agent removed the tags vpn",
    ]


# --- vocabulary --------------------------------------------------------------------------------
def test_merge_keeps_every_ticket_tagged(make_ticket, agent, admin):
    both, only_old, only_new = make_ticket(), make_ticket(), make_ticket()
    actions.add_tags(both, "wifi, wlan", actor=agent)
    actions.add_tags(only_old, "wlan", actor=agent)
    actions.add_tags(only_new, "wifi", actor=agent)
    wifi, wlan = Tag.objects.get(key="wifi"), Tag.objects.get(key="wlan")
    assert actions.merge_tags(wlan, wifi, actor=admin) == 1
    assert not Tag.objects.filter(key="wlan").exists()
    for ticket in (both, only_old, only_new):
        assert names(ticket) == ["wifi"]


def test_merge_and_rename_are_for_administrators(agent, admin):
    a, b = Tag.objects.create(name="a"), Tag.objects.create(name="b")
    with pytest.raises(PermissionDenied):
        actions.merge_tags(a, b, actor=agent)
    with pytest.raises(PermissionDenied):
        actions.rename_tag(a, "c", actor=agent)
    with pytest.raises(ValidationError):
        actions.merge_tags(a, a, actor=admin)


def test_rename_changes_spelling_but_not_into_another_tag(admin):
    tag = Tag.objects.create(name="vpn")
    Tag.objects.create(name="printer")
    assert actions.rename_tag(tag, "  VPN ", actor=admin).name == "VPN"
    with pytest.raises(ValidationError) as exc:
        actions.rename_tag(tag, "Printer", actor=admin)
    assert "merge" in " ".join(exc.value.messages)
