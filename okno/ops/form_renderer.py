"""The form renderer: Django's, except that the most used form templates are built in Python.

Django renders a field through a chain of template includes (the field group, its label, the
widget, its attributes, every ``<option>``); the agent's ticket page has about twenty fields,
with selects of every agent, team, status and service, and those includes were a third of its
rendering time. Built here with the same markup as Django's templates (every value escaped;
``tests/ops/test_form_renderer.py`` compares them): the field group, labels and legends,
plain ``<input>`` widgets, ``<textarea>``, ``<select>`` and error lists. Anything else (radio
and checkbox groups, file inputs with a current file, custom templates) renders from its
template as usual.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

SELECT = "django/forms/widgets/select.html"
# widget templates that are exactly ``{% include "django/forms/widgets/input.html" %}``
INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in [
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
}


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """As ``django/forms/widgets/attrs.html``: False drops it, True is a bare attribute."""
    esc = conditional_escape
    return SafeString(
        "".join(
            f" {esc(name)}" if value is True else f' {esc(name)}="{esc(value)}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


def render_select(widget: dict[str, Any]) -> SafeString:
    esc = conditional_escape
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        rendered = "".join(
            f'\n  <option value="{esc(str(o["value"]))}"{_attrs(o["attrs"])}>{esc(o["label"])}</option>'
            for o in options
        )
        if group_name:
            rendered = f'\n  <optgroup label="{esc(group_name)}">{rendered}\n  </optgroup>'
        groups.append(rendered)
    return SafeString(
        f'<select name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>{"".join(groups)}\n</select>'
    )


def render_input(widget: dict[str, Any]) -> SafeString:
    esc = conditional_escape
    value = widget["value"]
    shown = f' value="{esc(str(value))}"' if value is not None else ""
    return SafeString(
        f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def render_textarea(widget: dict[str, Any]) -> SafeString:
    esc = conditional_escape
    return SafeString(
        f'<textarea name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{esc(widget['value'] or '')}</textarea>"
    )


def render_label(context: dict[str, Any]) -> SafeString:
    if not context["use_tag"]:
        return conditional_escape(context["label"])
    tag = conditional_escape(context["tag"])
    label = conditional_escape(context["label"])
    return SafeString(f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>")


def render_errors(context: dict[str, Any]) -> SafeString:
    errors = context["errors"]
    if not errors:
        return SafeString("")
    esc = conditional_escape
    field_id = getattr(errors, "field_id", None)
    ident = f' id="{esc(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{esc(error)}</li>" for error in errors)
    return SafeString(f'<ul class="{esc(context["error_class"])}"{ident}>{items}</ul>')


def _template_attrs(attrs: dict[str, Any]) -> str:
    """As ``attrs.html`` renders inside a template (``stringformat:'s'``: ``str``, escaped)."""
    esc = conditional_escape
    return "".join(
        f" {esc(name)}" if value is True else f' {esc(name)}="{esc(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(o: dict[str, Any]) -> str:
    """As ``input_option.html`` (``include``d: an input, in its label when wrapped)."""
    esc = conditional_escape
    value = "" if o["value"] is None else f' value="{esc(str(o["value"]))}"'
    field = f'<input type="{esc(o["type"])}" name="{esc(o["name"])}"{value}'
    field += f"{_template_attrs(o['attrs'])}>\n"
    if o.get("wrap_label"):
        label_for = o["attrs"].get("id")
        opening = f'<label for="{esc(label_for)}">' if label_for else "<label>"
        field = f"{opening}{field} {esc(o['label'])}</label>"
    return field


def render_option(widget: dict[str, Any]) -> SafeString:
    """One radio or checkbox (``{{ radio.tag }}``), stripped as the renderer strips."""
    return SafeString(_option(widget).strip())


def render_multiple(widget: dict[str, Any]) -> SafeString:
    """As ``checkbox_select.html`` / ``radio.html`` (``multiple_input.html`` and an
    ``input_option.html`` per choice), newlines included, stripped as Django's renderer
    strips a widget."""
    esc = conditional_escape
    attrs = widget["attrs"]
    ident, cls = attrs.get("id"), attrs.get("class")
    out = [
        "<div"
        + (f' id="{esc(ident)}"' if ident else "")
        + (f' class="{esc(cls)}"' if cls else "")
        + ">"
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{esc(group)}</label>")
        for o in options:
            out.append(f"<div>\n    {_option(o)}\n\n</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")  # (the renderer strips what follows)
    return SafeString("".join(out))


def render_field(field: Any) -> SafeString:
    parts: list[Any] = []
    if field.use_fieldset:
        aria = getattr(field, "aria_describedby", None)
        parts.append(
            format_html("<fieldset{}>", format_html(' aria-describedby="{}"', aria) if aria else "")
        )
        if field.label:
            parts.append(field.legend_tag())
    elif field.label:
        parts.append(field.label_tag())
    if field.help_text:
        parts.append(
            format_html(
                '<div class="helptext"{}>{}</div>',
                format_html(' id="{}_helptext"', field.auto_id) if field.auto_id else "",
                SafeString(field.help_text),  # |safe in Django's template too
            )
        )
    parts.append(field.errors)
    parts.append(field.as_widget())
    if field.use_fieldset:
        parts.append(SafeString("</fieldset>"))
    return SafeString("\n".join(str(conditional_escape(part)) for part in parts))


FIELD = "django/forms/field.html"
LABEL = "django/forms/label.html"
TEXTAREA = "django/forms/widgets/textarea.html"
ERRORS = {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}
# checkbox and radio groups (their option templates are Django's own, not overridden here)
MULTIPLE = {"django/forms/widgets/checkbox_select.html", "django/forms/widgets/radio.html"}
OPTIONS = {"django/forms/widgets/checkbox_option.html", "django/forms/widgets/radio_option.html"}


class FastSelectRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT:
            return render_select(context["widget"])
        if template_name in INPUTS:
            return render_input(context["widget"])
        if template_name == FIELD:
            return render_field(context["field"])
        if template_name == LABEL:
            return render_label(context)
        if template_name == TEXTAREA:
            return render_textarea(context["widget"])
        if template_name in ERRORS:
            return render_errors(context)
        if template_name in MULTIPLE:
            return render_multiple(context["widget"])
        if template_name in OPTIONS:
            return render_option(context["widget"])
        return str(super().render(template_name, context, request))
