"""Every business write on a ticket. Views, API, email intake, jobs and the admin call these.

Each action runs in one transaction, locks the ticket row, writes its ``TicketEvent``s and
queues follow-up jobs with ``transaction.on_commit`` so a failing job never undoes the change.
Role rules live here: a requester may reply, resolve and reopen; agents of the ticket's team
(and managers, administrators) may do everything else. Scope (may this person see the ticket
at all) is checked by the caller through ``accounts.queries.get_ticket_for``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import Organization, Team, User
from okno.accounts.queries import can_work_on
from okno.catalog.models import Category, Service
from okno.ops.lookup import JoinedLookup
from okno.ops.refcache import memo
from okno.ops.rowbatch import allocate_ids, insert_rows
from okno.priority.models import priority_for

from . import events
from .attachments import NewAttachment, build_attachment_fields, validate_upload
from .models import (
    ACTIVE_CATEGORIES,
    Article,
    ArticleKind,
    Attachment,
    Channel,
    LinkKind,
    Status,
    StatusCategory,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketType,
)
from .tasks import enqueue_ticket_followup, followup_job

UNSET: Any = object()
LEVELS = (1, 2, 3)


def default_status(category: str) -> Status:
    status = memo(f"tickets.default_status.{category}", lambda: _default_status(category))
    if status is None:
        raise ValidationError(
            _("No active status exists for “%(category)s”."), params={"category": category}
        )
    return status


def _default_status(category: str) -> Status | None:
    status = Status.objects.filter(category=category, is_default=True, is_active=True).first()
    if status is None:
        status = Status.objects.filter(category=category, is_active=True).order_by("order").first()
    return status


def _default_team() -> Team | None:
    return Team.objects.filter(is_active=True).order_by("line", "pk").first()


_LOCKED = JoinedLookup(Ticket, ["status", "requester", "team", "assignee"], lock=True)


def _locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so concurrent actions never lose an update."""
    locked = _LOCKED.get(ticket.pk)
    if locked is None:
        raise Ticket.DoesNotExist(f"Ticket {ticket.pk} does not exist.")
    return locked  # type: ignore[no-any-return]


def _refresh_sla(
    ticket: Ticket, *, latest: bool = False, fresh_events: Sequence[TicketEvent] | None = None
) -> None:
    """Keep the ticket's SLA clocks and queue score in line with its log (same transaction)."""
    from okno.sla.score import refresh

    value = refresh(ticket, latest=latest, fresh_events=fresh_events)
    if value != ticket.score:
        Ticket.objects.filter(pk=ticket.pk).update(score=value)
        ticket.score = value


def _require_agent(actor: User | None, ticket: Ticket) -> None:
    if actor is not None and not can_work_on(actor, ticket):
        raise PermissionDenied(_("Only agents of the ticket's team may do this."))


def _check_level(name: str, value: int) -> None:
    if value not in LEVELS:
        raise ValidationError({name: _("Choose 1 (high), 2 (medium) or 3 (low).")})


def _add_attachments(
    ticket: Ticket, article: Article | None, files: Iterable[NewAttachment], actor: User | None
) -> list[Attachment]:
    stored = []
    for upload in files:
        attachment = Attachment.objects.create(
            ticket=ticket, article=article, uploaded_by=actor, **build_attachment_fields(upload)
        )
        events.record(
            ticket,
            events.ATTACHMENT_ADDED,
            actor=actor,
            new=attachment.pk,
            filename=attachment.filename,
            size=attachment.size,
            article=article.pk if article else None,
        )
        stored.append(attachment)
    return stored


def _validate_files(files: Sequence[NewAttachment]) -> None:
    """Check every file before anything is written, so one bad file saves nothing.

    The first problem's code (``empty``, ``too_large``) is kept so callers can map it.
    """
    problems: list[ValidationError] = []
    for upload in files:
        try:
            validate_upload(upload)
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise ValidationError({"attachments": problems})


