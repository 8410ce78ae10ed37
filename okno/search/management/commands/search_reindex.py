from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from okno.search import schema


class Command(BaseCommand):
    help = "Rebuild the full-text search index from tickets, replies and KB articles."

    def handle(self, *args: Any, **options: Any) -> None:
        schema.rebuild(connection)
        self.stdout.write("search index rebuilt")
