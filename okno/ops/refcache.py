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
  reloads everything;
* during a web request the generation is read from the shared cache once, when the request
  starts (``RequestGenerationMiddleware``), instead of once per ``memo()`` call: a page reads
  a dozen memos, and each read of the file or Redis cache costs more than the memo saves on
  small lists. A change made by the request itself moves its pinned generation too;
* ``memo(..., max_age=…)`` also reloads a value after that many seconds: a safety net for the
  lists of people (agents, team members), which bulk tools may write without signals.

The agents and team members the desk lists are people, not reference data proper, but their
lists change as seldom; saves of users that can change such a list (a new agent, a renamed or
deactivated user, a changed role) and of team memberships bump the generation too, while the
frequent saves that cannot (a login's ``last_login``, a new requester) do not.

Values are shared by threads: treat them as read-only.
"""

from __future__ import annotations

import threading
import time
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
    "accounts.TeamMembership",
    "desk.Macro",  # the ticket page's macro picker (names only)
)
# Users bump only when the save can change a list of people (see ``user_changed``).
PEOPLE_FIELDS = frozenset({"email", "full_name", "role", "is_active", "is_superuser"})

_memo: dict[str, tuple[str, float, Any]] = {}
_lock = threading.Lock()
_DIRTY = "_okno_refdata_dirty"
_request = threading.local()  # .gen: the generation pinned for the current request


def _shared_generation() -> str:
    gen = cache.get(GEN_KEY)
    if gen is None:
        cache.add(GEN_KEY, uuid.uuid4().hex, timeout=None)
        gen = cache.get(GEN_KEY) or uuid.uuid4().hex
    return str(gen)


def generation() -> str:
    pinned = getattr(_request, "gen", None)
    return pinned if pinned is not None else _shared_generation()


def bump() -> None:
    gen = uuid.uuid4().hex
    cache.set(GEN_KEY, gen, timeout=None)
    if getattr(_request, "gen", None) is not None:
        _request.gen = gen  # the request that changed something reads its own change


class RequestGenerationMiddleware:
    """Reads the generation once per request (every ``memo()`` of the request uses it)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        _request.gen = _shared_generation()
        try:
            return self.get_response(request)
        finally:
            _request.gen = None


def _dirty_transaction() -> bool:
    """True while this connection's transaction changed reference data (so: bypass)."""
    if not getattr(connection, _DIRTY, False):
        return False
    if connection.in_atomic_block:
        return True
    setattr(connection, _DIRTY, False)  # that transaction is over (committed or rolled back)
    bump()
    return False


def memo(name: str, compute: Callable[[], T], *, max_age: float | None = None) -> T:
    """``compute()``'s value, reused until reference data changes anywhere (or, with
    ``max_age``, for at most that many seconds)."""
    if _dirty_transaction():
        return compute()
    gen = generation()
    hit = _memo.get(name)
    now = time.monotonic()
    if hit is not None and hit[0] == gen and (max_age is None or now - hit[1] < max_age):
        return hit[2]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _memo[name] = (gen, now, value)
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


def user_changed(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A user was saved: bump unless the save cannot change a list of people."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not PEOPLE_FIELDS.intersection(update_fields):
        return  # e.g. last_login at sign-in, a language or time zone
    if created and not instance.is_agent:
        return  # a new requester (mail intake, portal sign-up) is in no list
    changed()


def connect_signals() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = apps.get_model("accounts", "User")
    post_save.connect(user_changed, sender=user_model, dispatch_uid="refcache-save-user")
    post_delete.connect(changed, sender=user_model, dispatch_uid="refcache-delete-user")

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
