"""A per-process memo of the reference data every ticket write reads.

Opening a ticket reads the statuses, the priority matrix, the default team, the SLA policies
with their versions and calendars, the score settings and (from email) the routing rules:
about ten queries of data an administrator changes a few times a year. Here each process keeps
them, tagged with a *generation* held in the shared cache (files or Redis, so every process
and machine sees it):

* any save or delete of a reference model bumps the generation at once and again when its
  transaction commits, so every process reloads on its next read, including one that read
  the uncommitted state in between;
* while a connection is inside a transaction that changed reference data, reads bypass the
  memo (they must see that transaction's own changes, and it may still roll back); when the
  transaction has ended either way, the generation is bumped once more;
* if the cache forgets the generation (restart, eviction), a new random one is drawn, which
  reloads everything.

Values are shared by threads: treat them as read-only.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

GEN_KEY = "okno:refdata:generation"
T = TypeVar("T")

# app_label.ModelName of everything memoized below (changes to them must reach every process)
WATCHED = (
    "accounts.Team",
    "accounts.Organization",
    "catalog.Service",
    "tickets.Status",
    "priority.Priority",
    "priority.MatrixCell",
    "priority.ScoreSettings",
    "sla.SlaPolicy",
    "sla.SlaPolicyVersion",
    "sla.SlaTarget",
    "sla.Calendar",
    "sla.CalendarVersion",
    "mail.RoutingRule",
)

_memo: dict[str, tuple[str, Any]] = {}
_lock = threading.Lock()
_DIRTY = "_okno_refdata_dirty"


def generation() -> str:
    gen = cache.get(GEN_KEY)
    if gen is None:
        cache.add(GEN_KEY, uuid.uuid4().hex, timeout=None)
        gen = cache.get(GEN_KEY) or uuid.uuid4().hex
    return str(gen)


def bump() -> None:
    cache.set(GEN_KEY, uuid.uuid4().hex, timeout=None)


def _dirty_transaction() -> bool:
    """True while this connection's transaction changed reference data (so: bypass)."""
    if not getattr(connection, _DIRTY, False):
        return False
    if connection.in_atomic_block:
        return True
    setattr(connection, _DIRTY, False)  # that transaction is over (committed or rolled back)
    bump()
    return False


def memo(name: str, compute: Callable[[], T]) -> T:
    """``compute()``'s value, reused until reference data changes anywhere."""
    if _dirty_transaction():
        return compute()
    gen = generation()
    hit = _memo.get(name)
    if hit is not None and hit[0] == gen:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _memo[name] = (gen, value)
    return value


def clear() -> None:
    """Forget everything in this process (tests)."""
    with _lock:
        _memo.clear()
    setattr(connection, _DIRTY, False)


def changed(**_: Any) -> None:
    """Signal receiver: a reference row was saved or deleted."""
    bump()
    if connection.in_atomic_block:
        setattr(connection, _DIRTY, True)
        transaction.on_commit(bump)


def connect_signals() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in WATCHED:
        app_label, _dot, model_name = label.partition(".")
        if not apps.is_installed(f"okno.{app_label}"):
            continue
        model = apps.get_model(app_label, model_name)
        post_save.connect(changed, sender=model, dispatch_uid=f"refcache-save-{label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"refcache-delete-{label}")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                changed, sender=field.remote_field.through, dispatch_uid=f"refcache-m2m-{field}"
            )
