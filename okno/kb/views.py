"""Knowledge-base pages: the public KB, the agent editor, feedback, portal suggestions.

Reading goes through ``kb.queries`` (anonymous visitors see public articles only); every write
goes through ``kb.actions``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okno.accounts.queries import visible_tickets
from okno.desk.forms import apply_action_errors, as_new_attachments
from okno.search.backends import search
from okno.tickets.attachments import may_display_inline

from . import actions
from .diff import diff_versions
from .forms import ArticleForm, DeflectionForm, FeedbackForm
from .models import Article, ArticleStatus, Category, KbAttachment, Visibility
from .queries import (
    categories_with_articles,
    get_article_for,
    get_published_article,
    language_variants,
    visible_articles,
)

SUGGEST_LIMIT = 5


def _agent_required(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise Http404
    if not request.user.is_agent:
        raise PermissionDenied


# --- Reading -----------------------------------------------------------------------------------


def kb_home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    hits = search(request.user, query, kinds=("kb",), limit=20).hits if query else []
    return render(
        request,
        "kb/home.html",
        {"groups": categories_with_articles(request.user), "query": query, "hits": hits},
    )


def category_detail(request: HttpRequest, category: str) -> HttpResponse:
    cat = get_object_or_404(Category, slug=category)
    articles = visible_articles(request.user).filter(category=cat).order_by("title")
    return render(request, "kb/category.html", {"category": cat, "articles": articles})


def article_detail(request: HttpRequest, category: str, slug: str) -> HttpResponse:
    article = get_published_article(request.user, category, slug)
    is_agent = request.user.is_authenticated and request.user.is_agent
    related = []
    if is_agent:
        related = list(
            visible_tickets(request.user)
            .filter(kb_articles=article)
            .select_related("status")
            .order_by("-id")[:20]
        )
    return render(
        request,
        "kb/article.html",
        {
            "article": article,
            "variants": language_variants(article, request.user),
            "files": article.attachments.all(),
            "related": related,
            "is_agent": is_agent,
            "feedback_form": FeedbackForm(),
            "canonical": request.build_absolute_uri(article.get_absolute_url()),
        },
    )


def attachment(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    """A file of an article the visitor may read; never rendered as active content."""
    file = KbAttachment.objects.filter(pk=pk).first()
    if file is None:
        raise Http404
    is_agent = request.user.is_authenticated and request.user.is_agent
    get_article_for(request.user, file.article_id, include_drafts=is_agent)
    inline = may_display_inline(file.content_type) and request.GET.get("download") != "1"
    response = FileResponse(
        file.file.open("rb"), content_type=file.content_type, as_attachment=not inline
    )
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(file.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """Public, published articles only, with their language variants as hreflang links."""
    articles = list(
        Article.objects.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)
        .select_related("category")
        .order_by("category__slug", "slug")
    )
    groups: dict[Any, list[Article]] = defaultdict(list)
    for article in articles:
        groups[article.translation_group].append(article)
    entries = [
        {
            "loc": request.build_absolute_uri(a.get_absolute_url()),
            "lastmod": a.updated_at,
            "alternates": [
                (v.language, request.build_absolute_uri(v.get_absolute_url()))
                for v in groups[a.translation_group]
            ]
            if len(groups[a.translation_group]) > 1
            else [],
        }
        for a in articles
    ]
    return render(request, "kb/sitemap.xml", {"entries": entries}, content_type="application/xml")


@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    is_agent = request.user.is_authenticated and request.user.is_agent
    article = get_article_for(request.user, pk, include_drafts=is_agent)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please answer yes or no."))
        return redirect(article.get_absolute_url())
    if not request.session.session_key:
        request.session.save()
    try:
        actions.record_feedback(
            article,
            actor=request.user,
            session_key=request.session.session_key or "",
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect(article.get_absolute_url() + "#feedback")


# --- Portal: suggestions while typing, and "this solved it" ------------------------------------


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Articles matching what the requester types (htmx fragment for the new-request form)."""
    query = (request.GET.get("q") or request.GET.get("title") or "").strip()[:200]
    hits = []
    if len(query) >= 3:
        hits = search(request.user, query, kinds=("kb",), limit=SUGGEST_LIMIT, match="any").hits
    return render(request, "kb/suggestions.html", {"hits": hits, "query": query})


