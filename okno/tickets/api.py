"""``/api/v1/tickets…``: thin handlers over ``accounts.queries`` (reads) and ``tickets.actions``
(writes). Scope first: a ticket the caller may not see is a 404 for every operation, before any
role check, so ids of other organizations' tickets reveal nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from okno.accounts.actions import get_or_create_requester
from okno.accounts.models import Organization, Team, User
from okno.accounts.queries import can_work_on, get_ticket_for, visible_tickets
from okno.api.errors import ApiError, error_responses, invalid
from okno.catalog.models import Category, Service
from okno.ops.lookup import JoinedLookup
from okno.ops.refcache import memo
from okno.tags import actions as tag_actions
from okno.tags.queries import tag_names, with_tags

from . import actions
from .attachments import NewAttachment, validate_upload
from .filters import TicketFilter
from .models import ArticleKind, Attachment, Channel, LinkKind, Ticket, TicketEvent, TicketLink
from .models import Status as TicketStatus
from .schemas import (
    ArticleIn,
    ArticleList,
    ArticleOut,
    AttachmentList,
    AttachmentOut,
    EventList,
    LinkIn,
    LinkKindOut,
    LinkList,
    MergeIn,
    ReopenIn,
    StatusList,
    TagsIn,
    TagsOut,
    TicketCreateIn,
    TicketListParams,
    TicketOut,
    TicketPage,
    TicketUpdateIn,
)
from .views import download_attachment

router = Router(tags=["tickets"])

# A requester named by id, with the organization the ticket inherits (one prepared read).
ACTIVE_USER = JoinedLookup(User, ["organization"], where=[("pk", "exact"), ("is_active", "exact")])
TICKET_RELATED = ("status", "requester", "organization", "team", "assignee", "service")
READ_ERRORS = error_responses(401, 404, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 429)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _reload(ticket: Ticket) -> Ticket:
    """The ticket as it is now, joined for output (the caller already passed the scope check)."""
    return Ticket.objects.select_related(*TICKET_RELATED, "category").get(pk=ticket.pk)


def _lookup(
    errors: dict[str, list[str]], field: str, queryset: Any, pk: int | None, message: str
) -> Any:
    """The object ``pk`` names in ``queryset``, or None with an error for ``field``.
    ``queryset`` may be a function returning it (built only when a ``pk`` is given)."""
    if pk is None:
        return None
    found = (queryset() if callable(queryset) else queryset).filter(pk=pk).first()
    if found is None:
        errors.setdefault(field, []).append(message)
    return found


def _clean_tags(errors: dict[str, list[str]], names: list[str] | None) -> list[str]:
    """Normalized tag names; bad ones reported under ``tags`` with the other field errors."""
    try:
        return tag_actions.clean_names(names or [])
    except ValidationError as exc:
        errors.setdefault("tags", []).extend(exc.message_dict.get("tags", exc.messages))
        return []


def _status_by_key(key: str | None, field: str = "status") -> TicketStatus:
    status = TicketStatus.objects.filter(key=key or "").first()
    if status is None:
        raise invalid({field: [_("Unknown status.")]})
    return status


def _active_services() -> dict[int, Service]:
    """Active services with their owner teams, memoized per process (reference data)."""
    return memo(
        "tickets.api.active_services",
        lambda: {
            s.pk: s for s in Service.objects.filter(is_active=True).select_related("owner_team")
        },
    )


def _active_teams() -> dict[int, Team]:
    return memo(
        "tickets.api.active_teams", lambda: {t.pk: t for t in Team.objects.filter(is_active=True)}
    )


def _memo_lookup(
    errors: dict[str, list[str]], field: str, found: Any, pk: int | None, message: str
) -> Any:
    """Like ``_lookup`` for a row already looked up (``found``: the row or None)."""
    if pk is not None and found is None:
        errors.setdefault(field, []).append(message)
    return found


def _service_for(user: User, pk: int | None) -> Service | None:
    service = _active_services().get(pk) if pk is not None else None
    if service is not None and not (user.is_agent or service.requester_visible):
        return None
    return service


def _services_for(user: User) -> Any:
    services = Service.objects.filter(is_active=True)
    return services if user.is_agent else services.filter(requester_visible=True)


def _active_categories() -> Any:
    return Category.objects.filter(is_active=True)


def _agents() -> Any:
    return User.objects.filter(is_active=True, role__in=("agent", "manager", "admin"))


# --- tickets -----------------------------------------------------------------------------------
@router.get(
    "/tickets",
    response={200: TicketPage, **error_responses(400, 401, 429)},
    summary="List tickets",
)
def tickets_list(request: HttpRequest, filters: Query[TicketListParams]) -> Any:
    """Tickets the caller may see, filtered and sorted, one page at a time.

    Pagination is by keyset: the response's `next_cursor` goes back as `cursor` (with the same
    filters and sort) for the next page; it is null on the last page. Pages never repeat or skip
    rows while tickets change. Unknown filter values are a 400 naming the field.
    """
    user = _actor(request)
    flt = TicketFilter.from_params(
        request.GET,
        default_limit=settings.NINJA_PAGINATION_PER_PAGE,
        max_limit=settings.NINJA_PAGINATION_MAX_LIMIT,
    )
    errors = {name: [message] for name, message in flt.errors.items()}
    if flt.status and not TicketStatus.objects.filter(key=flt.status).exists():
        errors["status"] = [_("Unknown status.")]
    if errors:
        raise invalid(errors, _("Some filters are not valid."))
    tickets = flt.apply(visible_tickets(user).select_related(*TICKET_RELATED), user=user)
    if user.is_agent:  # requesters never see tags: no query for them
        tickets = with_tags(tickets)
    rows, next_cursor = flt.page(tickets)
    return {"items": rows, "next_cursor": next_cursor or None}


@router.post(
    "/tickets",
    response={201: TicketOut, **WRITE_ERRORS},
    summary="Open a ticket",
)
def tickets_create(request: HttpRequest, payload: TicketCreateIn, response: HttpResponse) -> Any:
    """Register a request. Requesters file for themselves; agents may name the requester (by id
    or email; a new email becomes a requester), the organization, team and assignee. Team
    defaults to the service's owner team.
    """
    if payload.requester_email is None and not payload.tags:
        return _create_ticket(request, payload, response)  # open_ticket is one transaction
    with transaction.atomic():  # a new requester or the tags are kept only with the ticket
        return _create_ticket(request, payload, response)


def _create_ticket(request: HttpRequest, payload: TicketCreateIn, response: HttpResponse) -> Any:
    user = _actor(request)
    errors: dict[str, list[str]] = {}
    on_behalf = {"requester", "requester_email", "team", "assignee", "organization"}
    given = {name for name in on_behalf if getattr(payload, name) is not None}
    if not user.is_agent:
        if payload.requester not in (None, user.pk) or (
            payload.requester_email is not None
            and payload.requester_email.strip().lower() != user.email.lower()
        ):
            raise ApiError(403, _("Requesters can only open tickets for themselves."))
        if given & {"team", "assignee", "organization"}:
            raise ApiError(403, _("Only agents may choose the team, assignee or organization."))
        if payload.tags:
            raise ApiError(403, _("Only agents may tag tickets."))
    unknown = _("Not found.")
    requester = _memo_lookup(
        errors,
        "requester",
        ACTIVE_USER.get(payload.requester, True) if payload.requester is not None else None,
        payload.requester,
        unknown,
    )
    if payload.requester_email and requester is None and "requester" not in errors:
        # Agents may file for someone who never wrote in before: they become a requester.
        try:
            requester = get_or_create_requester(payload.requester_email, actor=user)
        except ValidationError:
            errors["requester_email"] = [_("Enter a valid email address.")]
        else:
            if not requester.is_active:
                errors["requester_email"] = [_("This person's account is disabled.")]
    service = _memo_lookup(
        errors, "service", _service_for(user, payload.service), payload.service, unknown
    )
    category = _lookup(errors, "category", _active_categories, payload.category, unknown)
    team = _memo_lookup(
        errors,
        "team",
        _active_teams().get(payload.team) if payload.team is not None else None,
        payload.team,
        unknown,
    )
    assignee = _lookup(errors, "assignee", _agents, payload.assignee, unknown)
    organization = _lookup(
        errors, "organization", Organization.objects.all, payload.organization, unknown
    )
    tags = _clean_tags(errors, payload.tags)
    if errors:
        raise invalid(errors)
    ticket = actions.open_ticket(
        actor=user,
        requester=requester or user,
        title=payload.title,
        description=payload.description,
        type=payload.type,
        service=service,
        category=category,
        impact=payload.impact,
        urgency=payload.urgency,
        team=team,
        assignee=assignee,
        organization=organization,
        channel=Channel.API,
    )
    if tags:  # same transaction: a ticket the caller may not tag is not created either
        tag_actions.add_tags(ticket, tags, actor=user, followup=False)
        ticket = _reload(ticket)
    else:  # the action's own objects are the output: no read-back, no tag query
        ticket._prefetched_objects_cache = {"tag_links": []}  # type: ignore[attr-defined]
    response["Location"] = reverse("api:tickets_get", kwargs={"ticket_id": ticket.pk})
    return Status(201, ticket)


@router.get(
    "/tickets/{int:ticket_id}",
    response={200: TicketOut, **READ_ERRORS},
    summary="Get a ticket",
)
def tickets_get(request: HttpRequest, ticket_id: int) -> Any:
    """One ticket; 404 when it does not exist or the caller may not see it."""
    return get_ticket_for(_actor(request), ticket_id)


@router.patch(
    "/tickets/{int:ticket_id}",
    response={200: TicketOut, **WRITE_ERRORS},
    summary="Change a ticket",
)
def tickets_update(request: HttpRequest, ticket_id: int, payload: TicketUpdateIn) -> Any:
    """Change any of title, type, service, category (agents), impact/urgency/priority (agents;
    an override of the matrix needs `reason`), team/assignee (agents) and status (requesters may
    only resolve or close). Only the keys sent are touched. All changes apply together or, if
    any part fails, none does.
    """
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    given = payload.model_fields_set
    errors: dict[str, list[str]] = {}
    unknown = _("Not found.")
    classify: dict[str, Any] = {}
    for name in ("title", "type"):
        if name in given:
            classify[name] = getattr(payload, name)
    if "service" in given:
        classify["service"] = _lookup(
            errors, "service", _services_for(user), payload.service, unknown
        )
    if "category" in given:
        classify["category"] = _lookup(
            errors, "category", Category.objects.filter(is_active=True), payload.category, unknown
        )
    routing: dict[str, Any] = {}
    if "team" in given:
        routing["team"] = _lookup(
            errors, "team", Team.objects.filter(is_active=True), payload.team, unknown
        )
    if "assignee" in given:
        routing["assignee"] = _lookup(errors, "assignee", _agents(), payload.assignee, unknown)
    status = None
    if "status" in given:
        status = TicketStatus.objects.filter(key=payload.status or "").first()
        if status is None:
            errors["status"] = [_("Unknown status.")]
    priority_keys = {"impact", "urgency", "priority", "reason"} & given
    tags = _clean_tags(errors, payload.tags) if "tags" in given else None
    if errors:
        raise invalid(errors)

    with transaction.atomic():
        if classify:
            actions.update_ticket(ticket, actor=user, **classify)
        if priority_keys:
            actions.change_priority(
                ticket,
                actor=user,
                impact=payload.impact,
                urgency=payload.urgency,
                priority=payload.priority,
                reason=payload.reason,
            )
        if routing:
            actions.assign_ticket(ticket, actor=user, **routing)
        if status is not None:
            actions.change_status(ticket, actor=user, status=status)
        if tags is not None:
            tag_actions.set_tags(ticket, tags, actor=user)
    return _reload(ticket)


@router.post(
    "/tickets/{int:ticket_id}/reopen",
    response={200: TicketOut, **WRITE_ERRORS},
    summary="Reopen a ticket",
)
def tickets_reopen(request: HttpRequest, ticket_id: int, payload: ReopenIn) -> Any:
    """Bring a resolved ticket (agents: also a closed one) back to work, with an optional reason
    (a reply from the requester, an internal note from an agent)."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    actions.reopen_ticket(ticket, actor=user, reason=payload.reason)
    return _reload(ticket)


