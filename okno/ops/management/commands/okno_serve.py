"""``okno serve``: the production-grade server (gunicorn), optionally with a worker beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web UI and API with gunicorn (and a background worker with --with-worker)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("OKNO_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("OKNO_WEB_WORKERS", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--with-worker", action="store_true", help="also run `okno worker`")

    def handle(self, *args: Any, **options: Any) -> None:
        children: list[subprocess.Popen[bytes]] = []
        if options["with_worker"]:
            worker = [sys.executable, "-m", "okno.cli", "worker"]
            children.append(subprocess.Popen(worker))  # noqa: S603 - our own argv
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "okno.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--worker-class",
            "gthread",
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ]
        self.stdout.write(f"Okno is serving on http://{options['bind']}/  (Ctrl+C to stop)")
        web = subprocess.Popen(command)  # noqa: S603 - our own argv
        children.append(web)

        def stop(signum: int, _frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            stop(signal.SIGINT, None)
        finally:
            stop(signal.SIGTERM, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
