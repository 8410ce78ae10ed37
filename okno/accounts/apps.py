from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "okno.accounts"
    label = "accounts"
