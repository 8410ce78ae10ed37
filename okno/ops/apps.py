from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Okno: the server, the worker and its periodic sweeps, checks, demo data."""

    name = "okno.ops"
    label = "ops"

    def ready(self) -> None:
        from .refcache import connect_signals

        connect_signals()
