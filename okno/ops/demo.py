"""Demo data: a small, believable service desk built through the real ticket actions.

Everything goes through ``tickets.actions`` so the demo has the same events, timestamps and
follow-up jobs as real use. Passwords are random per installation and kept in the data
directory so ``make run`` can print them every time.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from okno.accounts.models import Organization, Role, Team, TeamMembership, User
from okno.catalog.models import Category, Service
from okno.sla.demo import ensure_default_sla
from okno.tickets import actions
from okno.tickets.models import Status, StatusCategory, TicketType

TEAMS = [("Service Desk", 1), ("Infrastructure", 2), ("Applications", 2), ("Security", 3)]
SERVICES = {
    "Email and calendars": ("Service Desk", ["Mailbox", "Shared calendar", "Spam"]),
    "Printing": ("Service Desk", ["Paper jam", "Toner", "New printer"]),
    "Network and VPN": ("Infrastructure", ["Wi-Fi", "VPN", "Slow network"]),
    "Accounts and access": ("Service Desk", ["Password reset", "New employee", "Permissions"]),
    "Workstations": ("Infrastructure", ["Laptop", "Monitor", "Software install"]),
    "Business applications": ("Applications", ["1C", "CRM", "ERP reports"]),
}
ISSUES = [
    (
        "Printing",
        "Printer on the 3rd floor jams on every page",
        "Paper jams in tray 2 since this morning. Tried reloading the paper, same result.",
    ),
    (
        "Printing",
        "Не печатает принтер в бухгалтерии",
        "Принтер HP в бухгалтерии пишет «ошибка картриджа», печать встала, а у нас отчёты к вечеру.",
    ),
    (
        "Email and calendars",
        "Cannot open shared calendar of the sales team",
        "Outlook says I don't have permission although I could open it last week.",
    ),
    (
        "Email and calendars",
        "Почта не синхронизируется на телефоне",
        "С утра на iPhone не приходят письма, в Outlook на ноутбуке всё работает.",
    ),
    (
        "Network and VPN",
        "VPN disconnects every 10 minutes",
        "Working from home; the VPN client drops the connection every ten minutes or so.",
    ),
    (
        "Network and VPN",
        "Не працює Wi-Fi у переговорній",
        "У переговорній на 2 поверсі ноутбуки не бачать мережу Office-WiFi.",
    ),
    (
        "Accounts and access",
        "Password expired and I am locked out",
        "I changed my password yesterday and now my account is locked.",
    ),
    (
        "Accounts and access",
        "Доступ к папке отдела кадров для нового сотрудника",
        "Нужен доступ на чтение к папке \\\\fs01\\HR для новой сотрудницы с понедельника.",
    ),
    (
        "Workstations",
        "New laptop for a new hire starting Monday",
        "Please prepare a laptop with the standard software for our new designer.",
    ),
    (
        "Workstations",
        "Монитор мигает и гаснет",
        "Второй монитор периодически гаснет на несколько секунд, кабель меняла.",
    ),
    (
        "Business applications",
        "1C reports take minutes to open",
        "The monthly sales report in 1C takes over five minutes to build since the update.",
    ),
    (
        "Business applications",
        "CRM не сохраняет карточку клиента",
        "При сохранении карточки клиента CRM выдаёт ошибку 500.",
    ),
]
REPLIES_AGENT = [
    "Thanks, we are looking into it. Could you tell us the exact error message?",
    "Мы проверили, проблема на стороне сервера, уже исправляем.",
    "We have applied a fix. Please check and let us know if it works now.",
]
REPLIES_REQUESTER = [
    "The error says 'Access denied (0x80070005)'.",
    "Спасибо, теперь всё работает!",
    "Still happening after the restart, unfortunately.",
]


@dataclass
class DemoLogins:
    admin: str
    agent: str
    requester: str
    password: str


def credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-logins.txt"


def read_logins() -> str | None:
    path = credentials_file()
    return path.read_text(encoding="utf-8") if path.exists() else None


def _user(email: str, password: str, **fields: object) -> User:
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(email, password, **fields)


@transaction.atomic
def create_demo(*, tickets: int = 40, seed: int = 1) -> DemoLogins:
    rnd = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    password = secrets.token_urlsafe(9)
    teams = {
        name: Team.objects.get_or_create(name=name, defaults={"line": line})[0]
        for name, line in TEAMS
    }
    teams["Service Desk"].next_line = teams["Infrastructure"]
    teams["Service Desk"].save()
    services = {}
    for order, (name, (team, categories)) in enumerate(SERVICES.items()):
        service, _created = Service.objects.get_or_create(
            name=name, defaults={"owner_team": teams[team], "order": order * 10}
        )
        services[name] = service
        for category in categories:
            Category.objects.get_or_create(service=service, parent=None, name=category)
    head = Organization.objects.get_or_create(
        name="Northwind Head Office", defaults={"email_domains": "northwind.example"}
    )[0]
    Organization.objects.get_or_create(name="Northwind Kyiv Branch", defaults={"parent": head})
    acme = Organization.objects.get_or_create(
        name="Acme Ltd",
        defaults={"email_domains": "acme.example", "shared_tickets": True, "vip": True},
    )[0]

    admin = _user(
        "admin@okno.example",
        password,
        full_name="Ada Admin",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
    )
    agent = _user("agent@okno.example", password, full_name="Alex Agent", role=Role.AGENT)
    agents = [agent]
    for email, name, team in [
        ("olena@okno.example", "Олена Коваль", "Service Desk"),
        ("ivan@okno.example", "Иван Петров", "Infrastructure"),
        ("maria@okno.example", "Maria Novak", "Applications"),
    ]:
        agents.append(_user(email, password, full_name=name, role=Role.AGENT))
        TeamMembership.objects.get_or_create(team=teams[team], user=agents[-1])
    for team in ("Service Desk", "Infrastructure", "Applications"):
        TeamMembership.objects.get_or_create(
            team=teams[team], user=agent, defaults={"is_lead": team == "Service Desk"}
        )
    _user("manager@okno.example", password, full_name="Mila Manager", role=Role.MANAGER)
    requester = _user(
        "requester@northwind.example", password, full_name="Rita Requester", organization=head
    )
    requesters = [requester]
    for email, name, org in [
        ("petr@northwind.example", "Пётр Сидоров", head),
        ("oksana@northwind.example", "Оксана Мельник", head),
        ("john@acme.example", "John Smith", acme),
        ("kate@acme.example", "Kate Brown", acme),
    ]:
        requesters.append(
            _user(
                email,
                password,
                full_name=name,
                organization=org,
                sees_organization_tickets=org == acme,
            )
        )

    ensure_default_sla()  # a calendar and a fallback policy: the demo tickets get SLA clocks
    statuses = {s.key: s for s in Status.objects.all()}
    types = [TicketType.INCIDENT] * 3 + [TicketType.SERVICE_REQUEST] * 2 + [TicketType.QUESTION]
    for n in range(tickets):
        service_name, title, body = ISSUES[n % len(ISSUES)]
        who = requesters[n % len(requesters)]
        ticket = actions.open_ticket(
            actor=who,
            title=title,
            description=body,
            type=rnd.choice(types),
            service=services[service_name],
            impact=rnd.choice([1, 2, 2, 3]),
            urgency=rnd.choice([1, 2, 3, 3]),
        )
        fate = rnd.random()
        if fate < 0.25:
            continue  # untouched: new in the queue
        team_agents = [a for a in agents if a.memberships.filter(team=ticket.team).exists()] or [
            agent
        ]
        worker = rnd.choice(team_agents)
        actions.assign_ticket(ticket, actor=worker, assignee=worker)
        actions.add_reply(ticket, actor=worker, body=rnd.choice(REPLIES_AGENT))
        if fate < 0.5:
            continue
        actions.add_reply(ticket, actor=who, body=rnd.choice(REPLIES_REQUESTER))
        if fate < 0.65:
            actions.add_note(
                ticket, actor=worker, body="Checked the logs; escalating if it repeats."
            )
            actions.change_status(ticket, actor=worker, status=statuses["waiting_customer"])
            continue
        actions.change_status(ticket, actor=worker, status=statuses["resolved"])
        if fate > 0.85:
            actions.change_status(ticket, actor=worker, status=statuses["closed"])

    logins = DemoLogins(admin.email, agent.email, requester.email, password)
    credentials_file().write_text(format_logins(logins), encoding="utf-8")
    credentials_file().chmod(0o600)
    return logins


def format_logins(logins: DemoLogins) -> str:
    return (
        f"Okno demo logins (password for all: {logins.password})\n"
        f"  administrator: {logins.admin}\n  agent:         {logins.agent}\n  requester:     {logins.requester}\n"
    )


def open_ticket_count() -> int:
    from okno.tickets.models import Ticket

    return Ticket.objects.exclude(status_category=StatusCategory.CLOSED).count()
