"""Send the reads of report data to a read replica when one is configured.

Only apps listed in ``REPLICA_READ_APPS`` (aggregates that may lag the primary by seconds) are
read from the ``replica`` alias; everything a user just changed is read from the primary, all
writes go to the primary, and migrations run on the primary only (the replica follows it by
streaming replication).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections

REPLICA = "replica"


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if REPLICA in connections.databases and model._meta.app_label in getattr(
            settings, "REPLICA_READ_APPS", ()
        ):
            return REPLICA
        return None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # one database, two connections: every relation is within it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"
