from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "okno.tickets"
    label = "tickets"
