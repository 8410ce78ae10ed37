from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "okno.sla"
    label = "sla"
