"""Bulk data set for benchmarks: ``okno demo --tickets N`` with thousands to millions of tickets.

The small demo (``ops/demo.py``) goes through ``tickets.actions`` one ticket at a time; that is
right for 40 tickets and far too slow for 5 million. This module writes the same rows the actions
would write (tickets, their articles, a consistent event log, the SLA clocks when the SLA app
has a published policy) straight into the tables: ``COPY`` on PostgreSQL, ``executemany``
batches on SQLite, chunk by chunk, each chunk in one transaction (on two connections at once
on PostgreSQL, ``bulkwrite``).

Loading into a database in use (``keep_indexes``, or a load smaller than what is there), the
triggers, constraints and indexes stay in place, so the search index and every foreign key are
maintained exactly as in normal use. Loading from empty on PostgreSQL, the big tables'
secondary indexes and foreign keys are taken away and put back afterwards (``fastload``: one
sort per index, one join per foreign key, journaled so that no outcome leaves them out), and
each chunk writes its own search documents set-based instead of a trigger call per row
(``okno.search.schema.document_statements``: the same SQL as the triggers).

The shape follows the django-helpdesk baseline in ``../shared/peer-bench`` (``gen/generate.py``)
so the two systems can be compared: 20 teams with its queue shares, 50 agents, 5,000 requesters
with Zipf-like activity (weight ``1/rank**0.8``), about 10 % of tickets active, 8 % resolved,
the rest closed, ``1 + ~Poisson(2)`` articles per ticket. Unlike the baseline, ticket ids grow
with the creation time (arrivals are a Poisson process over three years), as in a real desk,
and half of the people write in Russian.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import itertools
import json
import math
import operator
import random
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from okno.accounts.models import Organization, Role, Team, TeamMembership, User
from okno.catalog.models import Category, Service
from okno.ops import fastload
from okno.ops.bulkwrite import Chunk, ChunkWriters, write_chunk
from okno.priority.models import priority_for
from okno.priority.scoring import Norms, ScoreInput, Weights, score
from okno.search import schema as search_schema
from okno.tickets import events as ev
from okno.tickets.models import Article, Status, Ticket, TicketEvent

BULK_THRESHOLD = 1000  # `okno demo --tickets N` at or above this uses the bulk generator
FAST_LOAD_MIN = 20_000  # PostgreSQL loads this big (and >= the rows there) re-add FKs after
SPAN_DAYS = 3 * 365
CHUNK = 10_000  # tickets per chunk: bigger chunks share more article texts (fewer vectors)

# (slug, English name, Russian name, support line, share of tickets) - the baseline's 20 queues.
TEAMS = [
    ("servicedesk", "Service Desk (General)", "Служба поддержки", 1, 0.16),
    ("iam", "Identity & Access", "Учётные записи и доступ", 2, 0.10),
    ("email", "Email & Collaboration", "Почта и совместная работа", 1, 0.09),
    ("hardware", "Hardware & Peripherals", "Оборудование", 2, 0.08),
    ("network", "Network & Wi-Fi", "Сеть и Wi-Fi", 2, 0.06),
    ("vpn", "VPN & Remote Access", "VPN и удалённый доступ", 2, 0.06),
    ("software", "Software Requests", "Программное обеспечение", 1, 0.07),
    ("printing", "Printing", "Печать", 1, 0.05),
    ("security", "Security Incidents", "Информационная безопасность", 3, 0.04),
    ("mobile", "Mobile Devices", "Мобильные устройства", 2, 0.04),
    ("erp", "ERP (SAP)", "ERP (1С и SAP)", 3, 0.04),
    ("crm", "CRM", "CRM", 2, 0.03),
    ("hr-systems", "HR Systems", "Кадровые системы", 2, 0.03),
    ("finance-apps", "Finance Applications", "Финансовые приложения", 2, 0.03),
    ("telephony", "Telephony & Video", "Телефония и видеосвязь", 2, 0.03),
    ("database", "Database Services", "Базы данных", 3, 0.02),
    ("cloud", "Cloud Infrastructure", "Облачная инфраструктура", 3, 0.02),
    ("web", "Web Platform", "Веб-платформа", 3, 0.02),
    ("bi", "Data & Reporting", "Отчётность и аналитика", 3, 0.02),
    ("facilities-it", "Facilities IT", "ИТ в офисах", 1, 0.01),
]
CATEGORIES = ["Incident", "Access request", "How-to question"]

# Slot vocabulary (values appear in both languages, as product and host names do in real mail).
SLOTS = {
    "app": ["Outlook", "Teams", "Excel", "SharePoint", "1C", "SAP GUI", "Salesforce", "Jira",
            "Confluence", "Zoom", "Chrome", "Power BI", "Citrix Workspace", "AnyConnect", "Bitrix24",
            "Dynamics 365", "VS Code", "Telegram", "Контур.Диадок", "КриптоПро"],
    "err": ["0x80070005", "0x800CCC0E", "ERR_CONNECTION_RESET", "HTTP 500", "HTTP 403", "ORA-12541",
            "error 809", "AADSTS50076", "SSL_ERROR_BAD_CERT_DOMAIN", "timeout after 30 seconds",
            "license not found", "access denied", "disk quota exceeded", "certificate has expired"],
    "host": ["fs01", "fs02", "app-prd-03", "sql-prd-01", "web-prd-07", "citrix-gw", "vpn-edge-2",
             "print-srv-01", "dc-02", "erp-app-01", "k8s-node-14", "mail-relay-1"],
    "laptop": ["ThinkPad T14", "Latitude 5440", "EliteBook 840", "MacBook Pro 14", "Huawei MateBook"],
    "prn": ["PRN-3F-EAST", "PRN-2F-WEST", "PRN-LAB", "PRN-RECEPTION", "PRN-FIN-02"],
    "share": ["Finance", "HR", "Marketing", "Projects", "Legal", "Sales"],
}  # fmt: skip
EN = {
    "device": ["laptop", "monitor", "docking station", "headset", "webcam", "keyboard", "phone"],
    "when": ["since this morning", "since yesterday", "since the last update", "since Monday",
             "intermittently for a week", "after the password change"],
    "loc": ["home office", "London office", "3rd floor", "meeting room Atlas", "the warehouse"],
    "titles": ["{app} not responding", "Cannot log in to {app}", "{app} very slow {when}",
               "{device} not working", "Password reset for {app}", "Access request: {share} share",
               "Printer {prn} offline", "Cannot connect to VPN from {loc}", "Wi-Fi drops in {loc}",
               "Install {app} on {laptop}", "Email bounce: {err}", "Cannot reach {host}",
               "{app} error {err}", "Replace {device} for a new hire", "Disk space low on {host}"],
    "problem": ["When I open {app} I get the error \"{err}\".", "{app} has been crashing {when}.",
                "My {device} stopped working {when}.", "I cannot access {host} and get {err}.",
                "Several colleagues in {loc} have the same problem.",
                "I am unable to save files to the {share} share.",
                "The print job is sent but nothing comes out of {prn}.",
                "Logging in takes more than five minutes {when}."],
    "tried": ["I already restarted the computer.", "Rebooting did not help.",
              "I reinstalled {app} but the issue persists.", "It works from my phone but not the {laptop}."],
    "impact": ["This blocks my work today.", "Not urgent, whenever you have time.",
               "The whole team is affected.", "A customer demo depends on this tomorrow."],
    "agent": ["Hi {fn}, thanks for reporting this. Could you send a screenshot of the error?",
              "Hi {fn}, we are looking into it and will update you shortly.",
              "Please sign out of {app} completely and back in, then let us know.",
              "We pushed a fix for {app}; please restart and check again.",
              "Access to {share} granted, please log off and on again.",
              "We see errors on {host} and are investigating.",
              "The replacement {device} has been ordered, ETA 3 working days."],
    "user": ["Still happening this morning.", "Yes that fixed it, thank you!", "Any update on this?",
             "The error came back after lunch.", "Tried that, no luck.", "It works now, thanks."],
    "note": ["Checked the logs on {host}; escalating if it repeats.", "Known issue with {app}, see the problem record.",
             "Waiting for the vendor to reply."],
    "hello": ["Hi team,", "Hello,", "Good morning,", "Dear Service Desk,", ""],
    "bye": ["Thanks,", "Regards,", "Best regards,", "Cheers,"],
}  # fmt: skip
RU = {
    "device": ["ноутбук", "монитор", "док-станция", "гарнитура", "веб-камера", "клавиатура", "телефон"],
    "when": ["с утра", "со вчерашнего дня", "после обновления", "с понедельника",
             "периодически всю неделю", "после смены пароля"],
    "loc": ["из дома", "в московском офисе", "на 3 этаже", "в переговорной «Атлас»", "на складе"],
    "titles": ["Не отвечает {app}", "Не могу войти в {app}", "{app} сильно тормозит {when}",
               "Не работает {device}", "Сброс пароля для {app}", "Доступ к папке {share}",
               "Принтер {prn} не печатает", "Не подключается VPN {loc}", "Пропадает Wi-Fi {loc}",
               "Установить {app} на {laptop}", "Письма возвращаются с ошибкой {err}",
               "Нет доступа к серверу {host}", "Ошибка {err} в {app}",
               "Заменить {device} для нового сотрудника", "Заканчивается место на {host}"],
    "problem": ["При запуске {app} появляется ошибка «{err}».", "{app} вылетает {when}.",
                "Перестал работать {device} {when}.", "Не открывается {host}, ошибка {err}.",
                "У коллег {loc} такая же проблема.", "Не сохраняются файлы в папку {share}.",
                "Документ уходит на печать, но {prn} ничего не печатает.",
                "Вход в систему занимает больше пяти минут {when}."],
    "tried": ["Компьютер уже перезагружала.", "Перезагрузка не помогла.",
              "Переустановил {app}, не помогло.", "С телефона работает, а с {laptop} нет."],
    "impact": ["Из-за этого стоит вся работа.", "Не срочно.", "Затронут весь отдел.",
               "Завтра демонстрация клиенту, очень нужно."],
    "agent": ["{fn}, добрый день! Пришлите, пожалуйста, скриншот ошибки.",
              "{fn}, спасибо, разбираемся и скоро вернёмся с ответом.",
              "Выйдите из {app} полностью и зайдите снова, напишите, помогло ли.",
              "Установили исправление для {app}, перезапустите и проверьте.",
              "Доступ к {share} выдан, перезайдите в систему.",
              "Видим ошибки на {host}, разбираемся.",
              "Заказали замену: {device}, срок поставки 3 рабочих дня."],
    "user": ["С утра снова то же самое.", "Да, заработало, спасибо!", "Есть новости?",
             "После обеда ошибка вернулась.", "Попробовал, не помогло.", "Всё работает, спасибо."],
    "note": ["Проверил логи на {host}, если повторится — эскалируем.", "Известная проблема {app}.",
             "Ждём ответа поставщика."],
    "hello": ["Добрый день!", "Здравствуйте,", "Коллеги, привет!", ""],
    "bye": ["Спасибо,", "С уважением,", "Заранее спасибо,"],
}  # fmt: skip
FIRST_EN = ["James", "Emma", "Oliver", "Sophia", "Liam", "Ava", "Noah", "Mia", "Lucas", "Grace"]
LAST_EN = [
    "Smith",
    "Brown",
    "Taylor",
    "Wilson",
    "Clark",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
]
FIRST_RU = [
    "Иван",
    "Анна",
    "Пётр",
    "Мария",
    "Алексей",
    "Ольга",
    "Дмитрий",
    "Елена",
    "Сергей",
    "Ирина",
]
LAST_RU = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков"]
ORG_WORDS = ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Ромашка", "Вектор",
             "Сибирь", "Техносфера", "Альфа"]  # fmt: skip
TRANSLIT = str.maketrans(
    dict(zip("абвгдеёзийклмнопрстуфыэ", "abvgdeeziiklmnoprstufye", strict=True))
    | {"ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"}
    | {"ъ": "", "ь": ""}
)

# ~Poisson(2) extra articles after the description, as in the baseline.
EXTRA_CUM = list(itertools.accumulate([0.135, 0.271, 0.271, 0.180, 0.090, 0.036, 0.012, 0.005]))
TYPES = [("incident", 0.6), ("service_request", 0.3), ("question", 0.08), ("problem", 0.02)]
CHANNELS = [("email", 0.45), ("web", 0.35), ("phone", 0.1), ("api", 0.05), ("chat", 0.05)]
FIRST_RESPONSE_H = {1: 0.5, 2: 1, 3: 4, 4: 8, 5: 24}  # SLA clock targets (24x7 hours)
RESOLUTION_H = {1: 4, 2: 8, 3: 24, 4: 72, 5: 120}


def weighted(rnd: random.Random, cum: Sequence[float]) -> int:
    return min(bisect.bisect_left(cum, rnd.random() * cum[-1]), len(cum) - 1)


# --- writing rows ------------------------------------------------------------------------------
class JsonText:
    """JSON text of a column value, for COPY. ``json.dumps`` builds an encoder per call and was
    a quarter of the loader's Python time (three JSON columns per event); here one encoder is
    kept, numbers are their own JSON, and strings and small flat dicts (event data such as
    ``{"by_agent": true, "channel": "email"}``) are encoded once per distinct value."""

    LIMIT = 100_000  # distinct values remembered; the data set has a few thousand

    def __init__(self) -> None:
        self.encode = json.JSONEncoder(ensure_ascii=False).encode
        self.cache: dict[Any, str] = {}

    def __call__(self, value: Any) -> str:
        kind = type(value)
        if kind is int:
            return str(value)
        if kind is str:
            key: Any = value
        elif kind is dict and len(value) <= 4:  # with the value types: True == 1 in a key
            key = (*value.items(), *map(type, value.values()))
            try:
                hash(key)
            except TypeError:  # a list or dict inside: not cached
                return self.encode(value)
        else:
            return self.encode(value)
        text = self.cache.get(key)
        if text is None:
            text = self.encode(value)
            if len(self.cache) < self.LIMIT:
                self.cache[key] = text
        return text


def _copy_text(value: Any) -> Any:
    """A constant column's value as COPY text, converted once instead of in every row (COPY
    parses text per column type; psycopg's str dumper is its cheapest)."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    return value


