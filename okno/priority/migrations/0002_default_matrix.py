"""Seed five priorities and the ITIL 3x3 matrix P = I + U - 1 (editable in the admin)."""

from django.db import migrations

PRIORITIES = [
    (1, "Critical", "Критический", "Критичний", "#dc2626"),
    (2, "High", "Высокий", "Високий", "#ea580c"),
    (3, "Medium", "Средний", "Середній", "#ca8a04"),
    (4, "Low", "Низкий", "Низький", "#2563eb"),
    (5, "Planning", "Плановый", "Плановий", "#6b7280"),
]


def seed(apps, schema_editor):
    Priority = apps.get_model("priority", "Priority")
    MatrixCell = apps.get_model("priority", "MatrixCell")
    for level, name, ru, uk, color in PRIORITIES:
        Priority.objects.update_or_create(
            level=level, defaults={"name": name, "labels": {"ru": ru, "uk": uk}, "color": color}
        )
    for impact in (1, 2, 3):
        for urgency in (1, 2, 3):
            MatrixCell.objects.update_or_create(
                impact=impact, urgency=urgency, defaults={"priority_id": impact + urgency - 1}
            )


def unseed(apps, schema_editor):
    apps.get_model("priority", "MatrixCell").objects.all().delete()
    apps.get_model("priority", "Priority").objects.filter(level__lte=5).delete()


class Migration(migrations.Migration):
    dependencies = [("priority", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
