from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "okno.reports"
    label = "reports"
