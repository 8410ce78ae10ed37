"""Real mail servers for the email-channel tests: Dovecot (IMAP + POP3) and an aiosmtpd sink,
both on 127.0.0.1 with throwaway state. With CI=true a missing Dovecot is a failure."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port}")


def make_mail(
    *,
    sender: str = "rita@acme.test",
    to: str = "support@okno.test",
    subject: str = "Printer jams",
    body: str = "Every second page jams.",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(__import__("datetime").datetime.now().astimezone())
    if message_id != "":
        msg["Message-ID"] = message_id or make_msgid(domain="acme.test")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, data, ctype in attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return msg.as_bytes()


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    pop3_port: int
    passwd: Path
    users: list[str] = field(default_factory=list)

    def add_user(self) -> str:
        """A fresh, empty mailbox user (created up front: Dovecot caches the passwd file)."""
        return self.users.pop()

    def append(self, user: str, raws: list[bytes], folder: str = "INBOX") -> None:
        from imap_tools import MailBoxUnencrypted

        with MailBoxUnencrypted("127.0.0.1", self.imap_port).login(user, "secret") as box:
            for raw in raws:
                box.append(raw, folder)

    def unseen(self, user: str, folder: str = "INBOX") -> list[str]:
        from imap_tools import MailBoxUnencrypted

        with MailBoxUnencrypted("127.0.0.1", self.imap_port).login(
            user, "secret", initial_folder=folder
        ) as box:
            return list(box.uids("UNSEEN"))

    def count(self, user: str, folder: str = "INBOX") -> int:
        from imap_tools import MailBoxUnencrypted

        with MailBoxUnencrypted("127.0.0.1", self.imap_port).login(
            user, "secret", initial_folder=folder
        ) as box:
            return len(box.uids("ALL"))


CONFIG = """
protocols = imap pop3
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_fsync = never
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
pop3_uidl_format = %08Xu%08Xv
"""


def require_dovecot() -> None:
    if not Path(DOVECOT).exists() or os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot (dovecot-imapd, dovecot-pop3d) is required: scripts/services.sh")
        pytest.skip("Dovecot not installed or not running as root")


def dovecot_root() -> tuple[Path, Path, list[str]]:
    """A throwaway state directory and passwd file with 60 users (password "secret")."""
    root = Path(tempfile.mkdtemp(prefix="okno-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
        (root / sub).chmod(0o755)
    shutil.chown(root / "mail", "nobody", "nogroup")
    passwd = root / "passwd"
    users = [f"u{uuid.uuid4().hex[:10]}" for _ in range(60)]
    passwd.write_text("".join(f"{name}:{{PLAIN}}secret\n" for name in users))
    passwd.chmod(0o644)
    return root, passwd, users


@contextlib.contextmanager
def run_dovecot(root: Path, config: str, ports: list[tuple[str, int]]):
    """Run Dovecot with ``config`` until the block ends, once all ``ports`` listen."""
    conf = root / "dovecot.conf"
    conf.write_text(config)
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)])
    try:
        for host, port in ports:
            wait_port(port, host=host)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot():
    require_dovecot()
    root, passwd, users = dovecot_root()
    imap, pop3 = free_port(), free_port()
    config = CONFIG.format(root=root, imap=imap, pop3=pop3)
    with run_dovecot(root, config, [("127.0.0.1", imap), ("127.0.0.1", pop3)]):
        yield Dovecot(root=root, imap_port=imap, pop3_port=pop3, passwd=passwd, users=users)


@pytest.fixture
def mailbox_for(db, dovecot, monkeypatch):
    """A Mailbox row pointing at a fresh Dovecot user."""
    from okno.mail.models import Mailbox

    monkeypatch.setenv("OKNO_TEST_MAIL_SECRET", "secret")

    def make(protocol: str = "imap", **extra) -> Mailbox:
        user = dovecot.add_user()
        return Mailbox.objects.create(
            name=f"{protocol}-{user}",
            protocol=protocol,
            host="127.0.0.1",
            port=dovecot.imap_port if protocol == "imap" else dovecot.pop3_port,
            security="plain",
            username=user,
            secret_env="OKNO_TEST_MAIL_SECRET",
            address="support@okno.test",
            **extra,
        )

    return make


@dataclass
class SmtpSink:
    port: int
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; Django sends to it."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database, seeded statuses and priority matrix included;
    put them back the way the migrations do (as tests/e2e does)."""
    import importlib

    from django.apps import apps

    for module in (
        "okno.tickets.migrations.0002_default_statuses",
        "okno.priority.migrations.0002_default_matrix",
    ):
        importlib.import_module(module).seed(apps, None)
