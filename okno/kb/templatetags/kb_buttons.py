"""``{% kb_from_reply_button article %}``: see ``okno.kb.buttons``."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString

from okno.kb.buttons import from_reply_button, from_reply_url

register = template.Library()


@register.simple_tag(takes_context=True)
def kb_from_reply_button(context: Any, article: Any) -> SafeString:
    return from_reply_button(from_reply_url(article.pk), CsrfTokenNode().render(context))