@require_POST
def deflect(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article_for(request.user, pk)
    form = DeflectionForm(request.POST)
    query = form.cleaned_data["query"] if form.is_valid() else ""
    actions.record_deflection(article, actor=request.user, query=query)
    if request.htmx:
        return render(request, "kb/deflected.html", {"article": article})
    messages.success(request, _("Glad it helped! No request was created."))
    return redirect("portal:home" if request.user.is_authenticated else "kb:home")


# --- Agent editor ------------------------------------------------------------------------------


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _agent_required(request)
    articles = (
        visible_articles(request.user, include_drafts=True)
        .select_related("category", "author")
        .order_by("-updated_at", "-id")
    )
    status = request.GET.get("status", "")
    if status in ArticleStatus.values:
        articles = articles.filter(status=status)
    return render(request, "kb/manage.html", {"articles": articles[:200], "status": status})


def _form_data(form: ArticleForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["attachments"] = as_new_attachments(data.pop("attachments") or [])
    data["organizations"] = list(data["organizations"])
    return data


@login_required
def create(request: HttpRequest) -> HttpResponse:
    _agent_required(request)
    translation_of = None
    if request.GET.get("translate", "").isdigit() or request.POST.get("translate", "").isdigit():
        translation_of = get_article_for(
            request.user, request.GET.get("translate") or request.POST.get("translate"),
            include_drafts=True,
        )  # fmt: skip
    initial: dict[str, Any] = {"language": (request.user.language or "en")[:2]}
    if translation_of is not None:
        initial.update(
            category=translation_of.category_id,
            visibility=translation_of.visibility,
            organizations=list(translation_of.organizations.all()),
        )
    form = ArticleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        publish = "publish" in request.POST
        try:
            article = actions.create_article(
                actor=request.user,
                status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
                translation_of=translation_of,
                **data,
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("The article is saved."))
            return redirect("kb:edit", pk=article.pk)
    return render(
        request,
        "kb/edit.html",
        {"form": form, "article": None, "translation_of": translation_of},
        status=400 if form.errors else 200,
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    _agent_required(request)
    article = get_article_for(request.user, pk, include_drafts=True)
    initial = {
        "title": article.title,
        "category": article.category_id,
        "summary": article.summary,
        "body_html": article.body_html,
        "visibility": article.visibility,
        "organizations": list(article.organizations.all()),
        "language": article.language,
        "slug": article.slug,
    }
    form = ArticleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        if "publish" in request.POST:
            data["status"] = ArticleStatus.PUBLISHED
        elif "unpublish" in request.POST:
            data["status"] = ArticleStatus.DRAFT
        try:
            actions.update_article(article, actor=request.user, **data)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("The article is saved."))
            return redirect("kb:edit", pk=article.pk)
    return render(
        request,
        "kb/edit.html",
        {
            "form": form,
            "article": article,
            "files": article.attachments.all(),
            "variants": language_variants(article, request.user),
            "versions": article.versions.select_related("author")[:10],
        },
        status=400 if form.errors else 200,
    )


@login_required
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    _agent_required(request)
    article = get_article_for(request.user, pk, include_drafts=True)
    history = list(article.versions.select_related("author"))
    numbers = [v.number for v in history]
    new_n = int(request.GET["b"]) if request.GET.get("b", "").isdigit() else max(numbers)
    old_n = int(request.GET["a"]) if request.GET.get("a", "").isdigit() else new_n - 1
    by_number = {v.number: v for v in history}
    old, new = by_number.get(old_n), by_number.get(new_n)
    lines = []
    if old is not None and new is not None:
        lines = diff_versions(old.title, old.body_html, new.title, new.body_html)
    return render(
        request,
        "kb/versions.html",
        {"article": article, "history": history, "old": old, "new": new, "lines": lines},
    )


@require_POST
@login_required
def from_reply(request: HttpRequest, article_id: int) -> HttpResponse:
    """Turn a reply or note of a ticket into a draft article (the agent works on the ticket)."""
    _agent_required(request)
    try:
        article = actions.draft_from_ticket_article(article_id, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("kb:manage")
    messages.success(request, _("A draft article was made from the reply. Edit and publish it."))
    return redirect("kb:edit", pk=article.pk)


@require_GET
@login_required
def link_suggest(request: HttpRequest) -> HttpResponse:
    """Articles for the desk reply box: JSON by default, an htmx fragment for the include."""
    _agent_required(request)
    query = request.GET.get("q", "").strip()[:200]
    hits = search(request.user, query, kinds=("kb",), limit=8).hits if query else []
    items = [
        {
            "id": h.article.pk,
            "title": h.article.title,
            "url": request.build_absolute_uri(h.article.get_absolute_url()),
            "language": h.article.language,
            "visibility": h.article.visibility,
            "published": h.article.is_published,
            "requester_can_open": h.article.is_published
            and h.article.visibility != Visibility.AGENTS,
            "snippet": h.snippet,
        }
        for h in hits
        if h.article is not None
    ]
    if request.htmx or request.GET.get("format") == "html":
        return render(request, "kb/reply_suggestions.html", {"items": items, "query": query})
    return JsonResponse({"query": query, "articles": items})


def public_link(article: Article) -> str:
    return reverse("kb:article", args=[article.category.slug, article.slug])
