from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "okno.mail"
    label = "mail"