def _set_status(ticket: Ticket, status: Status, *, actor: User | None) -> None:
    """Move to ``status`` keeping the lifecycle timestamps and the event log consistent."""
    old = ticket.status
    if old.pk == status.pk:
        return
    now = timezone.now()
    was_done = old.category not in ACTIVE_CATEGORIES
    ticket.status = status
    ticket.status_category = status.category
    if status.category == StatusCategory.RESOLVED:
        ticket.resolved_at = now
        ticket.closed_at = None
    elif status.category == StatusCategory.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = None
        ticket.closed_at = None
    events.record(
        ticket,
        events.STATUS_CHANGED,
        actor=actor,
        field="status",
        old=old.key,
        new=status.key,
        old_category=old.category,
        new_category=status.category,
    )
    if was_done and status.category in ACTIVE_CATEGORIES:
        ticket.reopen_count += 1
        events.record(ticket, events.REOPENED, actor=actor, count=ticket.reopen_count)


@transaction.atomic
def open_ticket(
    *,
    actor: User | None,
    requester: User | None = None,
    title: str,
    description: str,
    description_html: str = "",
    type: str = TicketType.INCIDENT,
    service: Service | None = None,
    category: Category | None = None,
    impact: int = 2,
    urgency: int = 2,
    team: Team | None = None,
    assignee: User | None = None,
    organization: Organization | None = None,
    channel: str = Channel.WEB,
    attachments: Sequence[NewAttachment] = (),
    custom_fields: dict[str, Any] | None = None,
    message_id: str = "",
    parent: Ticket | None = None,
) -> Ticket:
    """Register a request from any channel: the ticket, its first article, files and events.

    The returned ticket carries its first article as ``first_article``."""
    requester = requester or actor
    if requester is None:
        raise ValidationError({"requester": _("A ticket needs a requester.")})
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(_("Give the request a short title."))
    if not (description or "").strip():
        errors.setdefault("description", []).append(_("Describe what happened or what you need."))
    if type not in TicketType.values:
        errors.setdefault("type", []).append(_("Unknown ticket type."))
    if impact not in LEVELS:
        errors.setdefault("impact", []).append(_("Choose 1 (high), 2 (medium) or 3 (low)."))
    if urgency not in LEVELS:
        errors.setdefault("urgency", []).append(_("Choose 1 (high), 2 (medium) or 3 (low)."))
    if (
        category is not None
        and category.service_id
        and service
        and category.service_id != service.pk
    ):
        errors.setdefault("category", []).append(_("This category belongs to another service."))
    # The system (actor None: email intake, monitoring, jobs) routes like an agent does.
    staff = actor is None or actor.is_agent
    if not staff and (team is not None or assignee is not None):
        errors.setdefault("team", []).append(_("Only agents may choose the team or assignee."))
    if assignee is not None and not assignee.is_agent:
        errors.setdefault("assignee", []).append(_("The assignee must be an agent."))
    if errors:
        raise ValidationError(errors)
    _validate_files(attachments)

    if team is None and service is not None:
        team = service.owner_team
    if team is None:
        team = memo("tickets.default_team", _default_team)
    status = default_status(StatusCategory.OPEN if assignee else StatusCategory.NEW)
    now = timezone.now()
    ticket = Ticket(
        type=type,
        title=title[:250],
        requester=requester,
        organization=organization or requester.organization,
        service=service,
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        status=status,
        status_category=status.category,
        team=team,
        assignee=assignee,
        channel=channel,
        custom_fields=custom_fields or {},
        parent=parent,
        created_at=now,
        updated_at=now,
    )
    article = Article(
        kind=ArticleKind.REPLY,
        author=requester,
        channel=channel,
        body_text=description.strip(),
        body_html=description_html,
        message_id=message_id[:500],
        created_at=now,
    )
    _write_new_ticket(ticket, article, actor=actor, now=now)
    _add_attachments(ticket, article, attachments, actor or requester)
    ticket.first_article = article  # type: ignore[attr-defined] - callers reply to it, no query
    return ticket


