"""`make bench`: run every benchmark module, print `BENCH <name> <value> <unit>` lines and keep
a JSON file per run under var/bench/ so results are comparable run to run."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

MODULES = [
    "bench.sla_due",
    "bench.sla_scan",
    "bench.mail_parse",
    "bench.mail_ingest",
    "bench.web",
    "bench.events",
]


def main(argv: list[str]) -> int:
    selected = [m for m in MODULES if not argv or any(a in m for a in argv)]
    results = []
    extra: dict[str, dict[str, object]] = {}
    load_before = os.getloadavg()
    failed = []
    for name in selected:
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            print(f"# {name} is not in this checkout; skipped", flush=True)
            continue
        try:
            for metric, value, unit in module.run():
                print(f"BENCH {metric} {value:.1f} {unit}", flush=True)
                results.append({"name": metric, "value": value, "unit": unit, "module": name})
        except Exception:  # a broken benchmark is reported; the others still run
            traceback.print_exc()
            print(f"# {name} failed", flush=True)
            failed.append(name)
        print(f"# {name} took {time.perf_counter() - started:.1f} s", flush=True)
        # Optional module attributes: `notes` (list of str) and `details` (dict) for the JSON.
        if getattr(module, "notes", None) or getattr(module, "details", None):
            extra[name] = {"notes": getattr(module, "notes", []), **getattr(module, "details", {})}
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp,
        "python": sys.version.split()[0],
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "tickets_asked": int(os.environ.get("OKNO_BENCH_TICKETS", "") or 100_000),
        "results": results,
        "failed": failed,
        "details": extra,
    }
    path = out / f"bench-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"# results: {path}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
