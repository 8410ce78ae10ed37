"""A real Prometheus Alertmanager (Debian's package) delivering to Okno's webhook receiver.

Alertmanager runs on 127.0.0.1 with a throwaway config and storage; alerts are posted to its
own API (``POST /api/v2/alerts``) exactly as Prometheus would, and it calls
``/api/v1/events/alertmanager`` on the live test server with a bearer token.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from okno.accounts.models import ApiToken
from okno.alerts.actions import process_pending
from okno.alerts.models import Alert, Event
from okno.tickets.models import Channel, StatusCategory, Ticket

BINARY = "/usr/bin/prometheus-alertmanager"


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Live-server tests flush the database between tests, seeded statuses and the priority
    matrix included; put them back the way the migrations do."""
    import importlib

    from django.apps import apps

    for module in (
        "okno.tickets.migrations.0002_default_statuses",
        "okno.priority.migrations.0002_default_matrix",
    ):
        importlib.import_module(module).seed(apps, None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(predicate, timeout: float = 15.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(
        f"timed out after {timeout} s waiting for {predicate.__doc__ or predicate}"
    )


@pytest.fixture
def alertmanager(live_server, tmp_path, l1):
    """Start Alertmanager pointed at the live server; yield a function that posts alerts."""
    binary = shutil.which("prometheus-alertmanager") or (BINARY if os.path.exists(BINARY) else None)
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("prometheus-alertmanager is missing (scripts/services.sh installs it)")
        pytest.skip("prometheus-alertmanager is not installed")
    from tests.conftest import make_user

    monitor = make_user("prometheus@okno.test", "agent", teams=[l1], name="Prometheus")
    _token, raw = ApiToken.issue(monitor, "alertmanager", scopes=["events"])
    port = _free_port()
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        f"""
route:
  receiver: okno
  group_by: [service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: okno
    webhook_configs:
      - url: {live_server.url}/api/v1/events/alertmanager?source=prometheus
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {raw}
""",
        encoding="utf-8",
    )
    log = (tmp_path / "alertmanager.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=debug",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def ready():
        """Alertmanager to become ready"""
        try:
            return requests.get(f"{base}/-/ready", timeout=1).status_code == 200
        except requests.RequestException:
            return process.poll() is not None  # exited: stop waiting, fail below

    try:
        _wait(ready, timeout=20)
        assert process.poll() is None, (tmp_path / "alertmanager.log").read_text()

        def post(alerts: list[dict]) -> None:
            response = requests.post(f"{base}/api/v2/alerts", json=alerts, timeout=5)
            assert response.status_code == 200, response.text

        post.log = tmp_path / "alertmanager.log"  # type: ignore[attr-defined]
        yield post
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _alert(name: str, instance: str, *, ends: datetime | None = None) -> dict:
    now = datetime.now(UTC)
    alert = {
        "labels": {
            "alertname": name,
            "instance": instance,
            "service": "Shop",
            "severity": "critical",
            "job": "node",
        },
        "annotations": {"summary": f"{name} on {instance}"},
        "startsAt": (now - timedelta(minutes=2)).isoformat(),
        "generatorURL": "http://prometheus.test:9090/graph",
    }
    if ends is not None:
        alert["endsAt"] = ends.isoformat()
    return alert


def _events(status: str = "firing") -> int:
    return Event.objects.filter(format="alertmanager", status=status).count()


def test_real_alertmanager_grouped_alerts_repeats_and_resolution(alertmanager):
    hosts = ["web-01:9100", "web-02:9100", "web-03:9100"]
    alertmanager([_alert("InstanceDown", host) for host in hosts])

    def delivered():
        """the grouped notification"""
        return _events() >= 3

    _wait(delivered)
    process_pending()
    incidents = Ticket.objects.filter(channel=Channel.MONITORING)
    top = incidents.filter(parent__isnull=True)
    assert top.count() == 1, list(incidents.values_list("title", flat=True))
    parent = top.get()
    assert parent.title == "Mass incident: Shop"
    assert parent.children.count() == 3
    assert Alert.objects.filter(ticket__parent=parent).count() == 3

    # A new alert joins the group: Alertmanager re-sends the whole group, the three known
    # alerts arrive again and are counted, only the new one gets a ticket.
    alertmanager([_alert("InstanceDown", "web-04:9100")])

    def resent():
        """the re-sent group"""
        return _events() >= 7

    _wait(resent)
    process_pending()
    assert incidents.filter(parent__isnull=True).count() == 1
    assert parent.children.count() == 4
    # Repeats are counted, not ticketed. (Alertmanager may flush the group more than once
    # within a second, so counts are at least, not exactly, two.)
    assert Alert.objects.count() == 4
    assert Alert.objects.filter(count__gte=2).count() >= 3

    # Resolution: endsAt in the past, Alertmanager sends "resolved", Okno resolves.
    past = datetime.now(UTC) - timedelta(seconds=5)
    alertmanager([_alert("InstanceDown", h, ends=past) for h in [*hosts, "web-04:9100"]])

    def resolved():
        """the resolved notifications"""
        return _events("resolved") >= 4

    _wait(resolved)
    process_pending()
    parent.refresh_from_db()
    assert parent.status_category == StatusCategory.RESOLVED
    assert all(c.status_category == StatusCategory.RESOLVED for c in parent.children.all())
    assert set(Alert.objects.values_list("status", flat=True)) == {"resolved"}
