"""Full-text index maintained on write by triggers: tsvector + GIN + pg_trgm on PostgreSQL,
FTS5 virtual tables on SQLite. The SQL lives in ``okno.search.schema`` (idempotent)."""

from django.db import migrations


def forward(apps, schema_editor):
    from okno.search import schema

    schema.install(schema_editor.connection)  # vendor-guarded inside: postgresql / sqlite


def backward(apps, schema_editor):
    from okno.search import schema

    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_documents"),
        ("tickets", "0002_default_statuses"),
        ("accounts", "0002_api_token_scopes"),
        ("kb", "0001_knowledge_base"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
