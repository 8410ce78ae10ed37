"""The admin saves calendars and policies as versions, and validates score settings."""

from __future__ import annotations

import pytest

from okno.priority.models import ScoreSettings
from okno.sla.models import Calendar, SlaPolicy, SlaPolicyVersion

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:sla_calendar_changelist",
    "admin:sla_calendar_add",
    "admin:sla_slapolicy_changelist",
    "admin:sla_slapolicy_add",
    "admin:sla_slaclock_changelist",
    "admin:sla_calendarversion_changelist",
    "admin:sla_slapolicyversion_changelist",
    "admin:priority_scoresettings_add",
    "admin:priority_ticketscore_changelist",
]


@pytest.mark.parametrize("name", PAGES)
def test_admin_pages_open(client, admin, name):
    from django.urls import reverse

    client.force_login(admin)
    assert client.get(reverse(name)).status_code == 200


def test_saving_a_calendar_in_the_admin_bumps_its_version(client, admin, calendar):
    from django.urls import reverse

    client.force_login(admin)
    url = reverse("admin:sla_calendar_change", args=[calendar.pk])
    response = client.post(
        url,
        {
            "name": calendar.name,
            "timezone": "Europe/Berlin",
            "hours": '{"mon": [["09:00", "17:00"]]}',
            "holidays": '["2026-12-25"]',
            "shifts": "{}",
            "breaks": "{}",
            "country": "DE",
        },
    )
    assert response.status_code == 302, response.content
    calendar.refresh_from_db()
    assert calendar.version == 2
    assert calendar.versions.count() == 2
    bad = client.post(
        url,
        {
            "name": calendar.name,
            "timezone": "Nowhere/Else",
            "hours": "{}",
            "holidays": "[]",
            "shifts": "{}",
            "breaks": "{}",
        },
    )
    assert bad.status_code == 200
    assert "unknown time zone" in bad.content.decode()
    assert Calendar.objects.get(pk=calendar.pk).version == 2


def test_saving_a_policy_in_the_admin_publishes_a_version(client, admin, calendar):
    from django.urls import reverse

    client.force_login(admin)
    management = {
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "escalations-TOTAL_FORMS": "0",
        "escalations-INITIAL_FORMS": "0",
    }
    response = client.post(
        reverse("admin:sla_slapolicy_add"),
        {
            "name": "Gold",
            "order": "10",
            "is_active": "on",
            "ticket_types": "[]",
            "priorities": "[1, 2]",
            "channels": "[]",
            "calendar_source": "calendar",
            "calendar": calendar.pk,
            "penalty_per_breach": "100",
            "targets-0-kind": "resolution",
            "targets-0-amount": "4",
            "targets-0-unit": "hours",
            "targets-0-pause_categories": '["waiting"]',
            "targets-0-warn_percents": "[50, 80]",
            "targets-0-reopen": "continue",
            **management,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    version = SlaPolicyVersion.objects.get(policy=SlaPolicy.objects.get(name="Gold"))
    assert version.snapshot["targets"][0]["warn"] == [50, 80]
    assert version.snapshot["penalty"] == "100.00"


def test_inconsistent_pairwise_comparisons_are_refused_in_the_admin(client, admin):
    from django.urls import reverse

    client.force_login(admin)
    n = 6
    matrix = [[1.0] * n for _ in range(n)]
    matrix[0][1], matrix[1][0] = 9.0, 1 / 9
    matrix[1][2], matrix[2][1] = 9.0, 1 / 9
    matrix[0][2], matrix[2][0] = 1 / 9, 9.0
    import json

    response = client.post(
        reverse("admin:priority_scoresettings_add"),
        {
            "mode": "ahp",
            "weights": "{}",
            "ahp_matrix": json.dumps(matrix),
            "penalty_cap": "10000",
            "users_cap": "1000",
            "age_horizon_days": "14",
        },
    )
    assert response.status_code == 200
    assert "consistency ratio" in response.content.decode()
    assert not ScoreSettings.objects.exists()
