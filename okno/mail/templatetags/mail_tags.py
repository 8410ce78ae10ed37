"""``{% load mail_tags %}{% mail_delivery ticket %}``: email delivery problems on the ticket page.

Shows notifications to the requester that have not gone out (failed or waiting for a retry),
so an agent knows the requester did not get the message. Renders nothing when all is well.
"""

from __future__ import annotations

from typing import Any

from django import template

from okno.mail.models import OutboundEmail

register = template.Library()


def delivery_problems(ticket: Any) -> list[OutboundEmail]:
    return list(
        OutboundEmail.objects.filter(ticket=ticket, state=OutboundEmail.State.FAILED).order_by(
            "-created_at"
        )[:5]
    )


@register.inclusion_tag("mail/ticket_mail_status.html")
def mail_delivery(ticket: Any) -> dict[str, Any]:
    return {"failed_emails": delivery_problems(ticket)}