def _write_new_ticket(ticket: Ticket, article: Article, *, actor: User | None, now: Any) -> None:
    """The new ticket's rows - ticket, ``created`` event, first article, SLA pin and clocks,
    score, follow-up job - computed first and written together (one round trip on
    PostgreSQL, ``okno.ops.rowbatch``); the same rows as writing them one by one and then
    refreshing the SLA, as every other action does."""
    from okno.sla.clocks import plan_new_ticket
    from okno.sla.models import ClockState
    from okno.sla.score import plan as plan_score

    created = events.created_row(ticket, actor=actor, at=now)
    pin, clocks = plan_new_ticket(ticket, [created], now=now)
    score, ticket.score = plan_score(ticket, clocks, now)
    # As the clock triggers keep it (tickets.sla_due), so the clocks' insert changes nothing.
    counting = (ClockState.RUNNING, ClockState.BREACHED_RUNNING)
    running = [c.due_at for c in clocks if c.state in counting and c.due_at is not None]
    ticket.sla_due_at = min(running, default=None)
    ids = allocate_ids(Ticket, Article)
    rows: list[Any] = []
    if ids is None:  # no sequences to draw from (SQLite): save these two to learn their ids
        # (save() stamps them with its own clock, microseconds after the event's ``now``)
        ticket.save(force_insert=True)
        article.ticket = ticket
        article.save(force_insert=True)
    else:
        ticket.pk, article.pk = ids
        article.ticket = ticket
        rows += [ticket, article]
    for row in [created, pin, *clocks, score]:
        if row is not None:
            row.ticket_id = ticket.pk
            rows.append(row)
    job = followup_job(ticket.pk, "created", article_id=article.pk)
    insert_rows([*rows, job] if job is not None else rows)


@transaction.atomic
def add_reply(
    ticket: Ticket,
    *,
    actor: User | None,
    body: str,
    body_html: str = "",
    attachments: Sequence[NewAttachment] = (),
    channel: str | None = None,
    message_id: str = "",
    time_spent_minutes: int | None = None,
    status: Status | None = None,
) -> Article:
    """A public message. From an agent it counts as a response; from the requester it
    brings a waiting or resolved ticket back to work."""
    ticket = _locked(ticket)
    if not (body or "").strip() and not attachments:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    staff = actor is not None and can_work_on(actor, ticket)
    if ticket.status_category == StatusCategory.CLOSED and not staff:
        raise ValidationError(
            {"body": _("This request is closed. Please open a new request instead.")}
        )
    if status is not None and not staff:
        raise PermissionDenied(_("Only agents may set the status with a reply."))
    _validate_files(attachments)
    article = Article.objects.create(
        ticket=ticket,
        kind=ArticleKind.REPLY,
        author=actor,
        channel=channel or (Channel.DESK if staff else Channel.WEB),
        body_text=(body or "").strip(),
        body_html=body_html,
        message_id=message_id[:500],
        time_spent_minutes=time_spent_minutes if staff else None,
    )
    events.record(
        ticket, events.REPLIED, actor=actor, new=article.pk, by_agent=staff, channel=article.channel
    )
    _add_attachments(ticket, article, attachments, actor)
    if staff:
        if ticket.first_response_at is None:
            ticket.first_response_at = article.created_at
            events.record(ticket, events.FIRST_RESPONSE, actor=actor, new=article.pk)
        if status is not None:
            _set_status(ticket, status, actor=actor)
        elif ticket.status_category == StatusCategory.NEW:
            _set_status(ticket, default_status(StatusCategory.OPEN), actor=actor)
    elif ticket.status_category in (StatusCategory.WAITING, StatusCategory.RESOLVED):
        _set_status(ticket, default_status(StatusCategory.OPEN), actor=actor)
    ticket.save()
    _refresh_sla(ticket)
    enqueue_ticket_followup(ticket.pk, "replied", article_id=article.pk)
    return article


@transaction.atomic
def add_note(
    ticket: Ticket,
    *,
    actor: User | None,
    body: str,
    attachments: Sequence[NewAttachment] = (),
    time_spent_minutes: int | None = None,
) -> Article:
    """An internal note: visible to agents only, never a response to the requester."""
    ticket = _locked(ticket)
    _require_agent(actor, ticket)
    if not (body or "").strip():
        raise ValidationError({"body": _("The note is empty.")})
    _validate_files(attachments)
    article = Article.objects.create(
        ticket=ticket,
        kind=ArticleKind.NOTE,
        author=actor,
        channel=Channel.DESK,
        body_text=body.strip(),
        time_spent_minutes=time_spent_minutes,
    )
    events.record(ticket, events.NOTE_ADDED, actor=actor, new=article.pk)
    _add_attachments(ticket, article, attachments, actor)
    ticket.save(update_fields=["updated_at"])
    enqueue_ticket_followup(ticket.pk, "noted", article_id=article.pk)
    return article


