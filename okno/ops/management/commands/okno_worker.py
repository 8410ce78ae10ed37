"""``okno worker``: runs queued jobs (django-tasks database backend) and the periodic sweeps.

Several workers may run on several machines against one PostgreSQL: jobs are claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` by the django-tasks-db worker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from okno.ops.periodic import PERIODIC_JOBS

logger = logging.getLogger("okno.worker")


def _load(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


class Scheduler(threading.Thread):
    """Enqueue each periodic job on its interval; the worker threads run them."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__(name="okno-scheduler", daemon=True)
        self.stop = stop

    def run(self) -> None:
        next_run = {job.task_path: 0.0 for job in PERIODIC_JOBS}
        while not self.stop.is_set():
            now = time.monotonic()
            for job in PERIODIC_JOBS:
                if now >= next_run[job.task_path]:
                    next_run[job.task_path] = now + job.every_seconds
                    try:
                        _load(job.task_path).enqueue()
                    except Exception:
                        logger.exception("Could not enqueue periodic job %s", job.task_path)
                    finally:
                        close_old_connections()
            self.stop.wait(1.0)


class Command(BaseCommand):
    help = "Run background jobs and periodic sweeps."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--threads", type=int, default=1, help="worker threads (default 1)")
        parser.add_argument("--interval", type=float, default=1.0, help="idle poll seconds")
        parser.add_argument("--no-scheduler", action="store_true", help="run jobs only")
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["no_scheduler"] and not options["batch"]:
            Scheduler(stop).start()
        if _uses_rq():
            self._run_rq(options)
            return
        base_id = f"{socket.gethostname()}-{os.getpid()}"
        workers = [
            Worker(
                queue_names=["*"],
                interval=options["interval"],
                batch=options["batch"],
                backend_name="default",
                startup_delay=not options["batch"],
                max_tasks=None,
                worker_id=f"{base_id}-{n}"[:64],
                excluded_queue_names=[],
            )
            for n in range(max(1, options["threads"]))
        ]
        self.stdout.write(f"Okno worker {base_id}: {len(workers)} thread(s)")
        if len(workers) == 1:
            workers[0].configure_signals()
            workers[0].run()
            return
        threads = [threading.Thread(target=w.run, daemon=True) for w in workers]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except KeyboardInterrupt:
            stop.set()

    def _run_rq(self, options: dict[str, Any]) -> None:
        """Jobs in Redis: an RQ worker on Okno's queues, in this process (no fork per job);
        run more ``okno worker`` processes for more parallelism."""
        from django.conf import settings
        from django.core.management import call_command

        queues = list(settings.TASKS["default"]["QUEUES"])
        self.stdout.write(f"Okno worker {socket.gethostname()}-{os.getpid()}: RQ on {queues}")
        self.stdout.flush()
        call_command(
            "rqworker",
            *queues,
            job_class="django_tasks_rq.Job",
            worker_class="rq.worker.SimpleWorker",
            burst=options["batch"],
        )


def _uses_rq() -> bool:
    from django_tasks import task_backends

    return type(task_backends["default"]).__module__.startswith("django_tasks_rq")
