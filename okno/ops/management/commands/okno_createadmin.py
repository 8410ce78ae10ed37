from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from okno.accounts.models import User


class Command(BaseCommand):
    help = "Create an administrator (password from --password-env variable or a prompt)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--password-env",
            default="OKNO_ADMIN_PASSWORD",
            help="environment variable holding the password (default OKNO_ADMIN_PASSWORD)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with the email {email} already exists.")
        password = os.environ.get(options["password_env"]) or getpass.getpass("Password: ")
        candidate = User(email=email, full_name=options["name"])
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        User.objects.create_superuser(email, password, full_name=options["name"])
        self.stdout.write(self.style.SUCCESS(f"Administrator {email} created."))
