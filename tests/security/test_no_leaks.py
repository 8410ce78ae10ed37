"""Walk every URL route and every API operation as a requester of another organization.

Nothing about Acme's ticket may reach Globex's Olga: every ticket-scoped route answers 404 or
403 (or sends her elsewhere), no response body contains the ticket's secret words, and no
write changes the ticket. Routes are discovered from the URL resolver and the OpenAPI schema,
so a new route is walked automatically; it must also be listed in ``ROUTES``/``OPERATIONS``
with what it is, so that adding one is a conscious decision reviewed here.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from okno.accounts.models import ApiToken
from okno.tags.actions import add_tags
from okno.tickets import actions
from okno.tickets.attachments import NewAttachment

SECRET = "Zanzibar-7781"

# name -> why Olga gets no ticket data from it
ROUTES = {
    "home": "redirect by role",
    "health": "no ticket data",
    "login": "no ticket data",
    "logout": "no ticket data",
    "profile": "own profile only",
    "set_language": "no ticket data",
    "attachment": "scoped by get_ticket_for",
    "desk:*": "agents only",
    "desk:ticket_tags": "scoped by get_ticket_for, then agents of the ticket (can_work_on)",
    "desk:tag_suggest": "agents only; tag names, no ticket data",
    "portal:home": "own data only",
    "portal:new": "own data only",
    "portal:tickets": "scoped by visible_tickets",
    "portal:ticket": "scoped by get_ticket_for",
    "portal:*": "scoped by get_ticket_for",
    "redbutton:*": "own devices only (filtered by owner, else 404); statistics for agents only",
    "kb:*": "articles scoped by kb.queries.visible_articles; editor and reply tools agents only",
    "search:search": "scoped by visible_tickets (notes: can_work_on) and visible_articles",
    "sla:explain": "agents only (403 for requesters), then scoped by get_ticket_for",
    "sla:*": "calendars and compliance report for managers/admins, SLA document for agents; "
    "requesters get 403",
    "csat:rate": "signed token (bad or foreign: 404) and get_ticket_for; requester only",
    "csat:report": "agents only; ratings scoped to their teams (managers: all)",
    "reports:*": "agents only (403 for requesters); rollup figures scoped to their teams "
    "(managers: all); no ticket content",
    "notifications:*": "own notifications/reminders only (filtered by user, else 404); ticket "
    "forms scoped by get_ticket_for and agents only",
    "api:*": "walked through the OpenAPI schema below",
    "admin:*": "staff only",
    "widget:script": "static script, no data",
    "widget:config": "widget settings only (honeypot name, limits), no ticket data",
    "widget:submit": "creates tickets, answers only with the new ticket's number",
    "telegram:webhook": "needs the bot's secret token; answers only ok/outcome",
    "<unnamed>": "redirects and static helpers",
}


def iter_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from iter_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = entry.name or "<unnamed>"
            full = f"{namespace}:{name}" if namespace and entry.name else name
            yield full, prefix + str(entry.pattern)


def route_kind(name: str) -> str | None:
    if name in ROUTES:
        return ROUTES[name]
    namespace = name.split(":", 1)[0] + ":*"
    return ROUTES.get(namespace) if ":" in name else None


def concrete_path(pattern: str, ids: dict[str, object]) -> str:
    path = pattern.lstrip("^").rstrip("$").replace("\\Z", "")
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(ids.get(m.group(2), ids["pk"])), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(ids.get(m.group(1), ids["pk"])), path)
    return "/" + path


@pytest.fixture
def secret_ticket(requester, agent, service):
    ticket = actions.open_ticket(
        actor=requester,
        title=f"Payroll export {SECRET}",
        description=f"The {SECRET} report fails",
        service=service,
        attachments=[NewAttachment("payroll.txt", f"salary {SECRET}".encode())],
    )
    actions.add_note(ticket, actor=agent, body=f"note {SECRET}")
    add_tags(ticket, [f"tag {SECRET}"], actor=agent)  # tag names are agent-only too
    return ticket


def assert_no_leak(response, ticket, what):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert SECRET.encode() not in body, f"{what} leaked ticket data"
    location = response.headers.get("Location", "")
    assert str(ticket.pk) not in location or "login" in location, f"{what} redirected into it"


def test_every_url_route_is_listed():
    unlisted = sorted({name for name, _ in iter_patterns() if route_kind(name) is None})
    assert not unlisted, f"New routes: say in ROUTES why they leak nothing: {unlisted}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_nothing_from_any_route(client, outsider, secret_ticket, method):
    client.force_login(outsider)
    attachment = secret_ticket.attachments.get()
    ids = {
        "pk": secret_ticket.pk,
        "ticket_id": secret_ticket.pk,
        "id": secret_ticket.pk,
        "number": secret_ticket.pk,
        "filename": attachment.filename,
        "path": "x",
    }
    ids_for_attachment = {**ids, "pk": attachment.pk}
    events_before = secret_ticket.events.count()
    walked = 0
    for name, pattern in iter_patterns():
        if name.startswith("api:") or pattern.startswith("api/") or name.startswith("admin:"):
            continue
        path = concrete_path(pattern, ids_for_attachment if name == "attachment" else ids)
        response = getattr(client, method)(path)
        assert response.status_code in {200, 302, 400, 403, 404, 405}, (path, response.status_code)
        assert_no_leak(response, secret_ticket, f"{method.upper()} {path}")
        walked += 1
    assert walked >= 5
    assert secret_ticket.events.count() == events_before


def test_admin_is_closed_to_requesters(client, outsider, secret_ticket):
    client.force_login(outsider)
    response = client.get(f"/admin/tickets/ticket/{secret_ticket.pk}/change/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def api_operations():
    from okno.api.api import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation.get("operationId", f"{method} {path}")


def test_outsider_gets_nothing_from_any_api_operation(client, outsider, requester, secret_ticket):
    _token, raw = ApiToken.issue(outsider, "walk")
    victim_token, _raw = ApiToken.issue(requester, "victim")
    from okno.notifications.models import Notification

    victim_note = Notification.objects.create(
        user=requester, ticket=secret_ticket, kind="assigned", text=f"About {SECRET}"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    ids = {
        "ticket_id": secret_ticket.pk,
        "attachment_id": secret_ticket.attachments.get().pk,
        "organization_id": requester.organization_id,
        "user_id": requester.pk,
        "token_id": victim_token.pk,
        "alert_id": secret_ticket.pk,  # alerts are for agents only: Olga gets 403 on any id
        "notification_id": victim_note.pk,
    }
    events_before = secret_ticket.events.count()
    operations = list(api_operations())
    assert operations, "the API schema lists no operation"
    for method, path, operation_id in operations:
        params = re.findall(r"\{(\w+)\}", path)
        unknown = [p for p in params if p not in ids]
        assert not unknown, f"{operation_id}: teach this test what {unknown} points to"
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        body = (
            {"content_type": "application/json", "data": {}}
            if method in {"post", "patch", "put"}
            else {}
        )
        response = getattr(client, method)(url, **body, **auth)
        if params:  # scoped to someone else's object
            assert response.status_code in {400, 403, 404, 405}, (
                operation_id,
                url,
                response.status_code,
            )
        assert_no_leak(response, secret_ticket, f"{operation_id} {url}")
    assert secret_ticket.events.count() == events_before
    assert ApiToken.objects.filter(pk=victim_token.pk, revoked=False).exists()
    victim_note.refresh_from_db()
    assert victim_note.read_at is None