@router.post(
    "/tickets/{int:ticket_id}/merge",
    response={200: TicketOut, **WRITE_ERRORS},
    summary="Merge into another ticket",
)
def tickets_merge(request: HttpRequest, ticket_id: int, payload: MergeIn) -> Any:
    """Fold this ticket into `target` (agents of both tickets). The conversation moves over and
    this ticket closes as merged. Returns the target ticket."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    target = visible_tickets(user).filter(pk=payload.target).first()
    if target is None:
        raise invalid({"target": [_("No such ticket.")]})
    target = actions.merge_tickets(ticket, target, actor=user)
    return _reload(target)


# --- timeline ----------------------------------------------------------------------------------
@router.get(
    "/tickets/{int:ticket_id}/articles",
    response={200: ArticleList, **READ_ERRORS},
    summary="List a ticket's articles",
)
def tickets_articles_list(request: HttpRequest, ticket_id: int) -> Any:
    """The conversation, oldest first. Requesters see public replies only; agents of the
    ticket's team also see internal notes and system messages."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id)
    articles = ticket.articles.select_related("author").prefetch_related("attachments")
    if not can_work_on(user, ticket):
        articles = articles.filter(kind=ArticleKind.REPLY)
        items = list(articles)
        for article in items:
            article.time_spent_minutes = None  # internal bookkeeping
        return {"items": items}
    return {"items": list(articles)}