class BulkTable:
    """Rows of one model written by COPY (PostgreSQL) or executemany (SQLite).

    Callers give values for ``names`` (attnames, in order); every other concrete column gets its
    field default, so a column another app adds with a default needs no change here.
    """

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        self.model = model
        self.vendor = connection.vendor
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [n for n in names if n not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no field(s) {unknown}")
        self.fields = [fields[n] for n in names]
        extra = [  # an id not given is left to the database
            f for name, f in fields.items() if name not in names and not f.primary_key
        ]
        defaults: list[Any] = []
        for f in extra:
            if f.has_default():
                defaults.append(f.get_default())
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults.append(timezone.now())
            elif f.null:
                defaults.append(None)
            elif f.blank and f.empty_strings_allowed:
                defaults.append("")
            else:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value (no default)")
        self.fields += extra
        self.defaults = tuple(defaults)
        self.columns = [f.column for f in self.fields]
        self.json = [isinstance(f, models.JSONField) for f in self.fields]
        self.json_text = JsonText()
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, *values: Any) -> None:
        self.rows.append(values)

    def _prepared(self, rows: list[tuple[Any, ...]]) -> Iterable[Sequence[Any]]:
        defaults = self.defaults
        if self.vendor != "postgresql":
            fields = self.fields
            for row in rows:
                yield tuple(
                    f.get_db_prep_save(v, connection)
                    for v, f in zip(row + defaults, fields, strict=True)
                )
            return
        # COPY: JSON columns go as JSON text (psycopg adapts the rest). The defaults are the
        # same in every row, so they are encoded once; given values through a cache.
        given = len(self.fields) - len(defaults)
        json_text = self.json_text
        tail = [
            None if v is None else json_text(v) if is_json else _copy_text(v)
            for v, is_json in zip(defaults, self.json[given:], strict=True)
        ]
        json_idx = [i for i, is_json in enumerate(self.json[:given]) if is_json]
        if not json_idx:
            for row in rows:
                yield [*row, *tail]
            return
        for row in rows:
            full = [*row, *tail]
            for i in json_idx:
                if full[i] is not None:
                    full[i] = json_text(full[i])
            yield full

    def flush(self, cursor: Any) -> None:
        self.write(cursor, self.take())

    def take(self) -> list[tuple[Any, ...]]:
        """The rows added since the last take, counted as written (to write elsewhere)."""
        rows = self.rows.copy()
        self.rows.clear()  # the same list: callers may hold its bound ``append``
        self.written += len(rows)
        return rows

    def write(self, cursor: Any, rows: list[tuple[Any, ...]]) -> None:
        """COPY (or insert) ``rows`` through ``cursor``; safe from any thread's connection."""
        if not rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if self.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in self._prepared(rows):
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - model names
            cursor.executemany(sql, self._prepared(rows))


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Reserve ``count`` ids for explicit-id inserts; return the first. On PostgreSQL the
    sequence is moved past the block, so concurrent normal inserts never collide."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            top = f"SELECT COALESCE(MAX(id), 0) FROM {table}"  # noqa: S608 - a model's table
            last = f"SELECT last_value FROM {sequence}"  # noqa: S608 - its own sequence
            cursor.execute(
                "SELECT setval(%s, GREATEST((" + top + "), (" + last + ")) + %s)", [sequence, count]
            )
            return int(cursor.fetchone()[0]) - count + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0]) + 1


