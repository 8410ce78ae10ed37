"""Background jobs of the automation app."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def deliver_webhook(delivery_pk: int) -> str:
    """Send one webhook delivery attempt; a failure queues the next attempt itself."""
    from .webhooks import attempt

    return attempt(delivery_pk)
