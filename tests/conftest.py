"""Shared personas and helpers, in the spirit of Healthchecks' alice/bob/charlie.

- ``agent``     (Alice, L1 Service Desk team member) works the ticket queue
- ``lead``      (Leo, lead of L1)
- ``specialist`` (Sam, L2 Infrastructure member, not in L1)
- ``requester`` (Rita, employee of Acme)
- ``colleague`` (Carl, also Acme; sees organization tickets when Acme shares them)
- ``outsider``  (Olga, employee of Globex: must never see Acme's tickets)
- ``admin``     (Adam, administrator)
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_reference_memo():
    """Each test starts without memoized reference data (its transaction rolls back)."""
    from okno.ops import refcache

    refcache.clear()
    yield
    refcache.clear()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def acme(db):
    from okno.accounts.models import Organization

    return Organization.objects.create(name="Acme", email_domains="acme.test")


@pytest.fixture
def globex(db):
    from okno.accounts.models import Organization

    return Organization.objects.create(name="Globex", email_domains="globex.test")


@pytest.fixture
def l1(db):
    from okno.accounts.models import Team

    return Team.objects.create(name="Service Desk", line=1)


@pytest.fixture
def l2(db, l1):
    from okno.accounts.models import Team

    team = Team.objects.create(name="Infrastructure", line=2)
    l1.next_line = team
    l1.save()
    return team


def make_user(email, role="requester", organization=None, teams=(), lead=False, **extra):
    from okno.accounts.models import TeamMembership, User

    user = User.objects.create_user(
        email,
        PASSWORD,
        role=role,
        organization=organization,
        full_name=extra.pop("name", ""),
        **extra,
    )
    for team in teams:
        TeamMembership.objects.create(team=team, user=user, is_lead=lead)
    return user


@pytest.fixture
def agent(l1):
    return make_user("alice@okno.test", "agent", teams=[l1], name="Alice Agent")


@pytest.fixture
def lead(l1):
    return make_user("leo@okno.test", "agent", teams=[l1], lead=True, name="Leo Lead")


@pytest.fixture
def specialist(l2):
    return make_user("sam@okno.test", "agent", teams=[l2], name="Sam Specialist")


@pytest.fixture
def requester(acme):
    return make_user("rita@acme.test", organization=acme, name="Rita Requester")


@pytest.fixture
def colleague(acme):
    return make_user("carl@acme.test", organization=acme, name="Carl Colleague")


@pytest.fixture
def outsider(globex):
    return make_user("olga@globex.test", organization=globex, name="Olga Outsider")


@pytest.fixture
def admin(db):
    return make_user("adam@okno.test", "admin", name="Adam Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def service(l1):
    from okno.catalog.models import Service

    return Service.objects.create(name="Printing", owner_team=l1)


@pytest.fixture
def ticket(requester, service):
    from okno.tickets.actions import open_ticket

    return open_ticket(
        actor=requester,
        title="Printer on floor 3 jams",
        description="Every second page jams in tray 2.",
        service=service,
    )


@pytest.fixture
def run_tasks(db, monkeypatch):
    """Run queued background jobs in-process with the real database worker.

    The worker closes "old" connections between jobs; inside a test's transaction that would
    close the test's own connection, so that one call is neutralised here.
    """
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> int:
        from django_tasks_db.models import DBTaskResult

        before = DBTaskResult.objects.ready().count()
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test",
            excluded_queue_names=[],
        ).run()
        return before

    return run


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database after each test, seeded statuses and the priority
    matrix included; put them back the way the migrations do. (pytest-django runs transactional
    tests after the others, so only they need this.)"""
    import importlib

    from django.apps import apps

    for module in (
        "okno.tickets.migrations.0002_default_statuses",
        "okno.priority.migrations.0002_default_matrix",
    ):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _reseed_for_transactional_tests(request):
    """Any test on a real (flushed) database starts with the seeded reference data."""
    marker = request.node.get_closest_marker("django_db")
    if (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        request.getfixturevalue("reference_data")
