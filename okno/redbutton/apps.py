from django.apps import AppConfig


class RedbuttonConfig(AppConfig):
    name = "okno.redbutton"
    label = "redbutton"