# --- progress ----------------------------------------------------------------------------------
class Progress:
    """A one-line progress bar on a terminal; a line every 10 % otherwise (logs, CI)."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total, self.stream = max(total, 1), stream
        self.started = time.perf_counter()
        self.tty = bool(stream and stream.isatty())
        self.last_decile = -1

    def update(self, done: int) -> None:
        if self.stream is None:
            return
        elapsed = time.perf_counter() - self.started
        rate = done / elapsed if elapsed else 0.0
        eta = (self.total - done) / rate if rate else 0.0
        frac = done / self.total
        text = (
            f"{frac * 100:5.1f}% {done:,}/{self.total:,} tickets  {rate:,.0f}/s  "
            f"elapsed {elapsed:,.0f}s  eta {eta:,.0f}s"
        )
        if self.tty:
            bar = "#" * int(frac * 30)
            self.stream.write(f"\r[{bar:<30}] {text}")
            if done >= self.total:
                self.stream.write("\n")
        elif int(frac * 10) > self.last_decile:
            self.last_decile = int(frac * 10)
            self.stream.write(text + "\n")
        self.stream.flush()

    def step(self, label: str, done: int, total: int) -> None:
        """After the rows: a phase of the load (rebuilding indexes, …), ``done`` of ``total``
        statements - a bar on a terminal, its start and end otherwise."""
        if self.stream is None or total == 0:
            return
        elapsed = time.perf_counter() - self.started
        text = f"{label} {done}/{total}  elapsed {elapsed:,.0f}s"
        if self.tty:
            bar = "#" * int(done / total * 30)
            self.stream.write(f"\r[{bar:<30}] {text}\033[K" + ("\n" if done >= total else ""))
        elif done in (0, total):
            self.stream.write(text + "\n")
        self.stream.flush()


# --- reference data ----------------------------------------------------------------------------
@dataclass
class People:
    teams: list[Team]
    team_cum: list[float]
    services: list[Service]
    categories: list[list[int]]
    team_agents: list[list[tuple[int, str]]]  # per team: (user id, display name)
    requesters: list[tuple[int, int | None, str, str]]  # id, organization id, first name, lang
    requester_cum: list[float]
    vip_orgs: set[int] = field(default_factory=set)
    team_ids: list[int] = field(init=False)  # the teams' and services' ids, read per ticket
    service_ids: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.team_ids = [team.pk for team in self.teams]
        self.service_ids = [service.pk for service in self.services]


def _person(n: int, lang: str) -> tuple[str, str]:
    """A name that depends only on the person's number, so reruns with any seed reuse people."""
    if lang == "ru":
        first, last = FIRST_RU[n % len(FIRST_RU)], LAST_RU[(n // 7) % len(LAST_RU)]
        if first[-1] in "ая":  # Анна Иванова
            last += "а"
        return first, f"{first} {last}"
    first = FIRST_EN[n % len(FIRST_EN)]
    return first, f"{first} {LAST_EN[(n // 7) % len(LAST_EN)]}"


def reference_data(
    password_hash: str,
    *,
    agents: int = 50,
    requesters: int = 5000,
    organizations: int = 200,
) -> People:
    """Teams, services, categories, organizations and people; reused when they exist."""
    teams, services, categories = [], [], []
    for order, (_slug, name, _ru, line, _share) in enumerate(TEAMS):
        team = Team.objects.get_or_create(name=name, defaults={"line": line})[0]
        service = Service.objects.get_or_create(
            name=name, defaults={"owner_team": team, "order": 500 + order}
        )[0]
        cats = [Category.objects.get_or_create(service=service, parent=None, name=c)[0].pk
                for c in CATEGORIES]  # fmt: skip
        teams.append(team)
        services.append(service)
        categories.append(cats)
    team_cum = list(itertools.accumulate(share for *_x, share in TEAMS))

    orgs = list(Organization.objects.filter(name__startswith="Customer ").order_by("pk"))
    for n in range(len(orgs), organizations):
        orgs.append(
            Organization.objects.create(
                name=f"Customer {n + 1:03d} {ORG_WORDS[n % len(ORG_WORDS)]}",
                email_domains=f"customer{n + 1:03d}.example",
                shared_tickets=n % 3 == 0,
                vip=n % 20 == 0,
                parent=orgs[n - 1] if n % 10 == 9 else None,
            )
        )

    existing = dict(User.objects.filter(email__endswith=".example").values_list("email", "pk"))
    new_users: list[User] = []
    staff = []
    for n in range(agents):
        lang = "ru" if n % 2 else "en"
        _first, full = _person(n // 2, lang)
        email = f"agent{n + 1:02d}@okno.example"
        staff.append(email)
        if email not in existing:
            new_users.append(
                User(
                    email=email,
                    full_name=full,
                    role=Role.AGENT,
                    password=password_hash,
                    language=lang,
                )
            )
    people = []
    for n in range(requesters):
        lang = "ru" if n % 2 else "en"
        first, full = _person(n // 2, lang)
        org = orgs[n % len(orgs)]
        local = full.lower().translate(TRANSLIT).replace(" ", ".")
        email = f"{local}.{n + 1}@customer{(n % len(orgs)) + 1:03d}.example"
        people.append((email, org.pk, first, lang))
        if email not in existing:
            new_users.append(
                User(
                    email=email,
                    full_name=full,
                    organization=org,
                    language=lang,
                    password=make_password(None),
                    sees_organization_tickets=n % 7 == 0,
                )
            )
    User.objects.bulk_create(new_users, batch_size=1000)
    ids = dict(User.objects.filter(email__endswith=".example").values_list("email", "pk"))
    names = dict(User.objects.filter(email__in=staff).values_list("email", "full_name"))

    team_agents: list[list[tuple[int, str]]] = [[] for _ in teams]
    memberships = []
    for n, email in enumerate(staff):
        homes = {n % len(teams)} | ({(n * 7 + 3) % len(teams)} if n % 3 == 0 else set())
        for t in homes:
            team_agents[t].append((ids[email], names[email]))
            memberships.append(
                TeamMembership(team=teams[t], user_id=ids[email], is_lead=n < len(teams))
            )
    TeamMembership.objects.bulk_create(memberships, ignore_conflicts=True)
    return People(
        teams=teams,
        team_cum=team_cum,
        services=services,
        categories=categories,
        team_agents=team_agents,
        requesters=[(ids[e], org, first, lang) for e, org, first, lang in people],
        requester_cum=list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(requesters))),
        vip_orgs={o.pk for o in orgs if o.vip},
    )


# --- texts -------------------------------------------------------------------------------------
class Texts:
    """Pools of filled templates per language, built once: picking is then one random index."""

    POOL = 1024

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.pools: dict[tuple[str, str], list[str]] = {}
        for lang, vocab in (("en", EN), ("ru", RU)):
            for kind in ("titles", "agent", "user", "note"):
                self.pools[(lang, kind)] = [
                    self._fill(vocab, rnd.choice(vocab[kind])) for _ in range(self.POOL)
                ]
            self.pools[(lang, "description")] = [self._description(vocab) for _ in range(self.POOL)]

    def _fill(self, vocab: dict[str, list[str]], template: str) -> str:
        ch = self.rnd.choice
        values = {k: ch(v) for k, v in SLOTS.items()}
        values.update(device=ch(vocab["device"]), when=ch(vocab["when"]), loc=ch(vocab["loc"]))
        values["fn"] = "{fn}"
        return template.format(**values)

    def _description(self, vocab: dict[str, list[str]]) -> str:
        r = self.rnd
        body = [self._fill(vocab, r.choice(vocab["problem"])) for _ in range(r.randint(1, 3))]
        if r.random() < 0.7:
            body.append(self._fill(vocab, r.choice(vocab["tried"])))
        body.append(r.choice(vocab["impact"]))
        hello = r.choice(vocab["hello"])
        return (
            (f"{hello}\n\n" if hello else "") + " ".join(body) + f"\n\n{r.choice(vocab['bye'])}\n"
        )

    def pick(self, lang: str, kind: str) -> str:
        pool = self.pools[(lang, kind)]
        return pool[int(self.rnd.random() * len(pool))]


# --- SLA clocks (optional: only when the SLA app's models and a published policy exist) --------
def sla_clock_writer() -> Callable[[dict[str, Any]], None] | None:
    """A function adding the clock rows of one ticket, or None when clocks can't be written."""
    try:
        from okno.sla.models import SlaClock, SlaPolicyVersion, TicketSla
    except ImportError:
        return None
    version = SlaPolicyVersion.objects.order_by("-pk").first()
    if version is None:
        try:  # the SLA app's own default policy (office hours, targets per priority)
            from okno.sla.demo import ensure_default_sla
        except ImportError:
            return None
        ensure_default_sla()
        version = SlaPolicyVersion.objects.order_by("-pk").first()
        if version is None:
            return None
    pins = BulkTable(TicketSla, ["ticket_id", "policy_version_id", "calendars"])
    names = ["ticket_id", "kind", "cycle", "policy_version_id", "priority", "state",
             "started_at", "target_seconds", "due_at", "used_seconds", "measured_at",
             "segment_start", "met_at", "breached_at", "paused_since", "next_check_at",
             "cancelled_at"]  # fmt: skip
    clocks = BulkTable(SlaClock, names)

    version_id = version.pk
    add_pin, add_clock = pins.rows.append, clocks.rows.append

    def add(t: dict[str, Any]) -> None:
        """The ticket's pin and clocks, and its ``sla_due_at`` (as the clock triggers keep it)."""
        add_pin((t["id"], version_id, [[None, None]]))
        now, created = t["now"], t["created_at"]
        for kind, hours, done in (
            ("first_response", FIRST_RESPONSE_H[t["priority"]], t["first_response_at"]),
            ("resolution", RESOLUTION_H[t["priority"]], t["resolved_at"]),
        ):
            target = hours * 3600.0
            due = created + timedelta(seconds=target)
            end = done or now
            used = (end - created).total_seconds()
            breached = used > target
            paused = done is None and t["status_category"] == "waiting" and kind == "resolution"
            cancelled = done is None and t["resolved_at"] is not None  # finished without a reply
            if cancelled:
                state, end = "cancelled", t["resolved_at"]
                breached = False
            elif done is not None:
                state = "breached_met" if breached else "met"
            elif paused:
                state = "paused"
            else:
                state = "breached_running" if breached else "running"
            if state in ("running", "breached_running"):  # Ticket.sla_due_at: the earliest
                t["sla_due_at"] = min(due, t["sla_due_at"] or due)
            add_clock(
                (
                    t["id"],
                    kind,
                    1,
                    version_id,
                    t["priority"],
                    state,
                    created,
                    target,
                    due,
                    used,
                    end,
                    created,
                    done,
                    due if breached else None,
                    t["updated_at"] if paused else None,
                    due if state == "running" else None,
                    end if cancelled else None,
                )
            )

    add.tables = (pins, clocks)  # type: ignore[attr-defined]
    return add


# --- the generator -----------------------------------------------------------------------------
@dataclass
class Report:
    tickets: int = 0
    articles: int = 0
    events: int = 0
    clocks: int = 0
    seconds: float = 0.0
    status_mix: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds of wall time per phase

    def summary(self) -> str:
        rate = self.tickets / self.seconds if self.seconds else 0
        return (
            f"{self.tickets:,} tickets, {self.articles:,} articles, {self.events:,} events, "
            f"{self.clocks:,} SLA clocks in {self.seconds:,.1f} s ({rate:,.0f} tickets/s)"
        )


TICKET_FIELDS = [
    "id", "type", "title", "requester_id", "organization_id", "service_id", "category_id",
    "impact", "urgency", "priority", "score", "status_id", "status_category", "team_id",
    "assignee_id", "channel", "created_at", "updated_at", "first_response_at", "resolved_at",
    "closed_at", "reopen_count", "sla_due_at",
]  # fmt: skip
ARTICLE_FIELDS = ["id", "ticket_id", "kind", "author_id", "channel", "body_text", "created_at",
                  "time_spent_minutes"]  # fmt: skip
EVENT_FIELDS = ["id", "ticket_id", "kind", "actor_id", "field", "old", "new", "data", "created_at"]


@dataclass
class Plan:
    """Everything one ticket's generation reads (built once per run)."""

    rnd: random.Random
    people: People
    texts: Texts
    statuses: dict[str, int]
    prio: dict[tuple[int, int], int]
    now: datetime
    tau: float  # P(active | age) = 0.5 e^(-age/tau), P(resolved | age) = 0.4 e^(-age/tau)
    type_cum: list[float] = field(
        default_factory=lambda: list(itertools.accumulate(w for _t, w in TYPES))
    )
    channel_cum: list[float] = field(
        default_factory=lambda: list(itertools.accumulate(w for _c, w in CHANNELS))
    )
    weights: Weights = field(default_factory=Weights.default)
    norms: Norms = field(default_factory=Norms)


def generate(
    tickets: int,
    *,
    seed: int = 42,
    span_days: int = SPAN_DAYS,
    stream: TextIO | None = sys.stderr,
    password: str | None = None,
    chunk: int = CHUNK,
    now: datetime | None = None,
    agents: int = 50,
    requesters: int = 5000,
    organizations: int = 200,
    keep_indexes: bool = False,
    writer_count: int = 2,
) -> Report:
    """Add ``tickets`` tickets (and the people and teams they need) to the configured database.

    ``keep_indexes`` loads into a database in use: indexes and foreign keys stay, every chunk
    commits on its own (an interrupted load keeps the chunks it finished), no table is locked;
    then ``writer_count`` connections write chunks at the same time (PostgreSQL).
    """
    started = time.perf_counter()
    rnd = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    report = Report()
    password_hash = make_password(password or secrets.token_urlsafe(12))
    with transaction.atomic():
        people = reference_data(
            password_hash, agents=agents, requesters=requesters, organizations=organizations
        )
    now = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    span = span_days * 86400.0
    plan = Plan(
        rnd=rnd,
        people=people,
        texts=Texts(rnd),
        statuses={s.key: s.pk for s in Status.objects.all()},
        prio={(i, u): priority_for(i, u) for i in (1, 2, 3) for u in (1, 2, 3)},
        now=now,
        tau=0.2 * span,  # ~10 % active, ~8 % resolved over the span
    )
    clock_writer = sla_clock_writer()
    if clock_writer is None:
        report.notes.append(
            "SLA clocks skipped (no okno.sla SlaClock model or no published policy)"
        )
    progress = Progress(tickets, stream)
    clock = now.timestamp() - span
    gap = span / max(tickets, 1)
    mix: dict[str, int] = {}

    next_ticket = reserve_ids(Ticket, tickets)
    ticket_rows = BulkTable(Ticket, TICKET_FIELDS)
    ticket_row = operator.itemgetter(*TICKET_FIELDS)
    article_rows = BulkTable(Article, ARTICLE_FIELDS)
    event_rows = BulkTable(TicketEvent, EVENT_FIELDS)
    tables: list[BulkTable] = [ticket_rows, article_rows, event_rows]
    if clock_writer is not None:
        tables += list(clock_writer.tables)  # type: ignore[attr-defined]
    existing = Ticket.objects.count()
    postgres = connection.vendor == "postgresql"
    inline = connection.in_atomic_block  # a caller's transaction: one connection, in it
    if fastload.pending():  # an earlier fast load died: put its indexes back before anything
        ran = fastload.restore(workers=writer_count, report=progress.step, analyze=True)
        report.notes.append(f"an interrupted earlier load was repaired first ({ran} statements)")
    # A load at least as big as what is there (from empty, typically): the big tables'
    # secondary indexes and foreign keys go away for the load and come back set-based
    # (``fastload``), and the search documents are written per chunk, set-based, instead of by
    # a trigger call per row. ``keep_indexes`` keeps all of that for a database in use.
    fast = postgres and not keep_indexes and tickets >= max(existing, FAST_LOAD_MIN)
    deferred = fast and apps.is_installed("okno.search")
    if deferred and not search_schema.triggers_defer(connection):
        deferred = False  # triggers from before migration search.0003: they index the rows
        report.notes.append("search documents written by the triggers: run `okno migrate`")
    # Outside a caller's transaction every chunk commits on its own: several connections.
    writers = ChunkWriters(writer_count) if postgres and not inline and writer_count > 1 else None
    loaded = [t.model._meta.db_table for t in tables]
    if deferred:
        loaded += list(search_schema.DOCUMENT_TABLES)
    phase = time.perf_counter()
    with (
        transaction.atomic() if fast and inline else contextlib.nullcontext(),
        _no_automatic_gc(),
    ):
        if fast:
            fastload.take_down(loaded)
        completed = False
        try:
            done = 0
            while done < tickets:
                size = min(chunk, tickets - done)
                first_ticket = next_ticket
                batch = []
                for _n in range(size):
                    clock += rnd.expovariate(1.0 / gap)
                    created = datetime.fromtimestamp(min(clock, now.timestamp() - 60), UTC)
                    t = _ticket(plan, created, next_ticket)
                    next_ticket += 1
                    mix[t["status_key"]] = mix.get(t["status_key"], 0) + 1
                    batch.append(t)
                first_article = article_id = reserve_ids(
                    Article, sum(len(t["articles"]) for t in batch)
                )
                for t in batch:
                    t["article_ids"] = list(range(article_id, article_id + len(t["articles"])))
                    article_id += len(t["articles"])
                    t["events"] = _events(t)
                event_id = reserve_ids(TicketEvent, sum(len(t["events"]) for t in batch))
                add_ticket, add_article = ticket_rows.rows.append, article_rows.rows.append
                add_event = event_rows.rows.append
                for t in batch:
                    t["sla_due_at"] = None
                    if clock_writer is not None:
                        clock_writer(t)  # first: it sets the ticket's sla_due_at
                    add_ticket(ticket_row(t))
                    tid = t["id"]
                    for pk, (kind, author, channel, body, when, minutes) in zip(
                        t["article_ids"], t["articles"], strict=True
                    ):
                        add_article((pk, tid, kind, author, channel, body, when, minutes))
                    for kind, actor, fld, old, new, data, when in t["events"]:
                        add_event((event_id, tid, kind, actor, fld, old, new, data, when))
                        event_id += 1
                work = Chunk([(table, table.take()) for table in tables])
                if deferred:
                    ids = (first_ticket, next_ticket - 1), (first_article, article_id - 1)
                    work.before = [
                        f"SET LOCAL {search_schema.DEFERRED_SETTING} = 'on'",
                        # The tables have no statistics until the load ends; a planner that
                        # believes them empty joins a chunk's articles to their texts by a
                        # nested loop (seconds per chunk instead of 0.2 s).
                        "SET LOCAL enable_nestloop = off",
                    ]
                    work.after = [
                        *search_schema.document_statements(*ids),
                        (f"SET LOCAL {search_schema.DEFERRED_SETTING} = 'off'", []),
                        ("SET LOCAL enable_nestloop = DEFAULT", []),
                    ]
                if writers is not None:
                    writers.submit(work)
                else:
                    write_chunk(work)
                done += size
                progress.update(done)
                if done % (50 * chunk) == 0:
                    gc.collect()  # whatever cycles the database layer made meanwhile
            completed = True
        finally:
            try:
                if writers is not None:  # the chunks in flight commit (or fail) first
                    writers.finish(abandon=not completed)
            finally:
                report.phases["load"] = time.perf_counter() - phase
                # Indexes and foreign keys come back whatever happened - unless this is a
                # caller's transaction, which puts them back by rolling back on an error.
                if fast and (completed or not inline):
                    if not inline:  # e.g. Ctrl-C during one of its queries
                        connection.close_if_unusable_or_obsolete()
                    phase = time.perf_counter()
                    fastload.restore(workers=writer_count, report=progress.step)
                    report.phases["indexes and keys"] = time.perf_counter() - phase
    phase = time.perf_counter()
    _finish(tables, workers=writer_count, documents=deferred)
    report.phases["vacuum"] = time.perf_counter() - phase
    report.tickets = ticket_rows.written
    report.articles = article_rows.written
    report.events = event_rows.written
    report.clocks = tables[-1].written if clock_writer is not None else 0
    report.status_mix = mix
    report.seconds = time.perf_counter() - started
    return report


@contextlib.contextmanager
def _no_automatic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector off while the rows are made. Millions of new tuples
    start a collection every few hundred allocations, and each older-generation pass walks
    every object alive - the chunks in flight: that was a third of the loader's Python time.
    The rows are acyclic (reference counting frees them); the objects made before the load are
    frozen out of the collector's view, and the loop collects in full every 50 chunks."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


def _ticket(plan: Plan, created: datetime, tid: int) -> dict[str, Any]:
    """One ticket's fields and its articles in time order; statuses follow the age."""
    rnd, people, texts, now, tau = plan.rnd, plan.people, plan.texts, plan.now, plan.tau
    team = weighted(rnd, people.team_cum)
    requester, org, first_name, lang = people.requesters[weighted(rnd, people.requester_cum)]
    age = (now - created).total_seconds()
    x = rnd.random()
    p_active = 0.5 * math.exp(-age / tau)
    if x < p_active:
        fate = "active"
    elif x < p_active + 0.4 * math.exp(-age / tau):
        fate = "resolved"
    else:
        fate = "closed"
    agents = people.team_agents[team]
    assigned = fate != "active" or rnd.random() > 0.35
    agent, agent_name = rnd.choice(agents) if assigned and agents else (None, "")
    if fate == "active":
        life = min(age, 60 + rnd.expovariate(1 / (2 * 86400.0)))
    else:
        life = min(age, 600 + rnd.expovariate(1 / (3 * 86400.0)))
    extra = min(weighted(rnd, EXTRA_CUM), 7)
    if rnd.random() < 0.01:  # a long thread now and then (the ticket-page benchmark reads them)
        extra = rnd.randint(8, 16)
    channel = CHANNELS[weighted(rnd, plan.channel_cum)][0]
    articles: list[tuple[str, int | None, str, str, datetime, int | None]] = [
        ("reply", requester, channel, texts.pick(lang, "description"), created, None)
    ]
    for j in range(1, extra + 1):
        when = created + timedelta(seconds=life * j / (extra + 1))
        if agent is not None and j % 2 == 1:
            if rnd.random() < 0.15:
                articles.append(("note", agent, "desk", texts.pick(lang, "note"), when, None))
            else:
                body = texts.pick(lang, "agent").replace("{fn}", first_name)
                minutes = rnd.randint(5, 90) if rnd.random() < 0.4 else None
                articles.append(("reply", agent, "desk", body, when, minutes))
        else:
            articles.append(("reply", requester, "email", texts.pick(lang, "user"), when, None))
    end = created + timedelta(seconds=life)
    if fate == "closed":
        status_key = "closed"
    elif fate == "resolved":
        status_key = "resolved"
    elif agent is None:
        status_key = "new"
    else:
        status_key = rnd.choices(["open", "waiting_customer", "waiting_third_party"], [7, 2, 1])[0]
    impact, urgency = rnd.choice((1, 2, 2, 3, 3)), rnd.choice((1, 2, 3, 3))
    ticket_type = TYPES[weighted(rnd, plan.type_cum)][0]
    closed_at = min(now, end + timedelta(days=rnd.uniform(0.5, 7))) if fate == "closed" else None
    t = {
        "id": tid,
        "type": ticket_type,
        "title": texts.pick(lang, "titles"),
        "requester_id": requester,
        "organization_id": org,
        "service_id": people.service_ids[team],
        "category_id": rnd.choice(people.categories[team]),
        "impact": impact,
        "urgency": urgency,
        "priority": plan.prio[(impact, urgency)],
        "score": 0.0,
        "status_key": status_key,
        "status_id": plan.statuses[status_key],
        "status_category": _category(status_key),
        "team_id": people.team_ids[team],
        "assignee_id": agent,
        "agent_name": agent_name,
        "channel": channel,
        "created_at": created,
        "updated_at": closed_at or end,
        "first_response_at": None,
        "resolved_at": end if fate != "active" else None,
        "closed_at": closed_at,
        "reopen_count": 1 if fate == "active" and agent is not None and rnd.random() < 0.2 else 0,
        "articles": articles,
        "requester": requester,
        "now": now,
    }
    if t["status_category"] in ("new", "open", "waiting"):
        t["score"] = round(_score(t, now, people, plan.weights, plan.norms), 3)
    return t


_CATEGORY = {"waiting_customer": "waiting", "waiting_third_party": "waiting"}


def _category(key: str) -> str:
    return _CATEGORY.get(key, key)


def _events(t: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The event log ``tickets.actions`` would have written for this history (time order)."""
    created, agent, requester = t["created_at"], t["assignee_id"], t["requester"]
    out: list[tuple[Any, ...]] = [
        (ev.CREATED, requester, "", None, None, {
            "type": t["type"], "status": "new", "status_category": "new",
            "priority": t["priority"], "impact": t["impact"], "urgency": t["urgency"],
            "team": t["team_id"], "assignee": None, "service": t["service_id"],
            "organization": t["organization_id"], "channel": t["channel"]}, created)
    ]  # fmt: skip
    status = "new"
    if agent is not None:
        when = created + (t["articles"][1][4] - created) / 2 if len(t["articles"]) > 1 else created
        out.append(
            (
                ev.ASSIGNED,
                agent,
                "assignee",
                None,
                agent,
                {"old_label": "", "new_label": t["agent_name"]},
                when,
            )
        )
    for (kind, author, channel, _body, when, _m), pk in zip(
        t["articles"][1:], t["article_ids"][1:], strict=True
    ):
        by_agent = author == agent and agent is not None
        if kind == "note":
            out.append((ev.NOTE_ADDED, author, "", None, pk, {}, when))
            continue
        out.append(
            (ev.REPLIED, author, "", None, pk, {"by_agent": by_agent, "channel": channel}, when)
        )
        if by_agent and t["first_response_at"] is None:
            t["first_response_at"] = when
            out.append((ev.FIRST_RESPONSE, author, "", None, pk, {}, when))
        if by_agent and status == "new":
            out.append(_status_event(agent, "new", "open", when))
            status = "open"
    end = t["resolved_at"] or t["updated_at"]
    final = t["status_key"]
    if final in ("resolved", "closed"):
        if status == "new":
            out.append(_status_event(agent, "new", "open", end))
        out.append(_status_event(agent, "open", "resolved", end))
        if final == "closed":
            out.append(_status_event(None, "resolved", "closed", t["closed_at"]))
    elif final != "new":
        if t["reopen_count"]:
            out.append(_status_event(agent, status, "resolved", end))
            out.append(_status_event(requester, "resolved", "open", end))
            out.append((ev.REOPENED, requester, "", None, None, {"count": 1}, end))
            status = "open"
        if final != status:
            out.append(_status_event(agent, status, final, end))
    return out


_STATUS_DATA: dict[tuple[str, str], dict[str, str]] = {}  # one (read-only) dict per change


def _status_event(actor: int | None, old: str, new: str, when: datetime) -> tuple[Any, ...]:
    data = _STATUS_DATA.get((old, new))
    if data is None:
        data = _STATUS_DATA[(old, new)] = {
            "old_category": _category(old),
            "new_category": _category(new),
        }
    return (ev.STATUS_CHANGED, actor, "status", old, new, data, when)


def _score(
    t: dict[str, Any], now: datetime, people: People, weights: Weights, norms: Norms
) -> float:
    """The queue score the priority engine gives an active ticket (24x7 resolution target)."""
    target = timedelta(hours=RESOLUTION_H[t["priority"]])
    age = now - t["created_at"]
    return score(
        ScoreInput(
            priority=t["priority"],
            sla_remaining=target - age,
            sla_target=target,
            tier=1 if t["organization_id"] in people.vip_orgs else 0,
            age=age,
        ),
        weights,
        norms,
    ).total


def _finish(tables: list[BulkTable], *, workers: int, documents: bool) -> None:
    """Move each sequence to the table's max id and refresh planner statistics - and, outside a
    transaction on PostgreSQL, the visibility map that index-only scans rely on (``VACUUM``,
    on ``workers`` connections, biggest table first). ``documents``: the search documents were
    written by the loader, so they are vacuumed too (else only analyzed)."""
    postgres = connection.vendor == "postgresql"
    vacuum = postgres and not connection.in_atomic_block
    names = [table.model._meta.db_table for table in tables]
    search = (
        [m._meta.db_table for m in apps.get_app_config("search").get_models()]
        if (apps.is_installed("okno.search"))
        else []
    )
    if vacuum and documents:
        names += [name for name in search if name in search_schema.DOCUMENT_TABLES]
    with connection.cursor() as cursor:
        for table in tables:
            name = table.model._meta.db_table
            if postgres and table.model._meta.pk.column == "id":
                top = f"SELECT COALESCE(MAX(id), 0) FROM {name}"  # noqa: S608 - a model's table
                sql = "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((" + top + "), 1))"
                cursor.execute(sql, [name])
        if vacuum:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relname = ANY(%s)"
                " ORDER BY pg_total_relation_size(oid) DESC",
                [names],
            )
            _in_parallel([f"VACUUM (ANALYZE) {row[0]}" for row in cursor.fetchall()], workers)
        else:
            for name in names:
                cursor.execute(f"ANALYZE {name}")
        # Thousands of new people: fresh statistics. The search documents written by triggers:
        # without fresh statistics the planner guesses how common a word is and may scan them.
        others = [m._meta.db_table for m in (User, Organization, TeamMembership)]
        for name in others + [name for name in search if name not in names]:
            cursor.execute(f"ANALYZE {name}")


def _in_parallel(statements: list[str], workers: int) -> None:
    """Run each statement on its own autocommit connection, ``workers`` at a time."""

    def run(statement: str) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()  # this worker thread's own connection

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="okno-vacuum") as pool:
        for future in [pool.submit(run, statement) for statement in statements]:
            future.result()


def ensure_logins(password: str) -> tuple[str, str, str, str]:
    """The four people to sign in as (admin, agent, manager, requester), all with ``password``.

    The agent works in the largest team (the benchmark's queue) and in Identity & Access.
    """
    largest, second = (Team.objects.get(name=TEAMS[i][1]) for i in (0, 1))
    org = Organization.objects.filter(name__startswith="Customer 001").first()
    specs = [
        ("admin@okno.example", "Ada Admin", {"role": Role.ADMIN, "is_staff": True,
                                             "is_superuser": True}),
        ("agent@okno.example", "Alex Agent", {"role": Role.AGENT}),
        ("manager@okno.example", "Mila Manager", {"role": Role.MANAGER}),
        ("requester@customer001.example", "Rita Requester", {"organization": org}),
    ]  # fmt: skip
    emails = []
    for email, name, fields in specs:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=name, **fields)
        user.set_password(password)
        user.save()
        emails.append(email)
    agent = User.objects.get(email="agent@okno.example")
    for team in (largest, second):
        TeamMembership.objects.get_or_create(team=team, user=agent)
    return emails[0], emails[1], emails[2], emails[3]
