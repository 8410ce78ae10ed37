from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "okno.routing"
    label = "routing"
