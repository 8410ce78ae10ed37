"""CSAT: signed one-click links, one rating per resolution, a report of SQL aggregates."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from okno.csat.actions import rate_ticket
from okno.csat.links import make_token, rating_path, rating_url, read_token
from okno.csat.models import Rating
from okno.tickets import actions
from okno.tickets.models import StatusCategory
from tests.conftest import make_user


def resolve(ticket, agent):
    return actions.change_status(
        ticket, actor=agent, status=actions.default_status(StatusCategory.RESOLVED)
    )


@pytest.fixture
def resolved(ticket, agent):
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    return resolve(ticket, agent)


def test_link_round_trips_and_refuses_tampering(resolved, settings):
    settings.BASE_URL = "https://desk.example"
    token = make_token(resolved)
    assert read_token(token) == (resolved.pk, 0)
    link = rating_url(resolved)
    assert link.startswith("https://desk.example/csat/rate/")
    assert read_token(link.rstrip("/").rsplit("/", 1)[1]) == (resolved.pk, 0)
    with pytest.raises(signing.BadSignature):
        read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_link_expires(resolved, settings, client, requester):
    settings.CSAT_LINK_DAYS = 2
    path = rating_path(resolved)
    client.force_login(requester)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_email_template_tag_gives_the_absolute_link(resolved):
    out = Template("{% load csat %}{% csat_rating_url ticket %}").render(
        Context({"ticket": resolved})
    )
    assert out.startswith("http") and "/csat/rate/" in out


def test_requester_rates_from_the_link(client, requester, resolved, agent, l1, service):
    client.force_login(requester)
    path = rating_path(resolved)
    page = client.get(path, {"score": "4"})
    assert page.status_code == 200
    assert page.context["form"].initial["score"] == 4
    assert not Rating.objects.exists()  # GET never records (mail scanners open links)
    response = client.post(path, {"score": "5", "comment": "Fast, thanks"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.agent, rating.team, rating.service) == (
        5,
        "Fast, thanks",
        agent,
        l1,
        service,
    )
    event = resolved.events.get(kind="rated")
    assert (event.actor, event.new, event.data["resolution"]) == (requester, 5, 0)


def test_rating_again_changes_the_same_resolutions_rating(requester, resolved):
    rate_ticket(resolved, actor=requester, score=2)
    rate_ticket(resolved, actor=requester, score=4, comment="better after all")
    assert Rating.objects.get().score == 4
    assert resolved.events.filter(kind="rated").count() == 2


def test_each_resolution_is_rated_separately(requester, agent, resolved):
    rate_ticket(resolved, actor=requester, score=2)
    old_path = rating_path(resolved)
    actions.reopen_ticket(resolved, actor=requester, reason="again")
    resolved.refresh_from_db()
    resolve(resolved, agent)
    resolved.refresh_from_db()
    rate_ticket(resolved, actor=requester, score=5)
    assert sorted(Rating.objects.values_list("reopen_count", "score")) == [(0, 2), (1, 5)]
    with pytest.raises(Exception, match="earlier resolution"):
        rate_ticket(resolved, actor=requester, score=1, reopen_count=0)
    assert read_token(old_path.rstrip("/").rsplit("/", 1)[1]) == (resolved.pk, 0)


@pytest.mark.parametrize("score", [0, 6, "5", None, True])
def test_bad_scores_are_refused(requester, resolved, score):
    with pytest.raises(Exception) as exc:
        rate_ticket(resolved, actor=requester, score=score)
    assert "score" in exc.value.message_dict
    assert not Rating.objects.exists()


def test_bad_post_is_a_field_error(client, requester, resolved):
    client.force_login(requester)
    response = client.post(rating_path(resolved), {"score": "9", "comment": ""})
    assert response.status_code == 400
    assert "score" in response.context["form"].errors
    assert not Rating.objects.exists()


def test_only_the_requester_rates_and_only_when_resolved(
    client, requester, colleague, outsider, agent, ticket, acme
):
    path = rating_path(ticket)
    client.force_login(requester)
    response = client.post(path, {"score": "5"})
    assert response.status_code == 400  # still open
    assert "once it is resolved" in response.content.decode()
    resolve(ticket, agent)
    acme.shared_tickets = True
    acme.save()
    colleague.sees_organization_tickets = True
    colleague.save()
    client.force_login(colleague)
    assert client.post(path, {"score": "1"}).status_code == 403
    client.force_login(outsider)
    assert client.post(path, {"score": "1"}).status_code == 404
    assert client.get(reverse("csat:rate", args=["not-a-token"])).status_code == 404
    assert not Rating.objects.exists()


def test_portal_ticket_page_offers_the_rating(client, requester, resolved):
    client.force_login(requester)
    body = client.get(reverse("portal:ticket", args=[resolved.pk])).content.decode()
    assert "How did we do?" in body and rating_path(resolved) in body
    rate_ticket(resolved, actor=requester, score=3)
    body = client.get(reverse("portal:ticket", args=[resolved.pk])).content.decode()
    assert "You rated this 3 of 5" in body


def _rated(requester, agent, service, score, title="t"):
    t = actions.open_ticket(actor=requester, title=title, description="d", service=service)
    actions.assign_ticket(t, actor=agent, assignee=agent)
    resolve(t, agent)
    return rate_ticket(t, actor=requester, score=score, comment=f"comment {score}")


def test_report_aggregates_by_agent_team_and_service(
    client, requester, agent, lead, specialist, service, l1, django_assert_max_num_queries
):
    for score in (5, 4, 2):
        _rated(requester, agent, service, score)
    _rated(requester, lead, service, 1)
    client.force_login(lead)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("csat:report"))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["count"], totals["satisfied"], totals["csat"]) == (4, 2, 50.0)
    assert response.context["resolved"] == 4 and response.context["response_rate"] == 100.0
    rows = {r["label"]: (r["count"], round(r["average"], 2)) for r in response.context["rows"]}
    assert rows == {"Alice Agent": (3, 3.67), "Leo Lead": (1, 1.0)}
    teams = client.get(reverse("csat:report"), {"group": "team"}).context["rows"]
    assert [(r["label"], r["count"]) for r in teams] == [(l1.name, 4)]
    services = client.get(reverse("csat:report"), {"group": "service"}).context["rows"]
    assert [(r["label"], r["count"]) for r in services] == [(service.name, 4)]
    assert "comment 5" in response.content.decode()
    # Sam (L2) sees none of L1's ratings; requesters see no report at all.
    client.force_login(specialist)
    assert client.get(reverse("csat:report")).context["totals"]["count"] == 0
    client.force_login(requester)
    assert client.get(reverse("csat:report")).status_code == 403


def test_report_period_is_in_the_viewers_zone_and_validated(client, requester, agent, service):
    _rated(requester, agent, service, 5)
    client.force_login(agent)
    today = timezone.localdate()
    ok = client.get(reverse("csat:report"), {"start": today, "end": today})
    assert ok.context["totals"]["count"] == 1
    earlier = client.get(
        reverse("csat:report"),
        {"start": today - timedelta(days=9), "end": today - timedelta(days=2)},
    )
    assert earlier.context["totals"]["count"] == 0
    bad = client.get(reverse("csat:report"), {"start": today, "end": today - timedelta(days=1)})
    assert bad.status_code == 400 and "start" in bad.context["form"].errors


def test_report_rows_are_one_query_whatever_the_volume(
    requester, agent, service, django_assert_num_queries
):
    from okno.csat import queries

    for score in (1, 2, 3, 4, 5, 5):
        _rated(requester, agent, service, score)
    ratings = queries.visible_ratings(agent)
    with django_assert_num_queries(1):
        queries.by_group(ratings, "agent")
    with django_assert_num_queries(1):
        queries.summary(ratings)


def test_manager_sees_every_teams_ratings(client, requester, agent, service):
    manager = make_user("mia@okno.test", "manager", name="Mia Manager")
    _rated(requester, agent, service, 4)
    client.force_login(manager)
    assert client.get(reverse("csat:report")).context["totals"]["count"] == 1


def test_admin_lists_ratings(client, admin, requester, resolved):
    rate_ticket(resolved, actor=requester, score=5)
    client.force_login(admin)
    assert client.get(reverse("admin:csat_rating_changelist")).status_code == 200
