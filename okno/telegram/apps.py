from django.apps import AppConfig


class TelegramConfig(AppConfig):
    name = "okno.telegram"
    label = "telegram"
