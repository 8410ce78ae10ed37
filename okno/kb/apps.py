from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "okno.kb"
    label = "kb"
