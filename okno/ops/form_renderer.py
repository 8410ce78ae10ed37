"""The form renderer: Django's, except that ``<select>`` is built in Python.

Django renders each ``<option>`` through two template includes; the agent's ticket page has
selects of every agent, team, status and service, so those includes were most of its
rendering time. The markup is the same as Django's ``select.html`` / ``select_option.html``
(every value escaped); any other widget renders from its template as usual.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

SELECT = "django/forms/widgets/select.html"


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """As ``django/forms/widgets/attrs.html``: False drops it, True is a bare attribute."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def render_select(widget: dict[str, Any]) -> SafeString:
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        rendered = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>',
            ((str(o["value"]), _attrs(o["attrs"]), o["label"]) for o in options),
        )
        if group_name:
            rendered = format_html(
                '\n  <optgroup label="{}">{}\n  </optgroup>', group_name, rendered
            )
        groups.append(conditional_escape(rendered))
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        _attrs(widget["attrs"]),
        SafeString("".join(groups)),
    )


class FastSelectRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT:
            return render_select(context["widget"])
        return str(super().render(template_name, context, request))
