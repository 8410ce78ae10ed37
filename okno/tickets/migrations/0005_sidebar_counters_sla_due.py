"""Ticket.sla_due_at (kept by triggers on sla_slaclock, see okno/tickets/sla_due.py) and the
partial indexes the desk's sidebar counters read without touching the table. Reversible."""

from django.conf import settings
from django.db import migrations, models


def install_triggers(apps, schema_editor):
    from okno.tickets import sla_due

    # PostgreSQL: create the triggers and fill the column. SQLite: post_migrate does it once
    # all migrations ran (a later one may rebuild tickets_ticket, which fails while a trigger
    # on sla_slaclock names it; see okno/tickets/apps.py).
    if schema_editor.connection.vendor == "postgresql":
        sla_due.install(schema_editor.connection)


def uninstall_triggers(apps, schema_editor):
    from okno.tickets import sla_due

    sla_due.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_team_org_calendar"),
        ("catalog", "0003_request_forms_and_catalog_categories"),
        ("tickets", "0004_lean_indexes"),
        ("sla", "0001_calendars_policies_clocks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="sla_due_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="earliest SLA due time"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status_category__in", ["new", "open", "waiting"])),
                fields=["team", "status_category", "assignee", "sla_due_at"],
                name="ticket_team_active_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status_category__in", ["new", "open", "waiting"])),
                fields=["assignee", "status_category", "team", "sla_due_at"],
                name="ticket_assignee_active_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status_category", "resolved")),
                fields=["team", "resolved_at"],
                name="ticket_team_resolved",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status_category", "resolved")),
                fields=["assignee", "resolved_at", "team"],
                name="ticket_assignee_resolved",
            ),
        ),
        migrations.RunPython(install_triggers, uninstall_triggers),
    ]