@router.post(
    "/tickets/{int:ticket_id}/articles",
    response={201: ArticleOut, **WRITE_ERRORS},
    summary="Reply or add a note",
)
def tickets_articles_create(request: HttpRequest, ticket_id: int, payload: ArticleIn) -> Any:
    """`kind: reply` is a public message (anyone who sees the ticket, unless it is closed);
    `kind: note` is an internal note (agents of the ticket's team). Agents may log
    `time_spent_minutes` and set `status` in the same call."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    status = _status_by_key(payload.status) if payload.status is not None else None
    if payload.kind == ArticleKind.NOTE:
        with transaction.atomic():
            article = actions.add_note(
                ticket, actor=user, body=payload.body, time_spent_minutes=payload.time_spent_minutes
            )
            if status is not None:
                actions.change_status(ticket, actor=user, status=status)
    else:
        article = actions.add_reply(
            ticket,
            actor=user,
            body=payload.body,
            channel=Channel.API,
            time_spent_minutes=payload.time_spent_minutes,
            status=status,
        )
    return Status(201, article)


@router.get(
    "/tickets/{int:ticket_id}/events",
    response={200: EventList, **error_responses(401, 403, 404, 429)},
    summary="A ticket's change history",
)
def tickets_events_list(request: HttpRequest, ticket_id: int) -> Any:
    """The append-only audit log (who changed what, when), oldest first. Agents of the ticket's
    team only: requesters get 403 and follow the status on the ticket itself."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id)
    if not can_work_on(user, ticket):
        raise ApiError(403, _("Only agents of the ticket's team may read its history."))
    return {"items": list(TicketEvent.objects.filter(ticket=ticket).select_related("actor"))}


