"""Filing presses: new ticket, second press, rate limits, duplicates, every press recorded."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from okno.redbutton import actions
from okno.redbutton.models import Device, Press
from okno.tickets.models import Channel, StatusCategory, Ticket
from tests.conftest import make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.REDBUTTON_MERGE_WINDOW_MINUTES = 30
    settings.REDBUTTON_DEVICE_RATE = "3/h"
    settings.REDBUTTON_USER_RATE = "5/h"


def test_register_device_returns_the_raw_token_once_and_stores_its_hash(requester):
    device, raw = actions.register_device(actor=requester, name="  Laptop ")
    assert raw.startswith(Device.PREFIX) and device.name == "Laptop"
    assert raw not in (device.token_hash, device.token_hint) and device.token_hint == raw[:10]
    assert device.organization == requester.organization


def test_only_agents_register_devices_for_somebody_else(requester, colleague, agent):
    with pytest.raises(ValidationError) as exc:
        actions.register_device(actor=colleague, name="x", owner=requester)
    assert "owner" in exc.value.message_dict
    device, _raw = actions.register_device(actor=agent, name="Rita's PC", owner=requester)
    assert device.owner == requester and device.created_by == agent


def test_a_press_opens_an_incident_with_the_diagnostics_attached(requester, device, diagnostics):
    result = actions.file_report(
        user=requester,
        device=device,
        diagnostics=diagnostics,
        comment="Outlook hangs",
        report_id="r1",
    )
    ticket = result.ticket
    assert result.created and not result.merged
    assert ticket.channel == Channel.REDBUTTON and ticket.requester == requester
    assert ticket.title == "Red Button: Outlook hangs"
    description = ticket.articles.get().body_text
    assert "Outlook hangs" in description and "- Host: rita-pc" in description
    stored = json.loads(result.press.attachment.file.read())
    assert stored["diagnostics"]["host"]["hostname"] == "rita-pc"
    assert stored["comment"] == "Outlook hangs" and stored["device"] == "Rita's PC"
    assert result.press.attachment.content_type == "application/json"
    assert str(ticket.pk) in result.message


def test_second_press_within_the_window_adds_to_the_open_ticket(requester, device, diagnostics):
    first = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    with time_machine.travel(first.press.created_at.timestamp() + 20 * 60):
        second = actions.file_report(
            user=requester, device=device, diagnostics=diagnostics, comment="again"
        )
    assert second.merged and not second.created and second.ticket == first.ticket
    reply = first.ticket.articles.order_by("-id").first()
    assert reply.channel == Channel.REDBUTTON and "again" in reply.body_text
    assert reply.attachments.filter(content_type="application/json").count() == 1
    assert Press.objects.filter(ticket=first.ticket).count() == 2


def test_a_press_after_the_window_opens_a_new_ticket(requester, device, diagnostics):
    first = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    with time_machine.travel(first.press.created_at.timestamp() + 31 * 60):
        second = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    assert second.created and second.ticket != first.ticket


def test_a_press_after_the_ticket_was_resolved_opens_a_new_one(
    requester, device, diagnostics, agent
):
    from okno.tickets.actions import change_status, default_status

    first = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    first.ticket.assignee = None
    change_status(
        first.ticket,
        actor=make_user("mgr@okno.test", "manager"),
        status=default_status(StatusCategory.RESOLVED),
    )
    second = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    assert second.created and second.ticket != first.ticket


def test_merge_window_zero_turns_the_rule_off(settings, requester, device, diagnostics):
    settings.REDBUTTON_MERGE_WINDOW_MINUTES = 0
    first = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    second = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    assert second.created and second.ticket != first.ticket


def test_device_rate_limit_refuses_and_records_the_press(requester, device, diagnostics):
    results = [
        actions.file_report(user=requester, device=device, diagnostics=diagnostics)
        for _ in range(4)
    ]
    refused = results[-1]
    assert [r.throttled for r in results] == [False, False, False, True]
    assert refused.retry_after > 3000 and refused.ticket == results[0].ticket
    assert f"#{results[0].ticket.pk}" in refused.message and "too often" in refused.message
    assert Press.objects.filter(user=requester).count() == 4
    assert Press.objects.filter(throttled=True).count() == 1
    # the refused press filed nothing: still one ticket with three articles
    assert results[0].ticket.articles.count() == 3


def test_the_limit_frees_up_as_time_passes(requester, device, diagnostics):
    first = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    for _ in range(3):
        actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    with time_machine.travel(first.press.created_at.timestamp() + 3601):
        later = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    assert not later.throttled


def test_user_rate_limit_spans_devices(requester, diagnostics, settings):
    settings.REDBUTTON_DEVICE_RATE = ""
    settings.REDBUTTON_USER_RATE = "2/h"
    one, _ = actions.register_device(actor=requester, name="one")
    two, _ = actions.register_device(actor=requester, name="two")
    assert not actions.file_report(user=requester, device=one, diagnostics=diagnostics).throttled
    assert not actions.file_report(user=requester, device=two, diagnostics=diagnostics).throttled
    third = actions.file_report(user=requester, device=two, diagnostics=diagnostics)
    assert (
        third.throttled and "call the service desk" not in third.message
    )  # there is an open ticket


def test_the_same_report_sent_twice_files_once(requester, device, diagnostics):
    first = actions.file_report(
        user=requester, device=device, diagnostics=diagnostics, report_id="abc-1"
    )
    again = actions.file_report(
        user=requester, device=device, diagnostics=diagnostics, report_id="abc-1"
    )
    assert again.duplicate and again.ticket == first.ticket
    assert Press.objects.count() == 1 and first.ticket.articles.count() == 1


def test_a_refused_report_may_be_resent_later(requester, device, diagnostics, settings):
    settings.REDBUTTON_DEVICE_RATE = "1/h"
    actions.file_report(user=requester, device=device, diagnostics=diagnostics, report_id="a")
    refused = actions.file_report(
        user=requester, device=device, diagnostics=diagnostics, report_id="b"
    )
    assert refused.throttled and refused.press.report_id == ""


def test_screenshot_is_attached_next_to_the_json(requester, device, diagnostics):
    result = actions.file_report(
        user=requester, device=device, diagnostics=diagnostics, screenshot=PNG
    )
    names = sorted(a.content_type for a in result.ticket.attachments.all())
    assert names == ["application/json", "image/png"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"diagnostics": ["not", "an", "object"]}, "diagnostics"),
        ({"diagnostics": {"a": [[[[[[[[[[1]]]]]]]]]]}}, "diagnostics"),
        ({"comment": "x" * 4001}, "comment"),
        ({"report_id": "../../etc/passwd"}, "report_id"),
        ({"screenshot": b"<script>alert(1)</script>"}, "screenshot"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(
    requester, device, diagnostics, kwargs, field
):
    args = {"user": requester, "device": device, "diagnostics": diagnostics, **kwargs}
    with pytest.raises(ValidationError) as exc:
        actions.file_report(**args)
    assert field in exc.value.message_dict
    assert not Press.objects.exists()
    assert not Ticket.objects.filter(requester=requester).exists()


def test_oversized_diagnostics_are_refused(settings, requester, device):
    settings.REDBUTTON_MAX_REPORT_KB = 1
    with pytest.raises(ValidationError) as exc:
        actions.file_report(
            user=requester, device=device, diagnostics={"logs": {"lines": ["x" * 2000]}}
        )
    assert "diagnostics" in exc.value.message_dict


def test_a_disabled_device_or_someone_elses_device_cannot_file(
    requester, colleague, device, diagnostics
):
    with pytest.raises(PermissionDenied):
        actions.file_report(user=colleague, device=device, diagnostics=diagnostics)
    actions.set_device_enabled(device, actor=requester, enabled=False)
    with pytest.raises(PermissionDenied):
        actions.file_report(user=requester, device=device, diagnostics=diagnostics)


def test_only_the_owner_or_a_manager_disables_a_device(device, colleague):
    with pytest.raises(PermissionDenied):
        actions.set_device_enabled(device, actor=colleague, enabled=False)
    manager = make_user("boss@okno.test", "manager")
    actions.set_device_enabled(device, actor=manager, enabled=False)
    device.refresh_from_db()
    assert not device.enabled
