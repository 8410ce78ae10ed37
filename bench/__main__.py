"""`make bench`: run every benchmark module, print `BENCH <name> <value> <unit>` lines and keep
a JSON file per run under var/bench/ so results are comparable run to run."""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

MODULES = ["bench.sla_due", "bench.mail_parse", "bench.mail_ingest"]


def main(argv: list[str]) -> int:
    selected = [m for m in MODULES if not argv or any(a in m for a in argv)]
    results = []
    for name in selected:
        started = time.perf_counter()
        for metric, value, unit in importlib.import_module(name).run():
            print(f"BENCH {metric} {value:.1f} {unit}", flush=True)
            results.append({"name": metric, "value": value, "unit": unit, "module": name})
        print(f"# {name} took {time.perf_counter() - started:.1f} s", flush=True)
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp,
        "python": sys.version.split()[0],
        "machine": platform.platform(),
        "results": results,
    }
    (out / f"bench-{stamp}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
