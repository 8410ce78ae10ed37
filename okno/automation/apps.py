from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "okno.automation"
    label = "automation"
