from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "okno.desk"
    label = "desk"
