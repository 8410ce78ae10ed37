"""Writes on people: requesters appear the first time they write in (email, API, widget)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from okno.ops.lookup import JoinedLookup

from .models import Organization, User


def organization_for_email(email: str) -> Organization | None:
    """The organization whose email domains include the address's domain."""
    domain = email.rsplit("@", 1)[-1].lower()
    for organization in Organization.objects.exclude(email_domains="").only("email_domains"):
        domains = {d.strip().lower() for d in organization.email_domains.split(",")}
        if domain in domains:
            return organization
    return None


# Emails are stored lowercased, but matched case-insensitively (older rows, imports); email is
# unique, so at most one row (the UPPER(email) index makes it a lookup).
_BY_EMAIL = JoinedLookup(User, ["organization"], where=[("email", "iexact")])


def get_or_create_requester(email: str, *, actor: User | None, name: str = "") -> User:
    """Find a person by email or register them as a requester without a password.

    ``actor`` None means the system (email intake); a person may only do this as an agent.
    """
    if actor is not None and not actor.is_agent:
        raise PermissionDenied(_("Only agents may file requests for other people."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"requester": _("Enter a valid email address.")}) from exc
    existing = _BY_EMAIL.get(email)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            user = User(
                email=email, full_name=name[:200], organization=organization_for_email(email)
            )
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError:  # created concurrently by another request
        return User.objects.get(email__iexact=email)