# --- tags --------------------------------------------------------------------------------------
@router.post(
    "/tickets/{int:ticket_id}/tags",
    response={200: TagsOut, **WRITE_ERRORS},
    summary="Add tags",
)
def tickets_tags_add(request: HttpRequest, ticket_id: int, payload: TagsIn) -> Any:
    """Add tags (agents of the ticket's team); names already on the ticket are skipped, unknown
    names become new tags. Returns the ticket's tags."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    tag_actions.add_tags(ticket, payload.names, actor=user)
    return {"tags": tag_names(ticket)}


@router.delete(
    "/tickets/{int:ticket_id}/tags",
    response={200: TagsOut, **WRITE_ERRORS},
    summary="Remove a tag",
)
def tickets_tags_remove(request: HttpRequest, ticket_id: int, name: str) -> Any:
    """Remove the tag `name` (any capitalization; agents of the ticket's team). Removing a tag
    the ticket does not carry changes nothing. Returns the ticket's tags."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    tag_actions.remove_tags(ticket, [name], actor=user)
    return {"tags": tag_names(ticket)}


# --- links -------------------------------------------------------------------------------------
def _links(user: User, ticket: Ticket) -> list[dict[str, Any]]:
    """This ticket's relations to tickets the caller may see, from this ticket's viewpoint."""
    visible = visible_tickets(user)
    related = ("status",)
    items: list[dict[str, Any]] = []
    if ticket.parent_id is not None:
        parent = visible.select_related(*related).filter(pk=ticket.parent_id).first()
        if parent is not None:
            items.append({"kind": "child", "ticket": parent})
    items += [
        {"kind": "parent", "ticket": child}
        for child in visible.select_related(*related).filter(parent=ticket).order_by("pk")
    ]
    for link in TicketLink.objects.filter(source=ticket, target__in=visible).select_related(
        "target__status"
    ):
        items.append({"kind": link.kind, "ticket": link.target})
    for link in TicketLink.objects.filter(target=ticket, source__in=visible).select_related(
        "source__status"
    ):
        kind = "duplicated_by" if link.kind == LinkKind.DUPLICATE else link.kind
        items.append({"kind": kind, "ticket": link.source})
    return items


@router.get(
    "/tickets/{int:ticket_id}/links",
    response={200: LinkList, **READ_ERRORS},
    summary="List a ticket's links",
)
def tickets_links_list(request: HttpRequest, ticket_id: int) -> Any:
    """Related, duplicate and parent/child tickets, each with this ticket's relation to it."""
    user = _actor(request)
    return {"items": _links(user, get_ticket_for(user, ticket_id))}


@router.post(
    "/tickets/{int:ticket_id}/links",
    response={201: LinkList, **WRITE_ERRORS},
    summary="Link to another ticket",
)
def tickets_links_create(request: HttpRequest, ticket_id: int, payload: LinkIn) -> Any:
    """Relate this ticket to `other` (agents). `kind` says what this ticket is to the other:
    `related`, `duplicate` (of it), `parent` (of it) or `child` (of it). Returns all links."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    other = visible_tickets(user).filter(pk=payload.other).first()
    if other is None:
        raise invalid({"other": [_("No such ticket.")]})
    actions.link_tickets(ticket, other, actor=user, kind=payload.kind)
    return Status(201, {"items": _links(user, _reload(ticket))})


@router.delete(
    "/tickets/{int:ticket_id}/links",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a link",
)
def tickets_links_delete(
    request: HttpRequest, ticket_id: int, other: int, kind: LinkKindOut
) -> Any:
    """Remove the link to `other` of the given `kind` (as listed by `GET …/links`:
    related, duplicate, duplicated_by, parent or child). 404 when there is no such link."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    if not can_work_on(user, ticket):
        raise ApiError(403, _("Only agents of the ticket's team may do this."))
    found = [link for link in _links(user, ticket) if link["ticket"].pk == other]
    match = next((link for link in found if link["kind"] == kind), None)
    if match is None:
        raise ApiError(404, _("No such link."))
    linked = match["ticket"]
    if kind == "related":
        outgoing = TicketLink.objects.filter(source=ticket, target=linked, kind=kind).exists()
        source, target = (ticket, linked) if outgoing else (linked, ticket)
        actions.unlink_tickets(source, target, actor=user, kind=kind)
    elif kind == "duplicated_by":
        actions.unlink_tickets(linked, ticket, actor=user, kind=LinkKind.DUPLICATE)
    else:
        actions.unlink_tickets(ticket, linked, actor=user, kind=kind)
    return Status(204, None)


# --- files -------------------------------------------------------------------------------------
def _visible_attachments(user: User, ticket: Ticket) -> Any:
    attachments = Attachment.objects.filter(ticket=ticket).order_by("created_at", "id")
    if not can_work_on(user, ticket):
        attachments = attachments.exclude(article__kind=ArticleKind.NOTE)
    return attachments


@router.get(
    "/tickets/{int:ticket_id}/attachments",
    response={200: AttachmentList, **READ_ERRORS},
    summary="List a ticket's files",
)
def tickets_attachments_list(request: HttpRequest, ticket_id: int) -> Any:
    """Files of the ticket; files on internal notes are listed for agents of its team only."""
    user = _actor(request)
    return {"items": list(_visible_attachments(user, get_ticket_for(user, ticket_id)))}


@router.post(
    "/tickets/{int:ticket_id}/attachments",
    response={201: AttachmentOut, **error_responses(400, 401, 403, 404, 413, 429)},
    summary="Upload a file",
)
def tickets_attachments_create(
    request: HttpRequest,
    ticket_id: int,
    file: File[UploadedFile],
    body: Form[str] = "",
    note: Form[bool] = False,
) -> Any:
    """Upload one file (multipart field `file`). It arrives as a public reply carrying the file
    (with optional text `body`), or with `note=true` as an internal note (agents). Empty files
    are a 400, files over the size limit a 413."""
    user = _actor(request)
    ticket = get_ticket_for(user, ticket_id, write=True)
    if note and not can_work_on(user, ticket):
        raise ApiError(403, _("Only agents of the ticket's team may add notes."))
    limit = settings.ATTACHMENT_MAX_BYTES
    name = file.name or "file"
    if file.size is not None and file.size > limit:
        message = _("The file “%(name)s” is larger than the limit of %(limit)d MB.") % {
            "name": name,
            "limit": limit // (1024 * 1024),
        }
        raise ApiError(413, message, fields={"file": [message]})
    upload = NewAttachment(filename=name, content=file.read())
    try:
        validate_upload(upload)
    except ValidationError as exc:
        status = 413 if exc.code == "too_large" else 400
        raise ApiError(status, exc.messages[0], fields={"file": exc.messages}) from exc
    if note:
        article = actions.add_note(
            ticket,
            actor=user,
            body=body.strip() or _("Attached %(name)s") % {"name": name},
            attachments=[upload],
        )
    else:
        article = actions.add_reply(
            ticket, actor=user, body=body, attachments=[upload], channel=Channel.API
        )
    return Status(201, article.attachments.order_by("-id").first())


@router.get(
    "/attachments/{int:attachment_id}",
    response={200: None, **READ_ERRORS},
    summary="Download a file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file's bytes, with its sniffed content type.",
                # Any type: the stored file's sniffed content type (text/plain, image/png …).
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def attachments_download(request: HttpRequest, attachment_id: int) -> Any:
    """The stored file, served with the same safe headers as the web UI (`nosniff`, a sandboxing
    CSP; inline only for images and PDF unless `?download=1`). Files on internal notes are 404
    for requesters."""
    return download_attachment(request, pk=attachment_id, filename="")


# --- reference data ----------------------------------------------------------------------------
@router.get(
    "/statuses",
    response={200: StatusList, **error_responses(401, 429)},
    summary="List statuses",
    tags=["reference"],
)
def statuses_list(request: HttpRequest) -> Any:
    """Active ticket statuses in workflow order; `key` is stable, labels follow the language."""
    return {"items": list(TicketStatus.objects.filter(is_active=True))}
