"""Admin for the email channel: mailboxes, the inbound log and quarantine (with retry),
routing rules (with a "test a message" page) and outbound mail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import routing
from .models import InboundMessage, Mailbox, OutboundEmail, RoutingRule
from .parse import parse_message


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "enabled",
        "protocol",
        "host",
        "username",
        "folder",
        "poll_interval",
        "last_polled_at",
        "status",
    ]
    list_filter = ["enabled", "protocol"]
    readonly_fields = ["last_polled_at", "last_error"]
    actions = ["poll_now"]
    fieldsets = [
        (None, {"fields": ["name", "enabled", "address"]}),
        (
            _("Server"),
            {"fields": ["protocol", "host", "port", "security", "folder", "processed_folder"]},
        ),
        (
            _("Sign-in"),
            {
                "fields": ["username", "auth", "secret_env"],
                "description": _(
                    "The password or OAuth2 token is read from the environment variable (or "
                    "file:/path) named here when the mailbox is polled; it is never stored "
                    "in the database or shown here."
                ),
            },
        ),
        (
            _("Polling"),
            {"fields": ["poll_interval", "batch_size", "delete_after_fetch"]},
        ),
        (
            _("Threading and replies"),
            {"fields": ["thread_by_subject_days", "unknown_sender", "ack_limit_per_hour"]},
        ),
        (_("State"), {"fields": ["last_polled_at", "last_error"]}),
    ]

    @admin.display(description=_("status"))
    def status(self, obj: Mailbox) -> str:
        return str(_("error")) if obj.last_error else str(_("ok"))

    @admin.action(description=_("Poll selected mailboxes now"))
    def poll_now(self, request: HttpRequest, queryset: Any) -> None:
        from .tasks import poll_mailbox

        for mailbox in queryset.filter(enabled=True):
            poll_mailbox.enqueue(mailbox_id=mailbox.pk)
        self.message_user(request, _("Polling queued; see the inbound messages in a moment."))


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "state",
        "from_address",
        "subject",
        "mailbox",
        "ticket_link",
        "reason",
        "short_error",
    ]
    list_filter = ["state", "mailbox", "source", "reason"]
    search_fields = ["from_address", "subject", "message_id", "error"]
    actions = ["retry"]
    exclude = ["raw"]
    readonly_fields = [
        "mailbox",
        "source",
        "uid",
        "message_id",
        "sha256",
        "size",
        "from_address",
        "subject",
        "state",
        "reason",
        "error",
        "attempts",
        "ticket",
        "article",
        "received_at",
        "processed_at",
        "raw_text",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: InboundMessage) -> str:
        if not obj.ticket_id:
            return "—"
        return format_html('<a href="/desk/tickets/{0}/">#{0}</a>', obj.ticket_id)

    @admin.display(description=_("error"))
    def short_error(self, obj: InboundMessage) -> str:
        return obj.error[:120]

    @admin.display(description=_("raw message (first 64 KB)"))
    def raw_text(self, obj: InboundMessage) -> str:
        text = bytes(obj.raw[:65536]).decode("utf-8", "replace")
        return format_html("<pre style='white-space:pre-wrap;max-height:40em'>{}</pre>", text)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("mail.change_inboundmessage"))

    @admin.action(description=_("Retry selected quarantined messages"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: Any) -> None:
        from .actions import retry_inbound

        done = failed = 0
        for row_id in queryset.filter(state=InboundMessage.State.QUARANTINED).values_list(
            "pk", flat=True
        ):
            row = retry_inbound(row_id)
            if row.state == InboundMessage.State.QUARANTINED:
                failed += 1
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%d message processed.", "%d messages processed.", done) % done,
        )
        if failed:
            self.message_user(
                request,
                ngettext(
                    "%d message failed again; see its error.",
                    "%d messages failed again; see their errors.",
                    failed,
                )
                % failed,
                level=messages.WARNING,
            )


class TestMessageForm(forms.Form):
    raw = forms.CharField(
        label=_("Raw message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100, "spellcheck": "false"}),
        help_text=_(
            'Paste the full message source with headers ("Show original" in most mail apps).'
        ),
    )
    file = forms.FileField(label=_("or an .eml file"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("raw") and not data.get("file"):
            raise forms.ValidationError(_("Paste a message or choose a file."))
        return data


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "order",
            "enabled",
            "subject_keywords",
            "body_keywords",
            "senders",
            "recipients",
            "team",
            "service",
            "ticket_type",
            "impact",
            "urgency",
            "tags",
        ]
        help_texts = {
            "tags": _(
                "Comma-separated. New tickets from matching mail get these tags; "
                "unknown names become new tags."
            )
        }

    def clean_tags(self) -> str:
        """The same names the ticket will get, so a typo shows here and not in the intake."""
        from django.core.exceptions import ValidationError

        from okno.tags.actions import clean_names

        try:
            names = clean_names(self.cleaned_data.get("tags") or "")
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict.get("tags", exc.messages)) from exc
        value = ", ".join(names)
        if len(value) > RoutingRule._meta.get_field("tags").max_length:
            raise forms.ValidationError(_("Too many tags for one rule."))
        return value


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = [
        "order",
        "name",
        "enabled",
        "team",
        "service",
        "ticket_type",
        "impact",
        "urgency",
    ]
    list_display_links = ["name"]
    list_editable = ["order", "enabled"]
    list_filter = ["enabled", "team", "service"]
    change_list_template = "admin/mail/routingrule/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "order", "enabled"]}),
        (
            _("When (all filled-in conditions must match)"),
            {"fields": ["subject_keywords", "body_keywords", "senders", "recipients"]},
        ),
        (
            _("Then set"),
            {"fields": ["team", "service", "ticket_type", "impact", "urgency", "tags"]},
        ),
    ]

    def get_urls(self) -> list[Any]:
        return [
            path(
                "test/",
                self.admin_site.admin_view(self.test_message_view),
                name="mail_routingrule_test",
            ),
            *super().get_urls(),
        ]

    def test_message_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = TestMessageForm(request.POST or None, request.FILES or None)
        result: dict[str, Any] = {}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data.get("file")
            raw = upload.read() if upload else form.cleaned_data["raw"].encode("utf-8")
            msg = parse_message(raw)
            rules = list(RoutingRule.objects.select_related("team", "service"))
            checks = [routing.check_rule(rule, msg) for rule in rules]
            winner = next((c.rule for c in checks if c.matched and c.rule.enabled), None)
            result = {"msg": msg, "checks": checks, "winner": winner}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Test routing rules against a message"),
            "form": form,
            "changelist_url": reverse("admin:mail_routingrule_changelist"),
            **result,
        }
        return TemplateResponse(request, "admin/mail/routingrule/test_message.html", context)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "to", "state", "attempts", "ticket", "error"]
    list_filter = ["state", "template"]
    search_fields = ["to", "subject", "message_id"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send selected failed emails again"))
    def send_again(self, request: HttpRequest, queryset: Any) -> None:
        from .tasks import send_outbound_email

        count = 0
        for email in queryset.filter(state=OutboundEmail.State.FAILED):
            send_outbound_email.enqueue(email_id=email.pk)
            count += 1
        self.message_user(request, ngettext("%d email queued.", "%d emails queued.", count) % count)
