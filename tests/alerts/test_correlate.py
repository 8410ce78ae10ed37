"""The pure correlation core: severity, flapping and where each alert goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from okno.alerts import correlate
from okno.alerts.correlate import MAJOR, Action, OpenIncident, Policy, decide

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Desk:
    """A tiny model of what the database does with decisions, to replay bursts."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.incidents: dict[int, OpenIncident] = {}
        self.tickets = 0
        self.attached = 0

    def _new(self, key: str, at: datetime, parent: int | None, group: bool = False) -> int:
        self.tickets += 1
        self.incidents[self.tickets] = OpenIncident(
            self.tickets, key, at, parent_id=parent, is_group=group
        )
        return self.tickets

    def _child(self, parent_id: int, at: datetime) -> None:
        p = self.incidents[parent_id]
        self.incidents[parent_id] = OpenIncident(
            p.ticket_id, p.key, max(p.last_at, at), p.parent_id, p.is_group, p.children + 1
        )

    def alert(self, key: str, at: datetime) -> correlate.Decision:
        decision = decide(key, at, list(self.incidents.values()), self.policy)
        if decision.action is Action.OPEN:
            self._new(key, at, None)
        elif decision.action is Action.CHILD:
            assert decision.parent_id in self.incidents
            self._new(key, at, decision.parent_id)
            self._child(decision.parent_id, at)
        elif decision.action is Action.ATTACH:
            parent = self.incidents[decision.parent_id]
            assert parent.is_group and parent.children >= self.policy.max_children
            self.attached += 1
        else:
            parent_id = self._new(decision.group_key, at, None, group=True)
            for adopted in decision.adopt:
                old = self.incidents[adopted]
                assert old.parent_id is None  # only top-level incidents are adopted
                self.incidents[adopted] = OpenIncident(
                    old.ticket_id, old.key, old.last_at, parent_id, old.is_group, old.children
                )
            self.incidents[parent_id] = OpenIncident(
                parent_id, decision.group_key, at, None, True, len(decision.adopt)
            )
            if decision.attach:
                self.attached += 1
            else:
                self._new(key, at, parent_id)
                self._child(parent_id, at)
        return decision

    def top_level(self) -> list[OpenIncident]:
        return [i for i in self.incidents.values() if i.parent_id is None]


def test_a_single_alert_opens_a_standalone_incident():
    assert decide("db1", T0, [], Policy()).action is Action.OPEN


def test_a_second_alert_of_the_same_item_makes_a_mass_incident():
    first = OpenIncident(7, "db1", T0)
    decision = decide("db1", T0 + timedelta(minutes=1), [first], Policy())
    assert decision == correlate.Decision(Action.GROUP, group_key="db1", adopt=(7,))


def test_a_new_parent_already_full_of_adopted_tickets_takes_the_alert_without_a_ticket():
    open_ = [OpenIncident(n, f"host{n}", T0) for n in range(1, 5)]
    decision = decide("host9", T0, open_, Policy(storm_after=5, max_children=3))
    assert decision.action is Action.GROUP and decision.attach


def test_alerts_outside_the_window_are_not_grouped():
    first = OpenIncident(7, "db1", T0)
    decision = decide("db1", T0 + timedelta(minutes=11), [first], Policy())
    assert decision.action is Action.OPEN


def test_a_full_parent_takes_alerts_without_tickets():
    parent = OpenIncident(1, "db1", T0, is_group=True, children=2)
    decision = decide("db1", T0, [parent], Policy(max_children=2))
    assert decision == correlate.Decision(Action.ATTACH, parent_id=1)


def test_many_separate_incidents_make_one_major_incident():
    open_ = [OpenIncident(n, f"host{n}", T0) for n in range(1, 5)]
    decision = decide("host9", T0, open_, Policy(storm_after=5))
    assert decision.action is Action.GROUP
    assert decision.group_key == MAJOR
    assert decision.adopt == (1, 2, 3, 4)


def test_grouping_can_be_turned_off():
    open_ = [OpenIncident(n, "db1", T0) for n in range(1, 9)]
    decision = decide("db1", T0, open_, Policy(group_after=0, storm_after=0))
    assert decision.action is Action.OPEN


