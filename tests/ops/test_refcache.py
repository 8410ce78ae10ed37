"""The reference-data memo: reused across calls, never stale after a change anywhere."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from okno.ops import refcache
from okno.priority.models import MatrixCell, priority_for
from okno.tickets.actions import default_status
from okno.tickets.models import Status, StatusCategory

pytestmark = pytest.mark.django_db


def test_memo_reuses_until_the_generation_changes():
    calls = []
    value = refcache.memo("t.x", lambda: calls.append(1) or len(calls))
    assert value == 1 and refcache.memo("t.x", lambda: calls.append(1) or len(calls)) == 1
    cache.set(refcache.GEN_KEY, "another process changed something", timeout=None)
    assert refcache.memo("t.x", lambda: calls.append(1) or len(calls)) == 2


def test_a_lost_generation_reloads():
    refcache.memo("t.y", lambda: "old")
    cache.delete(refcache.GEN_KEY)
    assert refcache.memo("t.y", lambda: "new") == "new"


def test_second_read_of_the_matrix_costs_no_query():
    priority_for(1, 1)
    with CaptureQueriesContext(connection) as ctx:
        priority_for(1, 2)
    assert len(ctx.captured_queries) == 0


def test_a_change_is_seen_at_once_in_its_own_transaction_and_after():
    before = priority_for(1, 1)
    cell = MatrixCell.objects.get(impact=1, urgency=1)
    other = 5 if cell.priority_id != 5 else 4
    MatrixCell.objects.filter(pk=cell.pk).update(priority_id=other)  # no signal: memo stays
    assert priority_for(1, 1) == before
    cell.priority_id = other
    cell.save()  # a save (admin, actions) bumps the generation
    assert priority_for(1, 1) == other


def test_default_status_follows_the_admin_changing_it():
    current = default_status(StatusCategory.OPEN)
    replacement = Status.objects.create(
        key="triage", name="Triage", category=StatusCategory.OPEN, order=0
    )
    Status.objects.filter(pk=current.pk).update(is_default=False)
    replacement.is_default = True
    replacement.save()
    assert default_status(StatusCategory.OPEN).pk == replacement.pk


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_does_not_stay_in_the_memo():
    before = priority_for(2, 2)
    cell = MatrixCell.objects.get(impact=2, urgency=2)
    with pytest.raises(RuntimeError), transaction.atomic():
        cell.priority_id = 5 if before != 5 else 4
        cell.save()
        assert priority_for(2, 2) == cell.priority_id  # its own transaction sees it
        raise RuntimeError("admin form failed later")
    assert priority_for(2, 2) == before


def test_a_request_reads_the_generation_once():
    """Inside a request every memo uses the generation read when the request started; a
    change made by the request itself is still seen at once."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    seen = []

    def view(request):
        calls = []
        seen.append(refcache.memo("t.req", lambda: calls.append(1) or "first"))
        cache.set(refcache.GEN_KEY, "another process changed something", timeout=None)
        seen.append(refcache.memo("t.req", lambda: "not read: the request keeps its generation"))
        refcache.bump()  # this request changed reference data itself
        seen.append(refcache.memo("t.req", lambda: "reloaded after its own change"))
        return HttpResponse()

    refcache.RequestGenerationMiddleware(view)(RequestFactory().get("/"))
    assert seen == ["first", "first", "reloaded after its own change"]
    cache.set(refcache.GEN_KEY, "changed after the request", timeout=None)
    assert refcache.memo("t.req", lambda: "outside a request: read each time") == (
        "outside a request: read each time"
    )


def test_max_age_reloads_a_memo_after_that_many_seconds(monkeypatch):
    import time

    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    assert refcache.memo("t.age", lambda: "a", max_age=60) == "a"
    now[0] += 59
    assert refcache.memo("t.age", lambda: "b", max_age=60) == "a"
    now[0] += 2
    assert refcache.memo("t.age", lambda: "c", max_age=60) == "c"


def test_user_saves_bump_only_when_a_list_of_people_can_change(agent, requester):
    from okno.accounts.models import User

    def bumped(action):
        before = refcache.generation()
        action()
        return refcache.generation() != before

    assert not bumped(lambda: agent.save(update_fields=["last_login"]))
    assert not bumped(lambda: User.objects.create_user("new@acme.test", "x"))  # a requester
    assert bumped(lambda: User.objects.create_user("new@okno.test", "x", role="agent"))
    agent.full_name = "Alice Renamed"
    assert bumped(lambda: agent.save(update_fields=["full_name"]))
    requester.is_active = False
    assert bumped(requester.save)
