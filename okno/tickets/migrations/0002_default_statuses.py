"""Seed the default statuses. They are data: administrators rename, add or retire them."""

from django.db import migrations

STATUSES = [
    # key, name, ru, uk, category, order, default, requester name (en, ru, uk)
    ("new", "New", "Новая", "Нова", "new", 10, True, ("Received", "Получена", "Отримано")),
    (
        "open",
        "Open",
        "В работе",
        "В роботі",
        "open",
        20,
        True,
        ("In progress", "В работе", "В роботі"),
    ),
    (
        "waiting_customer",
        "Waiting for customer",
        "Ожидает ответа клиента",
        "Очікує відповіді клієнта",
        "waiting",
        30,
        True,
        ("Waiting for your reply", "Ждём вашего ответа", "Чекаємо на вашу відповідь"),
    ),
    (
        "waiting_third_party",
        "Waiting for third party",
        "Ожидает третьей стороны",
        "Очікує третьої сторони",
        "waiting",
        40,
        False,
        ("In progress", "В работе", "В роботі"),
    ),
    (
        "resolved",
        "Resolved",
        "Решена",
        "Вирішена",
        "resolved",
        50,
        True,
        ("Resolved", "Решена", "Вирішено"),
    ),
    (
        "closed",
        "Closed",
        "Закрыта",
        "Закрита",
        "closed",
        60,
        True,
        ("Closed", "Закрыта", "Закрито"),
    ),
    (
        "merged",
        "Merged",
        "Объединена",
        "Об'єднана",
        "closed",
        70,
        False,
        ("Merged into another request", "Объединена с другой заявкой", "Об'єднано з іншою заявкою"),
    ),
]


def seed(apps, schema_editor):
    Status = apps.get_model("tickets", "Status")
    for key, name, ru, uk, category, order, default, req in STATUSES:
        Status.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "labels": {"ru": ru, "uk": uk},
                "requester_labels": {"en": req[0], "ru": req[1], "uk": req[2]},
                "category": category,
                "order": order,
                "is_default": default,
            },
        )


def unseed(apps, schema_editor):
    Status = apps.get_model("tickets", "Status")
    Status.objects.filter(key__in=[s[0] for s in STATUSES], tickets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
