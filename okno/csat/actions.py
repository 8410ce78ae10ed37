"""Recording satisfaction ratings (the only writes of this app)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.tickets import events
from okno.tickets.models import StatusCategory, Ticket

from .models import Rating

RATED = "rated"
COMMENT_MAX = 2000


@transaction.atomic
def rate_ticket(
    ticket: Ticket, *, actor: User, score: int, comment: str = "", reopen_count: int | None = None
) -> Rating:
    """The requester rates the current resolution; rating again changes the score.

    ``reopen_count`` (from a rating link) must still be the ticket's current resolution, so an
    old email cannot rate a later one.
    """
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if actor.pk != ticket.requester_id:
        raise PermissionDenied(_("Only the requester can rate this request."))
    errors: dict[str, str] = {}
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        errors["score"] = _("Choose a score from 1 to 5.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("Keep the comment under %(max)s characters.") % {"max": COMMENT_MAX}
    if ticket.status_category not in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        errors["__all__"] = _("This request is open again; you can rate it once it is resolved.")
    elif reopen_count is not None and reopen_count != ticket.reopen_count:
        errors["__all__"] = _("This link is for an earlier resolution of the request.")
    if errors:
        raise ValidationError(errors)
    rating, created = Rating.objects.update_or_create(
        ticket=ticket,
        reopen_count=ticket.reopen_count,
        defaults={
            "requester": actor,
            "score": score,
            "comment": comment,
            "agent_id": ticket.assignee_id,
            "team_id": ticket.team_id,
            "service_id": ticket.service_id,
        },
    )
    events.record(
        ticket,
        RATED,
        actor=actor,
        field="rating",
        new=score,
        rating=rating.pk,
        resolution=ticket.reopen_count,
        changed=not created,
        comment=bool(comment),
    )
    return rating
