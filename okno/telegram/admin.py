"""Admin: bots (the token is write-only), "set webhook", and read-only chats and logs."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .botapi import BotApiError
from .models import Bot, Chat, InboundUpdate, OutboundMessage
from .outbound import client_for

ALLOWED_UPDATES = ["message", "edited_message"]


def webhook_url(bot: Bot) -> str:
    return settings.BASE_URL + reverse("telegram:webhook", args=[bot.pk])


class BotForm(forms.ModelForm):
    token = forms.CharField(
        label=_("token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "From @BotFather. Never shown again; leave empty to keep the stored one. Prefer the "
            "environment variable."
        ),
    )

    api_base_url = forms.URLField(
        label=_("Bot API base URL"),
        initial="https://api.telegram.org",
        assume_scheme="https",
        help_text=_("Change only for a self-hosted Bot API server."),
    )

    class Meta:
        model = Bot
        fields = ["name", "token_env", "token", "api_base_url", "service", "enabled"]

    def clean_token(self) -> str:
        value = self.cleaned_data.get("token", "").strip()
        if not value and self.instance.pk:
            return self.instance.token  # keep the stored token
        return value


@admin.register(Bot)
class BotAdmin(admin.ModelAdmin):
    form = BotForm
    list_display = ["name", "enabled", "token_configured", "api_base_url", "service"]
    readonly_fields = ["webhook"]
    actions = ["set_webhook"]

    @admin.display(boolean=True, description=_("token configured"))
    def token_configured(self, obj: Bot) -> bool:
        return obj.has_token

    @admin.display(description=_("webhook URL"))
    def webhook(self, obj: Bot) -> str:
        return webhook_url(obj) if obj.pk else "—"

    @admin.action(description=_("Set webhook (register this desk with Telegram)"))
    def set_webhook(self, request, queryset):
        for bot in queryset:
            try:
                client_for(bot).set_webhook(webhook_url(bot), bot.webhook_secret, ALLOWED_UPDATES)
            except BotApiError as exc:
                self.message_user(
                    request,
                    gettext("%(bot)s: Telegram refused the webhook: %(error)s")
                    % {"bot": bot, "error": exc.description},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(bot)s: webhook set to %(url)s")
                    % {"bot": bot, "url": webhook_url(bot)},
                    messages.SUCCESS,
                )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Chat)
class ChatAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "bot", "user", "ticket", "language", "updated_at"]
    list_filter = ["bot"]
    search_fields = ["username", "user__email", "user__full_name"]


@admin.register(InboundUpdate)
class InboundUpdateAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "bot", "update_id", "kind", "outcome", "chat", "ticket"]
    list_filter = ["bot", "kind", "outcome"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "chat", "key", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    exclude = ["text"]
