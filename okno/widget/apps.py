from django.apps import AppConfig


class WidgetConfig(AppConfig):
    name = "okno.widget"
    label = "widget"
