"""Permission-scoped reads of the knowledge base.

- anonymous visitors: published public articles;
- requesters: published public articles and those shared with their organization;
- agents: everything (drafts only where ``include_drafts`` asks for them).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Article, ArticleStatus, Category, Visibility


def visible_articles(user: Any, *, include_drafts: bool = False) -> QuerySet[Article]:
    articles = Article.objects.all()
    is_agent = user is not None and user.is_authenticated and user.is_agent
    if not (is_agent and include_drafts):
        articles = articles.filter(status=ArticleStatus.PUBLISHED)
    if is_agent:
        return articles
    scope = Q(visibility=Visibility.PUBLIC)
    org_id = getattr(user, "organization_id", None) if user is not None else None
    if user is not None and user.is_authenticated and user.is_active and org_id is not None:
        shared = Article.organizations.through.objects.filter(organization_id=org_id)
        scope |= Q(visibility=Visibility.ORGANIZATIONS, pk__in=shared.values("article_id"))
    return articles.filter(scope)


def get_article_for(user: Any, pk: object, *, include_drafts: bool = False) -> Article:
    try:
        pk_int = int(str(pk))
    except (TypeError, ValueError):
        raise Http404("No such article") from None
    article = (
        visible_articles(user, include_drafts=include_drafts)
        .select_related("category", "author")
        .filter(pk=pk_int)
        .first()
    )
    if article is None:
        raise Http404("No such article")
    return article


def get_published_article(user: Any, category_slug: str, slug: str) -> Article:
    article = (
        visible_articles(user, include_drafts=True)
        .select_related("category", "author")
        .filter(category__slug=category_slug, slug=slug)
        .first()
    )
    if article is None:
        raise Http404("No such article")
    return article


def categories_with_articles(user: Any) -> list[tuple[Category, list[Article]]]:
    """Categories in order with the articles this person may read (two queries)."""
    articles = list(
        visible_articles(user).select_related("category").order_by("category__order", "title")
    )
    grouped: dict[int, tuple[Category, list[Article]]] = {}
    for article in articles:
        grouped.setdefault(article.category_id, (article.category, []))[1].append(article)
    return list(grouped.values())


def language_variants(article: Article, user: Any) -> list[Article]:
    return list(
        visible_articles(user)
        .filter(translation_group=article.translation_group)
        .exclude(pk=article.pk)
        .select_related("category")
        .order_by("language")
    )
