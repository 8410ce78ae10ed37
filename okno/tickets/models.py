"""Tickets, their timeline (articles), files, links and the append-only event log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class StatusCategory(models.TextChoices):
    """What a status means to the engine: SLA pauses and reports key off the category."""

    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_CATEGORIES = (StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.WAITING)
DONE_CATEGORIES = (StatusCategory.RESOLVED, StatusCategory.CLOSED)


class Status(models.Model):
    """A configurable ticket status; ``key`` is stable for code, names are per language."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    labels = models.JSONField(_("names per language"), default=dict, blank=True)
    requester_labels = models.JSONField(
        _("plain-language names for requesters"), default=dict, blank=True
    )
    category = models.CharField(_("category"), max_length=10, choices=StatusCategory.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_default = models.BooleanField(
        _("default for its category"),
        default=False,
        help_text=_("Used when the system moves a ticket into this category automatically."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["category"], condition=Q(is_default=True), name="one_default_per_category"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.labels.get((get_language() or "en")[:2], self.name)

    @property
    def requester_label(self) -> str:
        lang = (get_language() or "en")[:2]
        return self.requester_labels.get(lang) or self.label


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Service request")
    QUESTION = "question", _("Question")
    PROBLEM = "problem", _("Problem")
    CHANGE = "change", _("Change")


class Channel(models.TextChoices):
    WEB = "web", _("Web portal")
    EMAIL = "email", _("Email")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    DESK = "desk", _("Agent desk")
    MONITORING = "monitoring", _("Monitoring")
    REDBUTTON = "redbutton", _("Red Button")
    WIDGET = "widget", _("Web widget")
    CHAT = "chat", _("Chat")


class Ticket(models.Model):
    """A request or incident. Changed only through ``tickets.actions``."""

    type = models.CharField(
        _("type"), max_length=20, choices=TicketType.choices, default=TicketType.INCIDENT
    )
    title = models.CharField(_("title"), max_length=250)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,  # ticket_requester leads with it
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # ticket_organization leads with it
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    impact = models.PositiveSmallIntegerField(_("impact"), default=2)
    urgency = models.PositiveSmallIntegerField(_("urgency"), default=2)
    priority = models.PositiveSmallIntegerField(_("priority"), default=3)
    priority_overridden = models.BooleanField(_("priority set by hand"), default=False)
    score = models.FloatField(_("queue score"), default=0)
    status = models.ForeignKey(
        Status, verbose_name=_("status"), on_delete=models.PROTECT, related_name="tickets"
    )
    status_category = models.CharField(
        _("status category"), max_length=10, choices=StatusCategory.choices, editable=False
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # ticket_team_queue leads with it
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,  # ticket_assignee leads with it
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=Channel.choices, default=Channel.WEB
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    # The earliest due time of the running SLA clocks, kept by database triggers
    # (tickets/sla_due.py) for the desk's "Breaching soon" view and counters.
    sla_due_at = models.DateTimeField(
        _("earliest SLA due time"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The agent queue: active tickets of a team, best score first, keyset on id.
            models.Index(
                fields=["team", "status_category", "-score", "-id"], name="ticket_team_queue"
            ),
            models.Index(fields=["assignee", "status_category", "-id"], name="ticket_assignee"),
            models.Index(fields=["requester", "-id"], name="ticket_requester"),
            # A sender's tickets of the last days (email threading by subject).
            models.Index(fields=["requester", "created_at"], name="ticket_requester_recent"),
            models.Index(fields=["organization", "-id"], name="ticket_organization"),
            models.Index(fields=["status_category", "-updated_at"], name="ticket_recent"),
            # Open work only (≈10 % of rows): the default queue order and the requester's
            # "other open requests" stay index-only however large the closed history grows.
            models.Index(
                fields=["team", "-score", "-id"],
                condition=Q(status_category__in=["new", "open", "waiting"]),
                name="ticket_team_active_queue",
            ),
            # With the columns the agent's scope checks, so "other open requests of this
            # requester" is an index-only count (a top requester has thousands open at 5M).
            models.Index(
                fields=["requester", "team", "assignee", "id"],
                condition=Q(status_category__in=["new", "open", "waiting"]),
                name="ticket_requester_active_scope",
            ),
            # The desk's sidebar counters, each read from an index alone (desk.views.
            # builtin_counts): one pass over the open tickets of a team (or of an agent)
            # counts all, unassigned, waiting and breaching soon; the recently resolved ones
            # of a team (or an agent) are a range.
            models.Index(
                fields=["team", "status_category", "assignee", "sla_due_at"],
                condition=Q(status_category__in=["new", "open", "waiting"]),
                name="ticket_team_active_counts",
            ),
            models.Index(
                fields=["assignee", "status_category", "team", "sla_due_at"],
                condition=Q(status_category__in=["new", "open", "waiting"]),
                name="ticket_assignee_active_counts",
            ),
            models.Index(
                fields=["team", "resolved_at"],
                condition=Q(status_category="resolved"),
                name="ticket_team_resolved",
            ),
            models.Index(
                fields=["assignee", "resolved_at", "team"],
                condition=Q(status_category="resolved"),
                name="ticket_assignee_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def number(self) -> int:
        """The human ticket number is the id: short, sequential, quoted as [#<number>]."""
        return int(self.pk)

    @property
    def reference(self) -> str:
        return f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status_category in ACTIVE_CATEGORIES


class ArticleKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("System message")


class Article(models.Model):
    """One entry of the ticket's conversation: a public reply, an internal note, or a system text."""

    ticket = models.ForeignKey(  # article_timeline leads with it
        Ticket, on_delete=models.CASCADE, related_name="articles", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ArticleKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML (sanitized)"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True, db_index=True)
    time_spent_minutes = models.PositiveIntegerField(_("minutes spent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["ticket", "created_at"], name="article_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind == ArticleKind.REPLY


def attachment_path(instance: Attachment, filename: str) -> str:
    """Store by content hash: identical files share no name with user input."""
    return f"attachments/{instance.sha256[:2]}/{instance.sha256[2:4]}/{instance.sha256}"


class Attachment(models.Model):
    """A stored file. The original name is kept for display only, never for the path."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=120)
    sha256 = models.CharField(max_length=64, db_index=True)
    content_id = models.CharField(max_length=250, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related")
    DUPLICATE = "duplicate", _("Duplicate of")


class TicketLink(models.Model):
    """A relation between two tickets; parent/child lives on ``Ticket.parent``."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="unique_link"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="no_self_link"),
        ]

    def __str__(self) -> str:
        return f"#{self.source_id} {self.kind} #{self.target_id}"


class TicketEvent(models.Model):
    """Append-only history of every ticket change: the audit log and the SLA/report source."""

    ticket = models.ForeignKey(  # event_ticket_log leads with it
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    field = models.CharField(_("field"), max_length=40, blank=True)
    old = models.JSONField(_("old value"), null=True, blank=True)
    new = models.JSONField(_("new value"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_log")]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Ticket events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
