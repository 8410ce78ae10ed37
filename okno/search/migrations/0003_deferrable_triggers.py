"""The ticket and article triggers skip the transactions of a session that writes the documents
itself, set-based (the bulk loader; ``okno.search.schema.DEFERRED_SETTING``). Every other write
is indexed as before."""

from django.db import migrations


def forward(apps, schema_editor):
    from okno.search import schema

    schema.install(schema_editor.connection)  # re-creates the triggers with their WHEN clause


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_triggers")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
