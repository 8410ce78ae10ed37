"""The benchmark plumbing at tiny sizes: the loopback load client against a real HTTP server,
percentiles, the runner's JSON, /proc reading for worker memory, and the web scenarios end to end
against a live server with a small generated data set."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import bench.__main__ as runner
from bench import httpload, web


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path.startswith("/ok") else 500
        body = b"hello"
        self.send_response(status)
        if self.path == "/ok/cookie":
            self.send_header("Set-Cookie", "sessionid=abc; Path=/; HttpOnly")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Seen-Cookie", self.headers.get("Cookie", ""))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_load_client_counts_and_percentiles(server):
    result = httpload.run_load(
        server, lambda i: ("GET", "/ok" if i % 4 else "/fail", None, None), requests=40,
        concurrency=2,
    )  # fmt: skip
    assert result.n == 30 and result.errors == 10
    assert result.statuses == {"200": 30, "500": 10}
    assert result.latencies_ms == sorted(result.latencies_ms)
    summary = result.summary()
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["max_ms"]


def test_load_client_runs_for_a_duration(server):
    started = time.perf_counter()
    result = httpload.run_load(server, lambda i: ("GET", "/ok", None, None), duration=0.3)
    assert 0.3 <= time.perf_counter() - started < 3 and result.n > 0 and result.rps > 0


def test_session_keeps_cookies(server):
    session = httpload.Session(server)
    session.request("GET", "/ok/cookie")
    assert session.cookies == {"sessionid": "abc"}


def test_loopback_only():
    with pytest.raises(SystemExit):
        httpload.Session("http://example.com/")


def test_nearest_rank_percentile():
    values = [float(v) for v in range(1, 101)]
    assert httpload.pct(values, 50) == 50 and httpload.pct(values, 95) == 95
    assert httpload.pct(values, 100) == 100 and httpload.pct([], 50) is None
    assert httpload.pct([7.0], 99) == 7.0


def test_runner_writes_json_and_skips_missing_modules(monkeypatch, tmp_path, capsys):
    fake = types.ModuleType("bench.fake_figures")
    fake.run = lambda: [("things_per_s", 12.34, "/s")]  # type: ignore[attr-defined]
    fake.notes = ["a note"]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bench.fake_figures", fake)
    monkeypatch.setattr(runner, "MODULES", ["bench.fake_figures", "bench.not_in_checkout"])
    monkeypatch.chdir(tmp_path)
    assert runner.main([]) == 0
    out = capsys.readouterr().out
    assert "BENCH things_per_s 12.3 /s" in out and "not_in_checkout is not in this checkout" in out
    (report_file,) = (tmp_path / "var" / "bench").glob("bench-*.json")
    report = json.loads(report_file.read_text())
    assert report["results"] == [
        {"name": "things_per_s", "value": 12.34, "unit": "/s", "module": "bench.fake_figures"}
    ]
    assert report["details"]["bench.fake_figures"]["notes"] == ["a note"]
    assert report["cpus"] >= 1 and len(report["load_average_before"]) == 3


def test_runner_reports_a_failing_module(monkeypatch, tmp_path):
    broken = types.ModuleType("bench.broken")

    def run() -> list[tuple[str, float, str]]:
        raise RuntimeError("boom")

    broken.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bench.broken", broken)
    monkeypatch.setattr(runner, "MODULES", ["bench.broken"])
    monkeypatch.chdir(tmp_path)
    assert runner.main([]) == 1


def test_worker_memory_is_read_from_proc():
    # parent -> child -> grandchild, like okno serve -> gunicorn master -> workers
    code = (
        "import subprocess,sys,time;"
        "p=subprocess.Popen([sys.executable,'-c','import time;b=bytearray(30*2**20);time.sleep(30)']);"
        "time.sleep(30)"
    )
    outer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import subprocess,sys;subprocess.run([sys.executable,'-c',{code!r}])",
        ]
    )
    server = web.Server(port=0)
    server.proc = outer
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (server.worker_rss_mb() or 0) < 30:
            time.sleep(0.1)
        workers = server.worker_pids()
        assert len(workers) == 1
        assert server.worker_rss_mb() >= 30
    finally:
        middle = _children(outer.pid)
        server.stop()
        for pid in middle + server_workers(middle):
            subprocess.run(["kill", str(pid)], check=False)


def _children(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def server_workers(parents: list[int]) -> list[int]:
    return [child for parent in parents for child in _children(parent)]


def test_web_figures_need_postgresql(monkeypatch):
    monkeypatch.setenv("OKNO_DATABASE_URL", "sqlite:///x.sqlite3")
    assert web.run() == []
    assert "need PostgreSQL" in web.notes[-1]


@pytest.mark.django_db(transaction=True)
def test_web_scenarios_against_a_live_server(live_server, monkeypatch):
    from okno.ops import dataset

    dataset.generate(60, seed=5, stream=None, password="x", agents=6, requesters=30,
                     organizations=4)  # fmt: skip
    monkeypatch.setenv("OKNO_BENCH_REQUESTS", "6")
    monkeypatch.setenv("OKNO_BENCH_CREATE_SECONDS", "1")
    fx = web.prepare(60, seed=5)
    assert fx.tickets == 60 and fx.long_ticket_ids and fx.ticket_ids is not None
    stub = types.SimpleNamespace(base=live_server.url, worker_rss_mb=lambda: 42.0)
    figures = {name: (value, unit) for name, value, unit in web.measure(fx, stub, seed=5)}
    assert {"queue_p50_ms", "queue_p95_ms", "ticket_page_p95_ms", "api_create_per_s"} <= set(
        figures
    )
    assert figures["web_rss_mb"] == (42.0, "MB")
    assert figures["api_create_per_s"][0] > 0
    assert web.details["queue_rows_links"] > 0
