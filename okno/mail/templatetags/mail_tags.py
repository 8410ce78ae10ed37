"""``{% load mail_tags %}{% mail_delivery ticket %}``: email delivery problems on the ticket page.

Shows notifications to the requester that have not gone out (failed or waiting for a retry),
so an agent knows the requester did not get the message. Renders nothing when all is well.
"""

from __future__ import annotations

from typing import Any

from django import template

from okno.mail.models import OutboundEmail
from okno.ops.lookup import JoinedLookup

register = template.Library()


# On every ticket page: the statement built once per process (ops.lookup).
_FAILED = JoinedLookup(
    OutboundEmail,
    where=[("ticket", "exact"), ("state", "exact")],
    order_by=("-created_at",),
    limit=5,
)


def delivery_problems(ticket: Any) -> list[OutboundEmail]:
    """The five newest notifications of this ticket that failed for good."""
    return _FAILED.all(ticket.pk, OutboundEmail.State.FAILED.value)


@register.inclusion_tag("mail/ticket_mail_status.html")
def mail_delivery(ticket: Any) -> dict[str, Any]:
    return {"failed_emails": delivery_problems(ticket)}
