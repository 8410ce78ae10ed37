"""Periodic jobs: the worker's small scheduler enqueues these on their interval.

Apps add entries here (mail polling, SLA sweeps); each job is an ordinary task that must be
idempotent, because with several workers more than one may enqueue the same tick.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    task_path: str  # dotted path to a django_tasks task
    every_seconds: float


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("okno.ops.tasks.prune_finished_tasks", 3600),
    PeriodicJob("okno.sla.tasks.sweep_clocks", 30),
    PeriodicJob("okno.sla.tasks.rescore_open_tickets", 300),
    PeriodicJob("okno.mail.tasks.poll_due_mailboxes", 15),
    # monitoring events left behind by the API's throttled job queueing; flapping sweep
    PeriodicJob("okno.alerts.tasks.process_events", 10),
    # "remind me tomorrow at 10:00" on tickets (each reminder fires once)
    PeriodicJob("okno.notifications.tasks.send_due_reminders", 30),
    # dashboard rollups: fold new events and ratings, refresh the backlog snapshot
    PeriodicJob("okno.reports.tasks.fold_rollups", 60),
    # retention (okno.ops.retention; `okno prune` runs them by hand) and the webhook sweep
    PeriodicJob("okno.mail.retention.prune_raw_mail_job", 3600),
    PeriodicJob("okno.alerts.retention.prune_events_job", 3600),
    PeriodicJob("okno.automation.retention.prune_deliveries_job", 3600),
    PeriodicJob("okno.automation.retention.requeue_stuck_job", 300),
]