@transaction.atomic
def add_attachments(
    ticket: Ticket,
    *,
    actor: User | None,
    files: Sequence[NewAttachment],
    note: bool = False,
) -> list[Attachment]:
    """Files without a message: they hang off an empty public reply, or an internal note."""
    if not files:
        raise ValidationError({"attachments": _("Choose at least one file.")})
    if note:
        ticket = _locked(ticket)
        _require_agent(actor, ticket)
        _validate_files(files)
        names = ", ".join(f.filename for f in files)
        article = Article.objects.create(
            ticket=ticket,
            kind=ArticleKind.NOTE,
            author=actor,
            channel=Channel.DESK,
            body_text=_("Attached %(names)s") % {"names": names},
        )
        events.record(ticket, events.NOTE_ADDED, actor=actor, new=article.pk)
        stored = _add_attachments(ticket, article, files, actor)
        ticket.save(update_fields=["updated_at"])
        return stored
    article = add_reply(ticket, actor=actor, body="", attachments=files)
    return list(article.attachments.all())


@transaction.atomic
def assign_ticket(
    ticket: Ticket, *, actor: User | None, team: Team | None = UNSET, assignee: User | None = UNSET
) -> Ticket:
    """Route to a team and/or an agent. Moving to another team drops an assignee outside it."""
    ticket = _locked(ticket)
    _require_agent(actor, ticket)
    new_team = ticket.team if team is UNSET else team
    new_assignee = ticket.assignee if assignee is UNSET else assignee
    if new_assignee is not None:
        if not new_assignee.is_agent:
            raise ValidationError({"assignee": _("The assignee must be an active agent.")})
        if (
            new_team is not None
            and not new_assignee.sees_all_tickets
            and not new_assignee.memberships.filter(team=new_team).exists()
        ):
            if assignee is UNSET:
                new_assignee = None  # team changed: the old assignee no longer fits
            else:
                raise ValidationError(
                    {
                        "assignee": _("%(agent)s is not a member of %(team)s.")
                        % {"agent": new_assignee, "team": new_team}
                    }
                )
    if new_team is not None and not new_team.is_active:
        raise ValidationError({"team": _("This team is inactive.")})
    changed = False
    if new_team != ticket.team:
        events.record(
            ticket,
            events.TEAM_CHANGED,
            actor=actor,
            field="team",
            old=ticket.team_id,
            new=new_team.pk if new_team else None,
            old_label=str(ticket.team or ""),
            new_label=str(new_team or ""),
        )
        ticket.team = new_team
        changed = True
    if new_assignee != ticket.assignee:
        events.record(
            ticket,
            events.ASSIGNED,
            actor=actor,
            field="assignee",
            old=ticket.assignee_id,
            new=new_assignee.pk if new_assignee else None,
            old_label=str(ticket.assignee or ""),
            new_label=str(new_assignee or ""),
        )
        ticket.assignee = new_assignee
        changed = True
        if new_assignee is not None and ticket.status_category == StatusCategory.NEW:
            _set_status(ticket, default_status(StatusCategory.OPEN), actor=actor)
    if changed:
        ticket.save()
        enqueue_ticket_followup(ticket.pk, "assigned")
    return ticket


@transaction.atomic
def change_status(ticket: Ticket, *, actor: User | None, status: Status) -> Ticket:
    """Agents move freely; a requester may only resolve or close an active ticket."""
    ticket = _locked(ticket)
    if not status.is_active:
        raise ValidationError({"status": _("This status is no longer in use.")})
    if actor is not None and not can_work_on(actor, ticket):
        allowed = ticket.status_category in ACTIVE_CATEGORIES and status.category in (
            StatusCategory.RESOLVED,
            StatusCategory.CLOSED,
        )
        if not allowed:
            raise PermissionDenied(_("You may only mark your request as resolved."))
    if status.key == "merged":
        raise ValidationError({"status": _("Use merge to merge tickets.")})
    previous = ticket.status_category
    _set_status(ticket, status, actor=actor)
    ticket.save()
    if previous != ticket.status_category:
        _refresh_sla(ticket)
        enqueue_ticket_followup(ticket.pk, "status_changed")
    return ticket


