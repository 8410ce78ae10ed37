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
