"""A small loopback HTTP load client: stdlib ``http.client`` and threads, nothing else.

Ported from the django-helpdesk baseline's ``bench/httpbench.py`` (../shared/peer-bench) so both
systems are measured the same way: keep-alive connections, one per thread, latencies of
successful responses only, nearest-rank percentiles. Only loopback targets are accepted.
"""

from __future__ import annotations

import http.client
import math
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = ("127.", "localhost", "[::1]", "::1")
Request = tuple[str, str, bytes | None, dict[str, str] | None]  # method, path, body, headers


class Session:
    """One keep-alive connection and a cookie jar (one per thread)."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None, timeout: float = 120):
        url = urlsplit(base)
        host = url.hostname or "127.0.0.1"
        if not host.startswith(LOOPBACK):
            raise SystemExit(f"refusing non-loopback target {host}")
        self.host, self.port, self.timeout = host, url.port or 80, timeout
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        sent = {"Host": f"{self.host}:{self.port}", "User-Agent": "okno-bench/1"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed an idle keep-alive connection
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if (response.getheader("Connection") or "").lower() == "close":
            self.conn.close()
        return response.status, data


def pct(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]


@dataclass
class Result:
    n: int = 0
    errors: int = 0
    wall_s: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)

    def p(self, q: float) -> float | None:
        return pct(self.latencies_ms, q)

    @property
    def rps(self) -> float:
        return self.n / self.wall_s if self.wall_s else 0.0

    def summary(self) -> dict[str, Any]:
        lat = self.latencies_ms

        def r(v: float | None) -> float | None:
            return round(v, 1) if v is not None else None

        return {
            "n": self.n,
            "errors": self.errors,
            "statuses": self.statuses,
            "wall_s": round(self.wall_s, 2),
            "rps": round(self.rps, 2),
            "mean_ms": r(statistics.fmean(lat)) if lat else None,
            "p50_ms": r(self.p(50)),
            "p95_ms": r(self.p(95)),
            "p99_ms": r(self.p(99)),
            "max_ms": r(lat[-1]) if lat else None,
        }


def run_load(
    base: str,
    make: Callable[[int], Request],
    *,
    cookies: dict[str, str] | None = None,
    requests: int | None = None,
    duration: float | None = None,
    max_seconds: float = 120,
    concurrency: int = 1,
    expect: tuple[int, ...] = (200,),
) -> Result:
    """Send ``requests`` requests (or for ``duration`` seconds) from ``concurrency`` threads."""
    lock = threading.Lock()
    result = Result()
    counter = [0]
    started = time.perf_counter()
    stop_at = started + (duration if duration is not None else max_seconds)

    def worker() -> None:
        session = Session(base, cookies)
        while True:
            with lock:
                if requests is not None and counter[0] >= requests:
                    return
                if time.perf_counter() >= stop_at:
                    return
                i = counter[0]
                counter[0] += 1
            method, path, body, headers = make(i)
            t0 = time.perf_counter()
            try:
                status: int | str = session.request(method, path, body, headers)[0]
            except Exception as exc:
                status = type(exc).__name__
            elapsed = (time.perf_counter() - t0) * 1000.0
            with lock:
                result.statuses[str(status)] = result.statuses.get(str(status), 0) + 1
                if status in expect:
                    result.latencies_ms.append(elapsed)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_s = time.perf_counter() - started
    result.latencies_ms.sort()
    result.n = len(result.latencies_ms)
    return result