@transaction.atomic
def reopen_ticket(ticket: Ticket, *, actor: User | None, reason: str = "") -> Ticket:
    """Bring a resolved (or, for agents, closed) ticket back to work."""
    ticket = _locked(ticket)
    staff = actor is None or can_work_on(actor, ticket)
    if ticket.status_category in ACTIVE_CATEGORIES:
        raise ValidationError({"status": _("This ticket is still open.")})
    if ticket.merged_into_id is not None:
        raise ValidationError({"status": _("A merged ticket cannot be reopened.")})
    if ticket.status_category == StatusCategory.CLOSED and not staff:
        raise ValidationError(
            {"status": _("This request is closed. Please open a new request instead.")}
        )
    _set_status(ticket, default_status(StatusCategory.OPEN), actor=actor)
    if reason.strip():
        article = Article.objects.create(
            ticket=ticket,
            kind=ArticleKind.REPLY if not staff else ArticleKind.NOTE,
            author=actor,
            channel=Channel.DESK if staff else Channel.WEB,
            body_text=reason.strip(),
        )
        events.record(
            ticket,
            events.REPLIED if not staff else events.NOTE_ADDED,
            actor=actor,
            new=article.pk,
            by_agent=staff,
        )
    ticket.save()
    _refresh_sla(ticket)
    enqueue_ticket_followup(ticket.pk, "reopened")
    return ticket


@transaction.atomic
def change_priority(
    ticket: Ticket,
    *,
    actor: User | None,
    impact: int | None = None,
    urgency: int | None = None,
    priority: int | None = None,
    reason: str = "",
) -> Ticket:
    """Impact and urgency give the priority through the matrix; an override needs a reason."""
    ticket = _locked(ticket)
    _require_agent(actor, ticket)
    impact = ticket.impact if impact is None else impact
    urgency = ticket.urgency if urgency is None else urgency
    _check_level("impact", impact)
    _check_level("urgency", urgency)
    computed = priority_for(impact, urgency)
    overridden = priority is not None and priority != computed
    if overridden:
        if priority not in (1, 2, 3, 4, 5):
            raise ValidationError({"priority": _("Priority must be between 1 and 5.")})
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the priority differs from the matrix.")})
    new_priority = priority if overridden else computed
    for field, value in (("impact", impact), ("urgency", urgency)):
        if getattr(ticket, field) != value:
            events.field_changed(
                ticket, actor=actor, field=field, old=getattr(ticket, field), new=value
            )
            setattr(ticket, field, value)
    if new_priority != ticket.priority or overridden != ticket.priority_overridden:
        events.record(
            ticket,
            events.PRIORITY_CHANGED,
            actor=actor,
            field="priority",
            old=ticket.priority,
            new=new_priority,
            overridden=overridden,
            reason=reason.strip(),
        )
        ticket.priority = new_priority
        ticket.priority_overridden = overridden
    ticket.save()
    _refresh_sla(ticket)
    enqueue_ticket_followup(ticket.pk, "priority_changed")
    return ticket


@transaction.atomic
def update_ticket(
    ticket: Ticket,
    *,
    actor: User | None,
    title: str = UNSET,
    type: str = UNSET,
    service: Service | None = UNSET,
    category: Category | None = UNSET,
) -> Ticket:
    """Reclassify: title, type, service, category, each change in the history."""
    ticket = _locked(ticket)
    _require_agent(actor, ticket)
    changes: dict[str, tuple[Any, Any, Any]] = {}
    if title is not UNSET:
        title = (title or "").strip()
        if not title:
            raise ValidationError({"title": _("The title cannot be empty.")})
        changes["title"] = (ticket.title, title[:250], title[:250])
    if type is not UNSET:
        if type not in TicketType.values:
            raise ValidationError({"type": _("Unknown ticket type.")})
        changes["type"] = (ticket.type, type, type)
    if service is not UNSET:
        changes["service"] = (ticket.service_id, service.pk if service else None, service)
    if category is not UNSET:
        target_service = service if service is not UNSET else ticket.service
        if (
            category is not None
            and category.service_id
            and (target_service is None or category.service_id != target_service.pk)
        ):
            raise ValidationError({"category": _("This category belongs to another service.")})
        changes["category"] = (ticket.category_id, category.pk if category else None, category)
    dirty = False
    for field, (old, new, value) in changes.items():
        if old != new:
            events.field_changed(ticket, actor=actor, field=field, old=old, new=new)
            setattr(ticket, field, value)
            dirty = True
    if dirty:
        ticket.save()
        enqueue_ticket_followup(ticket.pk, "updated")
    return ticket


