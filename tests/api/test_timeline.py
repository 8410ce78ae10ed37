"""Articles, events and files: internal notes never reach requesters."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from okno.tickets import actions
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import Article, Attachment

from .conftest import error_of

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def add_secret_note(ticket, agent):
    return actions.add_note(
        ticket,
        actor=agent,
        body="Password of the printer admin is hunter2",
        attachments=[NewAttachment("secret.txt", b"internal only")],
        time_spent_minutes=15,
    )


# --- articles ----------------------------------------------------------------------------------
def test_agent_sees_replies_and_notes(api, agent, ticket):
    add_secret_note(ticket, agent)
    items = api(agent).json_list(f"/tickets/{ticket.pk}/articles")
    assert [a["kind"] for a in items] == ["reply", "note"]
    assert items[1]["time_spent_minutes"] == 15
    assert items[1]["attachments"][0]["filename"] == "secret.txt"


def test_requester_never_sees_notes(api, agent, requester, ticket):
    add_secret_note(ticket, agent)
    actions.add_reply(ticket, actor=agent, body="On my way", time_spent_minutes=5)
    response = api(requester).get(f"/tickets/{ticket.pk}/articles")
    assert "hunter2" not in response.content.decode()
    items = response.json()["items"]
    assert [a["kind"] for a in items] == ["reply", "reply"]
    assert items[1]["time_spent_minutes"] is None


def test_articles_list_has_no_n_plus_one(api, agent, ticket, django_assert_max_num_queries):
    for n in range(8):
        actions.add_reply(
            ticket, actor=agent, body=f"Reply {n}", attachments=[NewAttachment(f"{n}.txt", b"x")]
        )
    client = api(agent)
    client.get(f"/tickets/{ticket.pk}/articles")
    with django_assert_max_num_queries(8):
        response = client.get(f"/tickets/{ticket.pk}/articles")
    assert len(response.json()["items"]) == 9


def test_requester_replies(api, requester, ticket):
    response = api(requester).post(f"/tickets/{ticket.pk}/articles", {"body": "Still jams"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["channel"], body["body_text"]) == ("reply", "api", "Still jams")
    assert body["author"]["id"] == requester.pk


def test_agent_replies_with_status_and_time(api, agent, ticket):
    response = api(agent).post(
        f"/tickets/{ticket.pk}/articles",
        {"body": "Replaced the roller", "status": "resolved", "time_spent_minutes": 20},
    )
    assert response.status_code == 201
    assert response.json()["time_spent_minutes"] == 20
    ticket.refresh_from_db()
    assert ticket.status.key == "resolved"
    assert ticket.first_response_at is not None


def test_agent_adds_note_and_sets_status(api, agent, ticket):
    response = api(agent).post(
        f"/tickets/{ticket.pk}/articles",
        {"kind": "note", "body": "Ordered a roller", "status": "waiting_third_party"},
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    ticket.refresh_from_db()
    assert ticket.status.key == "waiting_third_party"


def test_requester_cannot_add_note(api, requester, ticket):
    response = api(requester).post(
        f"/tickets/{ticket.pk}/articles", {"kind": "note", "body": "sneaky"}
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert ticket.articles.count() == 1


def test_requester_cannot_set_status_with_reply(api, requester, ticket):
    response = api(requester).post(
        f"/tickets/{ticket.pk}/articles", {"body": "done?", "status": "closed"}
    )
    assert response.status_code == 403
    assert ticket.articles.count() == 1


def test_bad_articles_are_400_and_save_nothing(api, agent, ticket):
    client = api(agent)
    cases = [
        ({"body": "   "}, {"body"}),
        ({"kind": "memo", "body": "x"}, {"kind"}),
        ({"body": "x", "time_spent_minutes": -5}, {"time_spent_minutes"}),
        ({"body": "x", "status": "sleeping"}, {"status"}),
        ({}, {"body"}),
    ]
    for data, fields in cases:
        response = client.post(f"/tickets/{ticket.pk}/articles", data)
        assert response.status_code == 400, data
        assert set(error_of(response)["fields"]) == fields, data
    assert ticket.articles.count() == 1


def test_note_with_forbidden_status_rolls_back_the_note(api, agent, ticket):
    response = api(agent).post(
        f"/tickets/{ticket.pk}/articles", {"kind": "note", "body": "x", "status": "merged"}
    )
    assert response.status_code == 400
    assert not Article.objects.filter(kind="note").exists()


# --- events ------------------------------------------------------------------------------------
def test_agent_reads_history(api, agent, ticket):
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    items = api(agent).json_list(f"/tickets/{ticket.pk}/events")
    kinds = [e["kind"] for e in items]
    assert kinds[0] == "created"
    assert "assigned" in kinds
    assigned = next(e for e in items if e["kind"] == "assigned")
    assert assigned["actor"]["id"] == agent.pk
    assert assigned["new"] == agent.pk


def test_requester_may_not_read_history(api, requester, ticket):
    response = api(requester).get(f"/tickets/{ticket.pk}/events")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


# --- attachments -------------------------------------------------------------------------------
def test_requester_uploads_file_as_reply(api, requester, ticket):
    response = api(requester).upload(
        f"/tickets/{ticket.pk}/attachments",
        {"file": SimpleUploadedFile("jam.png", PNG, content_type="text/html"), "body": "Photo"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png"  # sniffed, never trusted from the client
    assert body["url"] == f"/api/v1/attachments/{body['id']}"
    article = Article.objects.get(pk=body["article_id"])
    assert (article.kind, article.body_text) == ("reply", "Photo")


def test_agent_uploads_file_to_internal_note(api, agent, requester, ticket):
    response = api(agent).upload(
        f"/tickets/{ticket.pk}/attachments",
        {"file": SimpleUploadedFile("config.txt", b"secret config"), "note": "true"},
    )
    assert response.status_code == 201, response.content
    attachment_id = response.json()["id"]
    assert Attachment.objects.get(pk=attachment_id).article.kind == "note"

    as_requester = api(requester)
    assert as_requester.json_list(f"/tickets/{ticket.pk}/attachments") == []
    hidden = as_requester.get(f"/attachments/{attachment_id}")
    assert hidden.status_code == 404
    assert error_of(hidden)["code"] == "not_found"
    assert [a["id"] for a in api(agent).json_list(f"/tickets/{ticket.pk}/attachments")] == [
        attachment_id
    ]


def test_requester_cannot_upload_to_note(api, requester, ticket):
    response = api(requester).upload(
        f"/tickets/{ticket.pk}/attachments",
        {"file": SimpleUploadedFile("a.txt", b"x"), "note": "true"},
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_empty_file_is_400(api, requester, ticket):
    response = api(requester).upload(
        f"/tickets/{ticket.pk}/attachments", {"file": SimpleUploadedFile("empty.txt", b"")}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert set(error["fields"]) == {"file"}
    assert "empty" in error["message"]
    assert ticket.articles.count() == 1


def test_oversized_file_is_413(api, requester, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    response = api(requester).upload(
        f"/tickets/{ticket.pk}/attachments", {"file": SimpleUploadedFile("big.txt", b"x" * 11)}
    )
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "too_large"
    assert set(error["fields"]) == {"file"}
    assert not Attachment.objects.exists()


def test_missing_file_field_is_400(api, requester, ticket):
    response = api(requester).upload(f"/tickets/{ticket.pk}/attachments", {"body": "no file"})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"file"}


def test_download_uses_safe_headers(api, requester, ticket):
    client = api(requester)
    created = client.upload(
        f"/tickets/{ticket.pk}/attachments",
        {"file": SimpleUploadedFile("notes.txt", b"plain words")},
    ).json()
    response = client.get(created["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"plain words"
    assert response["Content-Type"] == "text/plain"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")


def test_download_of_other_organizations_file_is_404(api, outsider, requester, ticket):
    created = api(requester).upload(
        f"/tickets/{ticket.pk}/attachments", {"file": SimpleUploadedFile("a.txt", b"mine")}
    )
    response = api(outsider).get(created.json()["url"])
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert api(outsider).get("/attachments/999999").status_code == 404
