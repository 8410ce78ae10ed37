"""Request forms defined in the admin become Django forms; answers land in custom_fields."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from okno.catalog.forms import CustomFieldsForm, active_form, answer_rows, people_for
from okno.catalog.models import FieldKind, FormField, RequestForm


@pytest.fixture
def laptop_form(service):
    form = RequestForm.objects.create(
        service=service, guidance="Tell us the asset tag on the bottom of the laptop."
    )
    specs = [
        ("asset", "Asset tag", FieldKind.TEXT, True, ""),
        ("count", "How many?", FieldKind.NUMBER, False, ""),
        ("needed", "Needed by", FieldKind.DATE, False, ""),
        ("os", "Operating system", FieldKind.CHOICE, True, "Windows\nLinux\nmacOS"),
        ("extras", "Extras", FieldKind.MULTI_CHOICE, False, "Mouse\nDock\nBag"),
        ("for_whom", "For whom", FieldKind.USER, False, ""),
        ("quote", "Quote", FieldKind.FILE, False, ""),
    ]
    for order, (key, label, kind, required, choices) in enumerate(specs):
        FormField.objects.create(
            form=form,
            key=key,
            label=label,
            kind=kind,
            required=required,
            choices=choices,
            order=order,
            help_text=f"help for {key}",
        )
    return form


def test_the_definition_becomes_fields_in_order_with_help(laptop_form, requester):
    form = CustomFieldsForm(active_form(laptop_form.service), actor=requester)
    assert list(form.fields) == ["asset", "count", "needed", "os", "extras", "for_whom", "quote"]
    assert form.fields["asset"].required and not form.fields["count"].required
    assert form.fields["os"].help_text == "help for os"
    assert form.guidance.startswith("Tell us the asset tag")
    assert form.has_files


def test_valid_answers_become_json_and_files(laptop_form, requester, colleague):
    form = CustomFieldsForm(
        laptop_form,
        {
            "cf-asset": " A-1234 ",
            "cf-count": "2",
            "cf-needed": "2026-12-01",
            "cf-os": "Linux",
            "cf-extras": ["Mouse", "Dock"],
            "cf-for_whom": str(colleague.pk),
        },
        {"cf-quote": SimpleUploadedFile("quote.pdf", b"%PDF-1.4 quote")},
        actor=requester,
    )
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers.custom_fields == {
        "asset": "A-1234",
        "count": 2,
        "needed": "2026-12-01",
        "os": "Linux",
        "extras": ["Mouse", "Dock"],
        "for_whom": "carl@acme.test",
        "quote": "quote.pdf",
    }
    assert [f.filename for f in answers.files] == ["quote.pdf"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"cf-os": "Linux"}, "asset"),  # required text missing
        ({"cf-asset": "x"}, "os"),  # required choice missing
        ({"cf-asset": "x", "cf-os": "BeOS"}, "os"),  # not an option
        ({"cf-asset": "x", "cf-os": "Linux", "cf-count": "many"}, "count"),
        ({"cf-asset": "x", "cf-os": "Linux", "cf-needed": "31.31.2026"}, "needed"),
        ({"cf-asset": "x", "cf-os": "Linux", "cf-extras": ["Pony"]}, "extras"),
    ],
)
def test_bad_answers_are_field_errors(laptop_form, requester, data, field):
    form = CustomFieldsForm(laptop_form, data, actor=requester)
    assert not form.is_valid()
    assert field in form.errors


def test_a_requester_can_only_name_people_of_their_organization(
    laptop_form, requester, colleague, outsider, agent
):
    assert set(people_for(requester)) == {requester, colleague}
    form = CustomFieldsForm(
        laptop_form,
        {"cf-asset": "x", "cf-os": "Linux", "cf-for_whom": str(outsider.pk)},
        actor=requester,
    )
    assert not form.is_valid() and "for_whom" in form.errors
    assert outsider in people_for(agent)


def test_choice_fields_need_options_and_others_refuse_them(laptop_form):
    with pytest.raises(ValidationError) as exc:
        FormField(form=laptop_form, key="x", label="X", kind=FieldKind.CHOICE).full_clean()
    assert "choices" in exc.value.message_dict
    with pytest.raises(ValidationError):
        FormField(form=laptop_form, key="y", label="Y", kind=FieldKind.TEXT, choices="a").clean()


def test_inactive_form_is_not_used(laptop_form):
    laptop_form.is_active = False
    laptop_form.save()
    assert active_form(laptop_form.service) is None
    assert active_form(None) is None


def test_answer_rows_use_the_questions_in_order(laptop_form, ticket):
    ticket.custom_fields = {"os": "Linux", "asset": "A-1", "extras": ["Dock"], "legacy": 1}
    assert answer_rows(ticket) == [
        ("Asset tag", "A-1"),
        ("Operating system", "Linux"),
        ("Extras", "Dock"),
        ("legacy", "1"),
    ]


def test_admin_defines_a_form_without_code(client, admin, service):
    client.force_login(admin)
    response = client.post(
        reverse("admin:catalog_requestform_add"),
        {
            "service": service.pk,
            "guidance": "Say which room.",
            "is_active": "on",
            "fields-TOTAL_FORMS": "1",
            "fields-INITIAL_FORMS": "0",
            "fields-MIN_NUM_FORMS": "0",
            "fields-MAX_NUM_FORMS": "1000",
            "fields-0-order": "1",
            "fields-0-key": "room",
            "fields-0-kind": "choice",
            "fields-0-label": "Room",
            "fields-0-help_text": "",
            "fields-0-choices": "",
        },
    )
    assert response.status_code == 200  # the choice field without options is refused
    assert not RequestForm.objects.exists()
    assert "List at least one option" in response.content.decode()


def test_answers_panel_for_the_desk(laptop_form, ticket):
    from django.template.loader import render_to_string

    assert "Request form" not in render_to_string("catalog/answers_panel.html", {"ticket": ticket})
    ticket.custom_fields = {"asset": "A-77"}
    out = render_to_string("catalog/answers_panel.html", {"ticket": ticket})
    assert "Asset tag" in out and "A-77" in out
