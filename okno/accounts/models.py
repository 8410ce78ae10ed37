"""People and where they belong: users, organizations, support teams, API tokens."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}) from exc


class Organization(models.Model):
    """A customer company or an internal department; branches point to their parent."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
    )
    email_domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; new requesters from these domains join this organization."),
    )
    shared_tickets = models.BooleanField(
        _("members may see each other's tickets"),
        default=False,
        help_text=_("When on, members allowed to see organization tickets can open them."),
    )
    vip = models.BooleanField(_("VIP customer"), default=False)
    calendar = models.ForeignKey(
        "sla.Calendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a person may do in the desk; anyone may also file requests as a requester."""

    REQUESTER = "requester", _("Requester")
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Signs in with an email address; language and time zone shape every page they see."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REQUESTER)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    sees_organization_tickets = models.BooleanField(
        _("sees organization tickets"),
        default=False,
        help_text=_("A requester who may follow all tickets of their organization."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, default="", validators=[validate_time_zone]
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Email intake, the API and sign-in look people up with email__iexact (UPPER(email)).
        indexes = [models.Index(Upper("email"), name="user_email_upper")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def first_name(self) -> str:
        return (self.full_name or self.email.split("@")[0]).split()[0]

    @property
    def is_agent(self) -> bool:
        """Agents, managers and administrators work in the desk."""
        return self.is_active and self.role in {Role.AGENT, Role.MANAGER, Role.ADMIN}

    @property
    def sees_all_tickets(self) -> bool:
        return self.is_active and (self.role in {Role.MANAGER, Role.ADMIN} or self.is_superuser)


class Team(models.Model):
    """A support group: a line of support (L1 first contact, L2/L3 specialists)."""

    class Line(models.IntegerChoices):
        L1 = 1, _("First line")
        L2 = 2, _("Second line")
        L3 = 3, _("Third line")

    name = models.CharField(_("name"), max_length=100, unique=True)
    line = models.PositiveSmallIntegerField(_("support line"), choices=Line.choices, default=1)
    email = models.EmailField(_("team email"), blank=True)
    next_line = models.ForeignKey(
        "self",
        verbose_name=_("escalates to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_from",
    )
    members = models.ManyToManyField(
        User, through="TeamMembership", related_name="teams", verbose_name=_("members")
    )
    calendar = models.ForeignKey(
        "sla.Calendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["line", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    is_lead = models.BooleanField(_("team lead"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_team_member")]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.team}"


def hash_token(raw: str) -> str:
    """Tokens are 256-bit random strings, so a plain SHA-256 is a sufficient at-rest hash."""
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenScope(models.TextChoices):
    """What a token may do; integrations get the narrowest scope that works."""

    READ = "read", _("Read")
    WRITE = "write", _("Read and write")
    EVENTS = "events", _("Send monitoring events only")
    REDBUTTON = "redbutton", _("Red Button reports only")


def default_scopes() -> list[str]:
    return [TokenScope.READ, TokenScope.WRITE]


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the raw value is shown once."""

    PREFIX = "okno_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text=_("First characters"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    scopes = models.JSONField(_("scopes"), default=default_scopes, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: User, name: str, scopes: list[str] | None = None) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_token(raw),
            hint=raw[:10],
            scopes=list(scopes) if scopes is not None else default_scopes(),
        )
        return token, raw

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_usable(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > timezone.now())
