from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "okno.alerts"
    label = "alerts"
