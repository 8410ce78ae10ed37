from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "okno.notifications"
    label = "notifications"
