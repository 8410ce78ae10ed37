"""The "Make a KB article" button of the desk's timeline, built in Python: the ticket page
shows one per reply and note (``kb/from_reply_button.html`` renders this same function)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def from_reply_url(article_pk: int) -> str:
    return reverse("kb:from_reply", args=[article_pk])


def from_reply_button(url: str, csrf_input: str) -> SafeString:
    """The form posting to ``url`` (``from_reply_url``), ``csrf_input`` being the page's
    ``{% csrf_token %}`` markup."""
    label = conditional_escape(gettext("Make a KB article"))
    return mark_safe(  # noqa: S308 - the URL and the label are escaped, the CSRF input is markup
        f'<form method="post" action="{conditional_escape(url)}" class="inline">{csrf_input}'
        f'<button type="submit" class="button button-link small">{label}</button></form>'
    )
