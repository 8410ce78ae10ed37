"""Red Button fixtures: a registered device for Rita and a realistic diagnostics report."""

from __future__ import annotations

import pytest


def sample_diagnostics(hostname: str = "rita-pc") -> dict:
    return {
        "schema": 1,
        "collected_at": "2026-11-23T10:00:00+00:00",
        "system": {
            "os": "Linux",
            "os_release": "6.1.0",
            "distribution": "Debian GNU/Linux 12",
            "machine": "x86_64",
        },
        "host": {"hostname": hostname, "user": "rita"},
        "network": {
            "interfaces": [
                {"name": "lo", "mac": "00:00:00:00:00:00", "addresses": ["127.0.0.1/8"]},
                {"name": "eth0", "mac": "02:fc:00:00:00:01", "addresses": ["10.1.2.3/24"]},
            ],
            "primary_ip": "10.1.2.3",
        },
        "uptime_seconds": 93784.0,
        "cpu": {
            "count": 4,
            "model": "Intel Core i5",
            "percent": 97.5,
            "load_average": [3.2, 2.1, 1.0],
        },
        "memory": {"total": 8 * 1024**3, "available": 512 * 1024**2, "percent": 93.8},
        "disks": [{"mount": "/", "total": 256 * 1024**3, "free": 100 * 1024**3, "percent": 61.0}],
        "processes": [
            {
                "pid": 4242,
                "name": "outlook",
                "user": "rita",
                "cpu_percent": 88.0,
                "memory_rss": 900 * 1024**2,
            }
        ],
        "logs": {
            "source": "journalctl",
            "lines": ["Nov 23 kernel: eth0 link down", "Nov 23 NetworkManager: reconnect"],
        },
        "reachability": [
            {
                "host": "mail.acme.test",
                "port": 993,
                "ok": False,
                "ms": None,
                "error": "timed out after 3 s",
            },
            {"host": "desk.acme.test", "port": 443, "ok": True, "ms": 12.5, "error": None},
        ],
    }


@pytest.fixture
def diagnostics():
    return sample_diagnostics()


@pytest.fixture
def device(requester):
    from okno.redbutton.actions import register_device

    device, raw = register_device(actor=requester, name="Rita's PC")
    device.raw_token = raw
    return device
