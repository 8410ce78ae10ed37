"""Admin for webhook subscriptions (writes through ``automation.actions``) and the read-only
delivery log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import actions
from .models import WebhookDelivery, WebhookEvent, WebhookSubscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Event types"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "event_types", "enabled"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            try:
                actions.validate_subscription(
                    data.get("name", ""), data.get("url", ""), data.get("event_types", [])
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        return data


def _show_secret(request: HttpRequest, subscription: WebhookSubscription, secret: str) -> None:
    messages.warning(
        request,
        _("Signing secret of “%(name)s”, shown only now — store it in the receiver: %(secret)s")
        % {"name": subscription.name, "secret": secret},
    )


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "events", "enabled", "failure_count", "disabled_reason"]
    list_filter = ["enabled"]
    search_fields = ["name", "url"]
    readonly_fields = [
        "masked_secret",
        "failure_count",
        "disabled_at",
        "disabled_reason",
        "created_at",
        "delivery_log",
    ]
    actions = ["send_test_delivery", "enable", "disable", "rotate_secret"]

    @admin.display(description=gettext_lazy("Events"))
    def events(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.event_types or [])

    @admin.display(description=gettext_lazy("Signing secret"))
    def masked_secret(self, obj: WebhookSubscription) -> str:
        return obj.masked_secret or _("(generated when saved)")

    @admin.display(description=gettext_lazy("Deliveries"))
    def delivery_log(self, obj: WebhookSubscription) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:automation_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?subscription__id__exact={}">{}</a>', url, obj.pk, _("Delivery log")
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            current = WebhookSubscription.objects.get(pk=obj.pk)
            actions.update_subscription(
                current,
                actor=request.user,  # type: ignore[arg-type]
                name=data["name"],
                url=data["url"],
                event_types=data["event_types"],
                enabled=data["enabled"],
            )
            obj.refresh_from_db()
            return
        created, secret = actions.create_subscription(
            actor=request.user,  # type: ignore[arg-type]
            name=data["name"],
            url=data["url"],
            event_types=data["event_types"],
        )
        if not data["enabled"]:
            actions.disable_subscription(created, actor=request.user)  # type: ignore[arg-type]
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db
        obj.refresh_from_db()
        _show_secret(request, created, secret)

    @admin.action(description=gettext_lazy("Send a test delivery"))
    def send_test_delivery(self, request: HttpRequest, queryset: QuerySet) -> None:
        for subscription in queryset:
            delivery = actions.send_test_delivery(subscription, actor=request.user)  # type: ignore[arg-type]
            if delivery.state == "succeeded":
                messages.success(
                    request,
                    _("%(name)s answered %(status)s in %(ms)s ms.")
                    % {
                        "name": subscription.name,
                        "status": delivery.status_code,
                        "ms": delivery.duration_ms,
                    },
                )
            else:
                messages.error(
                    request,
                    _("%(name)s failed: %(error)s")
                    % {"name": subscription.name, "error": delivery.error},
                )

    @admin.action(description=gettext_lazy("Enable (and reset the failure count)"))
    def enable(self, request: HttpRequest, queryset: QuerySet) -> None:
        for subscription in queryset:
            actions.enable_subscription(subscription, actor=request.user)  # type: ignore[arg-type]

    @admin.action(description=gettext_lazy("Disable"))
    def disable(self, request: HttpRequest, queryset: QuerySet) -> None:
        for subscription in queryset.filter(enabled=True):
            actions.disable_subscription(subscription, actor=request.user)  # type: ignore[arg-type]

    @admin.action(description=gettext_lazy("Generate a new signing secret"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet) -> None:
        for subscription in queryset:
            secret = actions.rotate_secret(subscription, actor=request.user)  # type: ignore[arg-type]
            _show_secret(request, subscription, secret)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every attempt with its answer. Read-only."""

    list_display = [
        "created_at",
        "subscription",
        "event",
        "ticket_id",
        "attempt",
        "state",
        "status_code",
        "duration_ms",
        "next_retry_at",
        "error",
    ]
    list_filter = ["state", "event", "subscription"]
    search_fields = ["delivery_id", "ticket_id"]
    list_select_related = ["subscription"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
