"""Every knowledge-base write: articles and their versions, feedback, deflections, files.

Plain functions, actor keyword-only, one transaction each. Every create or edit writes an
``ArticleVersion`` so the history can be diffed; HTML is sanitized with nh3 on the way in.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from okno.accounts.queries import can_work_on, get_ticket_for
from okno.tickets.attachments import NewAttachment, build_attachment_fields
from okno.tickets.models import Article as TicketArticle
from okno.tickets.models import ArticleKind

from .models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    Category,
    Deflection,
    Feedback,
    KbAttachment,
    Visibility,
)

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "u", "s", "code",
    "pre", "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "hr", "kbd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_BLOCK_END = re.compile(r"(?i)<(br\s*/?|/p|/h[1-6]|/li|/tr|/pre|/blockquote|hr\s*/?)>")
_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
        "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
        "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "'": "", "’": "",
    }
)  # fmt: skip
EDITABLE_FIELDS = (
    "category", "slug", "title", "summary", "body_html", "visibility", "language", "status",
)  # fmt: skip


def sanitize_html(raw: str) -> str:
    """Keep the formatting of an article, drop everything active (scripts, handlers, styles)."""
    return nh3.clean(
        raw or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


def html_to_text(clean_html: str) -> str:
    """Plain text for search, snippets and the meta description."""
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + "\n", clean_html)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )


def slug_for(title: str) -> str:
    """A readable ASCII address: Cyrillic is transliterated, not dropped."""
    return slugify(title.lower().translate(_TRANSLIT))[:100].strip("-") or "article"


def _require_agent(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_agent", False):
        raise PermissionDenied(_("Only agents may edit the knowledge base."))


def _unique_slug(category: Category, base: str, *, exclude: int | None = None) -> str:
    taken = set(
        Article.objects.filter(category=category, slug__startswith=base)
        .exclude(pk=exclude)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug = f"{base[:110]}-{n}"
        n += 1
    return slug


def _validate(article: Article, organizations: Sequence[Any] | None) -> None:
    errors: dict[str, list[str]] = {}
    if not article.title.strip():
        errors.setdefault("title", []).append(_("Give the article a title."))
    if not article.body_text.strip() and "<img" not in article.body_html:
        errors.setdefault("body_html", []).append(_("The article has no text."))
    if article.visibility not in Visibility.values:
        errors.setdefault("visibility", []).append(_("Unknown visibility."))
    if article.visibility == Visibility.ORGANIZATIONS and not organizations:
        errors.setdefault("organizations", []).append(
            _("Choose at least one organization, or make the article public or agents-only.")
        )
    if article.status not in ArticleStatus.values:
        errors.setdefault("status", []).append(_("Unknown status."))
    if article.slug and slugify(article.slug) != article.slug:
        errors.setdefault("slug", []).append(
            _("Use lowercase Latin letters, digits and hyphens only.")
        )
    clash = Article.objects.filter(category=article.category, slug=article.slug).exclude(
        pk=article.pk
    )
    if article.slug and clash.exists():
        errors.setdefault("slug", []).append(
            _("Another article in this category uses this address.")
        )
    variants = Article.objects.filter(
        translation_group=article.translation_group, language=article.language
    ).exclude(pk=article.pk)
    if variants.exists():
        errors.setdefault("language", []).append(
            _("This article already has a variant in this language.")
        )
    if errors:
        raise ValidationError(errors)


def _snapshot(article: Article, actor: Any) -> ArticleVersion:
    last = article.versions.aggregate(n=Max("number"))["n"] or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body_html=article.body_html,
        body_text=article.body_text,
        status=article.status,
        author=actor,
    )


def create_article(
    *,
    actor: Any,
    category: Category,
    title: str,
    body_html: str,
    summary: str = "",
    slug: str = "",
    visibility: str = Visibility.AGENTS,
    organizations: Sequence[Any] = (),
    language: str = "en",
    status: str = ArticleStatus.DRAFT,
    translation_of: Article | None = None,
    related_tickets: Iterable[Any] = (),
    attachments: Sequence[NewAttachment] = (),
) -> Article:
    _require_agent(actor)
    files = _prepare_files(attachments)
    clean = sanitize_html(body_html)
    article = Article(
        category=category,
        title=(title or "").strip()[:200],
        summary=(summary or "").strip()[:300],
        body_html=clean,
        body_text=html_to_text(clean),
        visibility=visibility,
        language=language,
        status=status,
        author=actor,
    )
    if translation_of is not None:
        article.translation_group = translation_of.translation_group
    article.slug = (slug or "").strip() or _unique_slug(category, slug_for(article.title))
    if status == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    _validate(article, organizations)
    with transaction.atomic():
        try:
            article.save()
        except IntegrityError as exc:  # a concurrent writer took the slug
            raise ValidationError({"slug": [_("This address is taken; try again.")]}) from exc
        article.organizations.set(organizations)
        if related_tickets:
            article.related_tickets.add(*related_tickets)
        _store_files(article, actor, files)
        _snapshot(article, actor)
    return article


def update_article(
    article: Article,
    *,
    actor: Any,
    organizations: Sequence[Any] | None = None,
    attachments: Sequence[NewAttachment] = (),
    **changes: Any,
) -> Article:
    """Change fields (see ``EDITABLE_FIELDS``) and keep the new text as the next version."""
    _require_agent(actor)
    files = _prepare_files(attachments)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    for name, value in changes.items():
        if name == "body_html":
            value = sanitize_html(value)
            article.body_text = html_to_text(value)
        elif isinstance(value, str) and name != "body_html":
            value = value.strip()
        setattr(article, name, value)
    if not article.slug:
        article.slug = _unique_slug(article.category, slug_for(article.title), exclude=article.pk)
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    orgs = list(article.organizations.all()) if organizations is None else list(organizations)
    _validate(article, orgs)
    with transaction.atomic():
        article.save()
        if organizations is not None:
            article.organizations.set(organizations)
        _store_files(article, actor, files)
        _snapshot(article, actor)
    return article


def publish_article(article: Article, *, actor: Any) -> Article:
    return update_article(article, actor=actor, status=ArticleStatus.PUBLISHED)


def unpublish_article(article: Article, *, actor: Any) -> Article:
    return update_article(article, actor=actor, status=ArticleStatus.DRAFT)


def default_category() -> Category:
    category = Category.objects.order_by("order", "name").first()
    if category is None:
        category, _created = Category.objects.get_or_create(
            slug="general", defaults={"name": _("General")}
        )
    return category


def draft_from_ticket_article(
    ticket_article_id: int, *, actor: Any, category: Category | None = None
) -> Article:
    """Turn a reply (or note) of a ticket into a draft article linked to that ticket.

    The agent must be able to work on the ticket; otherwise it is a 404 like any other
    ticket the person may not see.
    """
    _require_agent(actor)
    source = (
        TicketArticle.objects.filter(pk=ticket_article_id, kind__in=ArticleKind.values)
        .only("id", "ticket_id", "body_html", "body_text", "kind")
        .first()
    )
    if source is None or source.kind == ArticleKind.SYSTEM:
        raise ValidationError({"article": [_("Only replies and notes can become articles.")]})
    ticket = get_ticket_for(actor, source.ticket_id)
    if not can_work_on(actor, ticket):
        raise PermissionDenied(_("You cannot work on this ticket."))
    body = source.body_html or text_to_html(source.body_text)
    return create_article(
        actor=actor,
        category=category or default_category(),
        title=ticket.title,
        body_html=body,
        language=(getattr(actor, "language", "") or "en")[:2],
        visibility=Visibility.AGENTS,
        status=ArticleStatus.DRAFT,
        related_tickets=[ticket],
    )


def link_ticket(article: Article, ticket: Any, *, actor: Any) -> None:
    _require_agent(actor)
    if not can_work_on(actor, ticket):
        raise PermissionDenied(_("You cannot work on this ticket."))
    article.related_tickets.add(ticket)


def record_feedback(
    article: Article,
    *,
    actor: Any,
    session_key: str = "",
    helpful: bool,
    comment: str = "",
) -> Feedback:
    """One answer per person (or anonymous session); answering again changes the answer."""
    user = actor if actor is not None and actor.is_authenticated else None
    if user is None and not session_key:
        raise ValidationError({"session": [_("Please enable cookies to send feedback.")]})
    lookup: dict[str, Any] = {"article": article}
    if user is not None:
        lookup["user"] = user
    else:
        lookup.update(user=None, session_key=session_key[:64])
    with transaction.atomic():
        feedback, _created = Feedback.objects.update_or_create(
            **lookup, defaults={"helpful": helpful, "comment": (comment or "").strip()[:2000]}
        )
    return feedback


def record_deflection(article: Article, *, actor: Any, query: str = "") -> Deflection:
    """ "This solved it" on the portal: no ticket is created, the article gets the credit."""
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        deflection = Deflection.objects.create(
            article=article, user=user, query=(query or "").strip()[:250]
        )
        if user is not None:
            Feedback.objects.update_or_create(
                article=article, user=user, defaults={"helpful": True}
            )
    return deflection


def _prepare_files(files: Sequence[NewAttachment]) -> list[dict[str, Any]]:
    """Validate every file first (same rules as ticket files), so all are stored or none."""
    prepared = []
    errors = []
    for upload in files:
        try:
            fields = build_attachment_fields(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        fields.pop("content_id", None)
        prepared.append(fields)
    if errors:
        raise ValidationError({"attachments": errors})
    return prepared


def _store_files(article: Article, actor: Any, prepared: list[dict[str, Any]]) -> None:
    for fields in prepared:
        KbAttachment.objects.create(article=article, uploaded_by=actor, **fields)


def add_kb_attachments(
    article: Article, *, actor: Any, files: Sequence[NewAttachment]
) -> list[KbAttachment]:
    _require_agent(actor)
    prepared = _prepare_files(files)
    with transaction.atomic():
        before = set(article.attachments.values_list("pk", flat=True))
        _store_files(article, actor, prepared)
        return list(article.attachments.exclude(pk__in=before))