@transaction.atomic
def merge_tickets(source: Ticket, target: Ticket, *, actor: User | None) -> Ticket:
    """Fold ``source`` into ``target``: its conversation moves over, it closes as merged."""
    if source.pk == target.pk:
        raise ValidationError({"target": _("A ticket cannot be merged into itself.")})
    first, second = sorted([source.pk, target.pk])  # lock in id order: no deadlocks
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .select_related("status")
        .filter(pk__in=[first, second])
    }
    source, target = locked[source.pk], locked[target.pk]
    _require_agent(actor, source)
    _require_agent(actor, target)
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ValidationError({"target": _("One of these tickets is already merged.")})
    moved_articles = source.articles.update(ticket=target)
    source.attachments.update(ticket=target)
    source.children.update(parent=target)
    source.merged_into = target
    merged_status = Status.objects.filter(key="merged").first() or default_status(
        StatusCategory.CLOSED
    )
    _set_status(source, merged_status, actor=actor)
    events.record(source, events.MERGED_INTO, actor=actor, field="merged_into", new=target.pk)
    events.record(
        target,
        events.MERGED,
        actor=actor,
        new=source.pk,
        articles=moved_articles,
        title=source.title,
    )
    source.save()
    target.save(update_fields=["updated_at"])
    _refresh_sla(source)
    enqueue_ticket_followup(source.pk, "merged")
    return target


@transaction.atomic
def refresh_sla(ticket: Ticket, *, actor: User | None, latest: bool = False) -> Ticket:
    """Recompute the ticket's SLA clocks and queue score from its log (no new event).

    Used by ``okno sla recompute``, calendar edits and the periodic re-scoring. ``latest``
    re-pins the ticket to the current policy and calendar versions.
    """
    ticket = _locked(ticket)
    _require_agent(actor, ticket)
    _refresh_sla(ticket, latest=latest)
    return ticket


@transaction.atomic
def link_tickets(ticket: Ticket, other: Ticket, *, actor: User | None, kind: str) -> None:
    """Relate two tickets: related, duplicate (of ``other``), parent or child (of ``other``)."""
    _require_agent(actor, ticket)
    if ticket.pk == other.pk:
        raise ValidationError({"other": _("A ticket cannot be linked to itself.")})
    if kind in ("parent", "child"):
        child, parent = (ticket, other) if kind == "child" else (other, ticket)
        ancestor: Ticket | None = parent
        while ancestor is not None:  # refuse cycles
            if ancestor.pk == child.pk:
                raise ValidationError({"other": _("That would make a ticket its own ancestor.")})
            ancestor = ancestor.parent
        child = _locked(child)
        old_parent = child.parent_id
        child.parent = parent
        child.save(update_fields=["parent", "updated_at"])
        events.record(
            child,
            events.LINKED,
            actor=actor,
            field="parent",
            old=old_parent,
            new=parent.pk,
            link="child",
        )
        events.record(parent, events.LINKED, actor=actor, new=child.pk, link="parent")
        return
    if kind not in LinkKind.values:
        raise ValidationError({"kind": _("Unknown link kind.")})
    _link, created = TicketLink.objects.get_or_create(source=ticket, target=other, kind=kind)
    if created:
        events.record(ticket, events.LINKED, actor=actor, new=other.pk, link=kind)
        events.record(other, events.LINKED, actor=actor, new=ticket.pk, link=f"{kind}_of")


@transaction.atomic
def unlink_tickets(ticket: Ticket, other: Ticket, *, actor: User | None, kind: str) -> None:
    _require_agent(actor, ticket)
    if kind in ("parent", "child"):
        child, parent = (ticket, other) if kind == "child" else (other, ticket)
        child = _locked(child)
        if child.parent_id == parent.pk:
            child.parent = None
            child.save(update_fields=["parent", "updated_at"])
            events.record(
                child, events.UNLINKED, actor=actor, field="parent", old=parent.pk, link="child"
            )
        return
    deleted, _rows = TicketLink.objects.filter(source=ticket, target=other, kind=kind).delete()
    if deleted:
        events.record(ticket, events.UNLINKED, actor=actor, old=other.pk, link=kind)
