"""The client's own logic, without a server: config precedence, the queue, collectors, preview."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "redbutton"
sys.path.insert(0, str(CLIENT / "src"))

from okno_redbutton import cli, collect, config, evidence, gui, report, spool, transport  # noqa: E402


def test_the_package_declares_the_console_script_and_no_dependencies():
    meta = tomllib.loads((CLIENT / "pyproject.toml").read_text())
    assert meta["project"]["scripts"]["okno-redbutton"] == "okno_redbutton.cli:main"
    assert meta["project"]["dependencies"] == []
    assert "psutil" in meta["project"]["optional-dependencies"]


def test_config_file_then_environment_then_flags(tmp_path):
    path = tmp_path / "config.ini"
    path.write_text(
        "[okno]\nserver = https://desk.example.com\ntoken = okrb_file\nhosts = a:1, b:2\nscreenshot = yes\n"
    )
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    from_file = config.load(path=str(path), env=env)
    assert (from_file.server, from_file.token, from_file.hosts, from_file.screenshot) == (
        "https://desk.example.com",
        "okrb_file",
        ["a:1", "b:2"],
        True,
    )
    assert from_file.spool_dir == tmp_path / "state" / "okno-redbutton" / "spool"
    from_env = config.load(path=str(path), env={**env, "OKNO_REDBUTTON_TOKEN": "okrb_env"})
    assert from_env.token == "okrb_env"
    from_flags = config.load(
        path=str(path),
        env={**env, "OKNO_REDBUTTON_TOKEN": "okrb_env"},
        token="okrb_flag",
        hosts=["c:3"],
    )
    assert (from_flags.token, from_flags.hosts) == ("okrb_flag", ["c:3"])
    assert from_flags.reports_url == "https://desk.example.com/api/v1/redbutton/reports"


def test_config_problems_are_reported_not_raised(tmp_path):
    path = tmp_path / "config.ini"
    path.write_text("server = no section\n")
    cfg = config.load(path=str(path), env={}, server="ftp://x")
    assert any("section" in p for p in cfg.problems) and any("https://" in p for p in cfg.problems)
    assert config.load(path=str(tmp_path / "missing.ini"), env={}).missing() == ["server", "token"]


def test_config_path_follows_xdg(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert config.default_config_path({"XDG_CONFIG_HOME": "/x"}) == Path(
        "/x/okno-redbutton/config.ini"
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("desk.example.com", ("desk.example.com", 443)),
        ("mail:993", ("mail", 993)),
        ("[2001:db8::1]:8443", ("2001:db8::1", 8443)),
        ("10.0.0.1:x", ("10.0.0.1", 443)),
    ],
)
def test_parse_target(target, expected):
    assert collect.parse_target(target) == expected


def test_probe_tells_reachable_from_refused():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        (ok,) = collect.reachability([f"127.0.0.1:{port}"])
    (refused,) = collect.reachability([f"127.0.0.1:{port}"])
    assert ok["ok"] and ok["ms"] is not None
    assert not refused["ok"] and refused["error"]


def test_collect_on_this_machine_fills_every_section_quickly():
    import time

    start = time.monotonic()
    diag = collect.collect(hosts=[])
    assert time.monotonic() - start < 10
    for key in (
        "system",
        "host",
        "network",
        "uptime_seconds",
        "cpu",
        "memory",
        "disks",
        "processes",
        "logs",
    ):
        assert key in diag, (key, diag.get("errors"))
    assert diag["host"]["hostname"] == socket.gethostname()
    assert diag["processes"] and all("pid" in p for p in diag["processes"])
    assert 0 <= diag["memory"]["percent"] <= 100
    assert isinstance(diag["logs"]["lines"], list)  # may be empty: no journald in a container
    json.dumps(diag)


def test_a_broken_collector_is_named_not_fatal(monkeypatch):
    monkeypatch.setattr(collect, "memory", lambda: 1 / 0)
    diag = collect.collect(hosts=[], skip=["processes", "logs"])
    assert "memory" not in diag and "ZeroDivisionError" in diag["errors"]["memory"]
    assert "processes" not in diag and "processes" not in diag["errors"]


def test_logs_fall_back_to_a_syslog_file_and_tolerate_absence(monkeypatch, tmp_path):
    syslog = tmp_path / "syslog"
    syslog.write_text("".join(f"line {i}\n" for i in range(80)))
    monkeypatch.setattr(evidence, "run", lambda *a, **k: None)  # no journalctl
    real_tail = evidence._tail
    monkeypatch.setattr(
        evidence,
        "_tail",
        lambda path, n: real_tail(str(syslog), n) if path == "/var/log/syslog" else None,
    )
    found = evidence.logs()
    assert (
        found["source"] == "/var/log/syslog"
        and found["lines"][-1] == "line 79"
        and len(found["lines"]) == 50
    )
    monkeypatch.setattr(evidence, "_tail", lambda path, n: None)
    assert evidence.logs()["lines"] == []


def test_screenshot_never_raises():
    shot = collect.screenshot()
    assert shot is None or shot.startswith(b"\x89PNG")


def test_spool_is_private_and_atomic(tmp_path):
    directory = tmp_path / "spool"
    path = spool.enqueue(directory, {"report_id": "r1", "diagnostics": {}})
    assert oct(directory.stat().st_mode & 0o777) == "0o700"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert not list(directory.glob("*.tmp"))
    payload, queued_at = spool.load(path)
    assert payload["report_id"] == "r1" and queued_at > 0
    assert spool.pending(directory) == [path]
    spool.remove(path)
    assert spool.pending(directory) == []


def test_preview_shows_the_summary_and_the_json_but_not_screenshot_bytes(tmp_path):
    cfg = config.Config(server="", spool_dir=tmp_path)
    payload = report.build(cfg, comment=" help ", skip=["processes", "logs"])
    payload["screenshot_base64"] = base64.b64encode(b"\x89PNG" + b"0" * 100).decode()
    text = report.preview(payload)
    assert "Comment:   help" in text and payload["report_id"] in text
    assert "<PNG screenshot, 104 bytes>" in text and payload["screenshot_base64"] not in text


def test_unreachable_server_queues_and_flush_keeps_it(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    cfg = config.Config(
        server=f"http://127.0.0.1:{port}", token="okrb_x", spool_dir=tmp_path / "q", timeout=2
    )
    result = report.send(cfg, {"report_id": "r", "diagnostics": {}})
    assert result.state == "queued" and len(spool.pending(cfg.spool_dir)) == 1
    flushed = report.flush(cfg)
    assert [r.state for r in flushed] == ["queued"] and len(spool.pending(cfg.spool_dir)) == 1


def test_transport_refuses_non_http_urls():
    outcome = transport.post_report("file:///etc/passwd", "okrb_x", {})
    assert not outcome.sent and not outcome.retry


def test_no_server_configured_is_a_clear_refusal(tmp_path):
    result = report.send(config.Config(spool_dir=tmp_path), {"report_id": "r"})
    assert result.state == "refused" and "No server" in result.message


def test_gui_words_for_results():
    assert (
        gui.describe(report.Result("sent", "Your request #5 has been registered.", 5))["color"]
        == "#1b5e20"
    )
    assert gui.describe(report.Result("refused", "no"))["color"] == gui.RED


def test_cli_prints_the_config_path(capsys, tmp_path):
    assert cli.main(["--print-config-path", "--config", str(tmp_path / "c.ini")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "c.ini")


def test_gui_smoke_under_xvfb(tmp_path):
    """Opens the window on a virtual display and closes it; only where Xvfb is installed."""
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        pytest.skip("xvfb-run is not installed (the GUI is optional in CI)")
    env = {
        **os.environ,
        "PYTHONPATH": str(CLIENT / "src"),
        "OKNO_REDBUTTON_GUI_SMOKE": "1",
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [
            xvfb,
            "-a",
            sys.executable,
            "-m",
            "okno_redbutton",
            "--gui",
            "--server",
            "http://127.0.0.1:9",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
