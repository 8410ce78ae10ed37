from django.apps import AppConfig


class CsatConfig(AppConfig):
    name = "okno.csat"
    label = "csat"