def test_whole_infrastructure_down_is_one_incident_with_children():
    desk = Desk(Policy(max_children=25))
    for n in range(300):
        desk.alert(f"host{n % 80}", T0 + timedelta(seconds=n))
    assert len(desk.top_level()) == 1
    assert desk.tickets <= correlate.ticket_bound(desk.policy)
    assert desk.attached > 0


keys = st.sampled_from(["", "db1", "db2", "web1", "web2", "lb", "dns", "mail"])
policies = st.builds(
    Policy,
    window=st.just(timedelta(minutes=10)),
    group_after=st.integers(0, 4),
    storm_after=st.integers(2, 8),
    max_children=st.integers(1, 10),
)


@settings(max_examples=200, deadline=None)
@given(policy=policies, burst=st.lists(st.tuples(keys, st.integers(0, 599)), max_size=120))
def test_a_burst_opens_a_bounded_number_of_tickets(policy, burst):
    desk = Desk(policy)
    for key, offset in sorted(burst, key=lambda b: b[1]):
        desk.alert(key, T0 + timedelta(seconds=offset))
    assert desk.tickets <= correlate.ticket_bound(policy)
    assert len(desk.top_level()) < max(policy.storm_after, 2)
    for incident in desk.incidents.values():
        if incident.is_group:  # only adopting existing tickets may overfill a parent
            assert incident.children <= max(policy.max_children, policy.storm_after - 1)


@settings(max_examples=200, deadline=None)
@given(policy=policies, key=keys, burst=st.lists(st.tuples(keys, st.integers(0, 599))))
def test_decisions_only_name_open_incidents(policy, key, burst):
    desk = Desk(policy)
    for k, offset in sorted(burst, key=lambda b: b[1]):
        desk.alert(k, T0 + timedelta(seconds=offset))
    decision = decide(key, T0 + timedelta(minutes=10), list(desk.incidents.values()), policy)
    if decision.parent_id is not None:
        assert decision.parent_id in desk.incidents
    assert set(decision.adopt) <= set(desk.incidents)


# --- severity and flapping -------------------------------------------------------------------


def test_severity_spellings_map_onto_four_levels():
    assert correlate.normalize_severity("Disaster") == "critical"
    assert correlate.normalize_severity("ERROR") == "high"
    assert correlate.normalize_severity("Average") == "warning"
    assert correlate.normalize_severity("Information") == "info"
    assert correlate.normalize_severity("something else") == "warning"
    assert correlate.normalize_severity(None) == "warning"


@given(st.one_of(st.none(), st.text(max_size=30), st.integers()))
def test_every_severity_maps_to_valid_impact_and_urgency(value):
    severity = correlate.normalize_severity(value)
    assert severity in correlate.SEVERITIES
    impact, urgency = correlate.impact_urgency(severity)
    assert impact in (1, 2, 3) and urgency in (1, 2, 3)


def test_worse_severity_means_higher_urgency():
    urgencies = [correlate.impact_urgency(s)[1] for s in correlate.SEVERITIES]
    assert urgencies == sorted(urgencies)
    assert correlate.worst("info", "critical") == "critical"


def test_four_changes_in_thirty_minutes_is_flapping():
    changes = [T0 + timedelta(minutes=m) for m in (0, 5, 10, 15)]
    window = timedelta(minutes=30)
    assert correlate.is_flapping(changes, T0 + timedelta(minutes=15), threshold=4, window=window)
    assert not correlate.is_flapping(
        changes, T0 + timedelta(minutes=35), threshold=4, window=window
    )
    assert not correlate.is_flapping(changes, T0, threshold=0, window=window)


@given(
    offsets=st.lists(st.integers(0, 7200), max_size=40),
    threshold=st.integers(1, 10),
    minutes=st.integers(1, 120),
)
def test_flapping_counts_only_changes_inside_the_window(offsets, threshold, minutes):
    now = T0 + timedelta(seconds=7200)
    window = timedelta(minutes=minutes)
    changes = [T0 + timedelta(seconds=o) for o in offsets]
    inside = [c for c in changes if now - window <= c <= now]
    kept = correlate.recent_changes(changes, now, window=window, keep=threshold)
    assert len(kept) == min(len(inside), threshold)
    assert kept == sorted(kept)
    assert correlate.is_flapping(changes, now, threshold=threshold, window=window) == (
        len(inside) >= threshold
    )
