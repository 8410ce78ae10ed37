from django.apps import AppConfig


class PriorityConfig(AppConfig):
    name = "okno.priority"
    label = "priority"
