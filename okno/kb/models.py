"""Knowledge base: categories, articles with language variants, versions, feedback, files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone, also without signing in")
    ORGANIZATIONS = "organizations", _("Requesters of the chosen organizations")
    AGENTS = "agents", _("Agents only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


RESERVED_SLUGS = frozenset({"manage", "suggest", "files", "feedback", "solved", "sitemap.xml"})


def validate_category_slug(value: str) -> None:
    """Category addresses share ``/kb/<slug>/`` with the KB's own pages."""
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved; choose another one."), code="reserved")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("address"), max_length=80, unique=True, validators=[validate_category_slug]
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("knowledge base category")
        verbose_name_plural = _("knowledge base categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kb:category", args=[self.slug])


class Article(models.Model):
    """A knowledge-base article. Written only through ``kb.actions`` (every save is a version)."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    slug = models.SlugField(_("address"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences; shown in search results and to search engines."),
    )
    body_html = models.TextField(_("text (sanitized HTML)"))
    body_text = models.TextField(_("plain text"), blank=True, editable=False)
    visibility = models.CharField(
        _("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.AGENTS
    )
    organizations = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("organizations"),
        blank=True,
        related_name="kb_articles",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    translation_group = models.UUIDField(_("translation group"), default=uuid.uuid4, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kb_articles",
    )
    related_tickets = models.ManyToManyField(
        "tickets.Ticket", verbose_name=_("related tickets"), blank=True, related_name="kb_articles"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["category__order", "title", "id"]
        verbose_name = _("knowledge base article")
        verbose_name_plural = _("knowledge base articles")
        constraints = [
            models.UniqueConstraint(fields=["category", "slug"], name="kb_unique_slug"),
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="kb_one_variant_per_language"
            ),
        ]
        indexes = [models.Index(fields=["status", "visibility"], name="kb_article_visible")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kb:article", args=[self.category.slug, self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def is_public(self) -> bool:
        return self.is_published and self.visibility == Visibility.PUBLIC


class ArticleVersion(models.Model):
    """A snapshot written on every save: who changed what, and the text to diff against."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body_html = models.TextField(_("text (sanitized HTML)"))
    body_text = models.TextField(_("plain text"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class Feedback(models.Model):
    """ "Was this helpful?": one answer per person (or anonymous session) per article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="kb_feedback_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=Q(user__isnull=True) & ~Q(session_key=""),
                name="kb_feedback_once_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class Deflection(models.Model):
    """A requester found the answer in a suggested article and did not open a ticket."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(_("what they typed"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.created_at:%Y-%m-%d}"


def kb_attachment_path(instance: KbAttachment, filename: str) -> str:
    return f"kb/{instance.sha256[:2]}/{instance.sha256[2:4]}/{instance.sha256}"


class KbAttachment(models.Model):
    """A file or image of an article; served with the article's visibility."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=kb_attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=120)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("article file")
        verbose_name_plural = _("article files")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("kb:attachment", args=[self.pk, self.filename])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
