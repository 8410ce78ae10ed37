from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Okno: the server, the worker and its periodic sweeps, checks, demo data."""

    name = "okno.ops"
    label = "ops"
