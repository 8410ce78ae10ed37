import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from okno.accounts.actions import get_or_create_requester


def test_new_requester_joins_organization_by_domain(agent, acme):
    user = get_or_create_requester("New.Person@ACME.test", actor=agent, name="New Person")
    assert user.email == "new.person@acme.test"
    assert user.organization == acme and not user.has_usable_password()
    assert get_or_create_requester("new.person@acme.test", actor=None) == user


def test_requesters_cannot_create_people(requester):
    with pytest.raises(PermissionDenied):
        get_or_create_requester("x@y.test", actor=requester)


def test_bad_email_is_a_field_error(agent):
    with pytest.raises(ValidationError) as exc:
        get_or_create_requester("not-an-email", actor=agent)
    assert "requester" in exc.value.message_dict


def test_unknown_domain_has_no_organization(agent, acme):
    assert get_or_create_requester("a@elsewhere.test", actor=None).organization is None


def test_language_switch_is_kept_in_the_profile(client, requester):
    client.force_login(requester)
    response = client.post("/i18n/setlang/", {"language": "uk", "next": "/portal/"})
    assert response.status_code == 302
    requester.refresh_from_db()
    assert requester.language == "uk"
    page = client.get("/portal/")
    assert page.headers["Content-Language"] == "uk"
