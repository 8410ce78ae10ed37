from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "okno.search"
    label = "search"
