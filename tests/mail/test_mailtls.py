"""IMAP/POP3 over TLS against a real Dovecot: implicit TLS, STARTTLS, certificate checks and
XOAUTH2 (Dovecot's oauth2 passdb asking a small token server of this module).

Okno's side connects to 127.0.0.2: Dovecot treats a client whose address equals the server's
(127.0.0.1 -> 127.0.0.1) as secure and would then allow a plaintext login, which would hide
the "encryption required" case. The helpers append over plain IMAP on 127.0.0.1.
"""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from okno.mail.inbound import poll
from okno.mail.inbound.tls import MailServerError
from okno.mail.models import InboundMessage, Mailbox
from okno.tickets.models import Ticket

from .conftest import Dovecot, dovecot_root, free_port, make_mail, require_dovecot, run_dovecot

pytestmark = pytest.mark.django_db

HOST = "127.0.0.2"  # in the certificate
WRONG_NAME = "127.0.0.3"  # same server, not in the certificate

CONFIG = """
protocols = imap pop3
listen = 127.0.0.1 {host} {wrong}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
mail_fsync = never
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {root}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {imap}
  }}
  inet_listener imap_helper {{
    address = 127.0.0.1
    port = {helper}
  }}
  inet_listener imaps {{
    address = {host} {wrong}
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = {host}
    port = {pop3}
  }}
  inet_listener pop3s {{
    address = {host}
    port = {pop3s}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
pop3_uidl_format = %08Xu%08Xv
"""

OAUTH2 = """
tokeninfo_url = http://127.0.0.1:{port}/tokeninfo?access_token=
username_attribute = username
active_attribute = active
active_value = true
"""


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory: Path, name: str) -> None:
    openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
        "-subj", f"/CN=Okno test {name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=directory,
    )  # fmt: skip


def make_certificates(directory: Path) -> None:
    """A throwaway CA, a server certificate it signs (localhost, 127.0.0.1, 127.0.0.2), and an
    unrelated CA."""
    make_ca(directory, "ca")
    make_ca(directory, "other-ca")
    (directory / "ext.cnf").write_text(
        f"subjectAltName=DNS:localhost,IP:127.0.0.1,IP:{HOST}\n"
        "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost",
        cwd=directory,
    )  # fmt: skip
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf",
        cwd=directory,
    )  # fmt: skip
    (directory / "server.key").chmod(0o600)


class TokenInfo(BaseHTTPRequestHandler):
    """The identity provider's token check: 200 with the user for a known token, else 401."""

    tokens: dict[str, str] = {}

    def do_GET(self) -> None:
        user = self.tokens.get(self.path.partition("access_token=")[2])
        body = json.dumps({"username": user, "active": "true"} if user else {"error": "invalid"})
        self.send_response(200 if user else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class TlsDovecot(Dovecot):
    starttls_port: int = 0
    imaps_port: int = 0
    pop3s_port: int = 0
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def ca(self) -> Path:
        return self.root / "ca.pem"

    @property
    def other_ca(self) -> Path:
        return self.root / "other-ca.pem"

    def port(self, protocol: str, security: str) -> int:
        if protocol == "pop3":
            return self.pop3s_port if security == "tls" else self.pop3_port
        return self.imaps_port if security == "tls" else self.starttls_port


@pytest.fixture(scope="module")
def dovecot_tls():
    require_dovecot()
    root, passwd, users = dovecot_root()
    make_certificates(root)
    tokens: dict[str, str] = {}
    handler = type("Handler", (TokenInfo,), {"tokens": tokens})
    tokeninfo = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=tokeninfo.serve_forever, daemon=True).start()
    (root / "oauth2.conf.ext").write_text(OAUTH2.format(port=tokeninfo.server_port))
    ports = {name: free_port() for name in ("imap", "helper", "imaps", "pop3", "pop3s")}
    config = CONFIG.format(root=root, host=HOST, wrong=WRONG_NAME, **ports)
    listening = [(HOST, ports[name]) for name in ("imap", "imaps", "pop3", "pop3s")]
    try:
        with run_dovecot(root, config, [("127.0.0.1", ports["helper"]), *listening]):
            yield TlsDovecot(
                root=root,
                imap_port=ports["helper"],  # the helpers' plain IMAP (127.0.0.1 counts as secure)
                pop3_port=ports["pop3"],
                passwd=passwd,
                users=users,
                starttls_port=ports["imap"],
                imaps_port=ports["imaps"],
                pop3s_port=ports["pop3s"],
                tokens=tokens,
            )
    finally:
        tokeninfo.shutdown()


@pytest.fixture
def tls_mailbox(db, dovecot_tls, monkeypatch, settings):
    """A mailbox of a fresh Dovecot user over TLS; the test CA is trusted unless a test says
    otherwise (settings.MAIL_CA_BUNDLE)."""
    monkeypatch.setenv("OKNO_TEST_MAIL_SECRET", "secret")
    settings.MAIL_CA_BUNDLE = str(dovecot_tls.ca)

    def make(protocol: str = "imap", security: str = "tls", **extra) -> Mailbox:
        user = dovecot_tls.add_user()
        return Mailbox.objects.create(
            name=f"{protocol}-{security}-{user}",
            protocol=protocol,
            host=extra.pop("host", HOST),
            port=extra.pop("port", dovecot_tls.port(protocol, security)),
            security=security,
            username=user,
            secret_env=extra.pop("secret_env", "OKNO_TEST_MAIL_SECRET"),
            address="support@okno.test",
            **extra,
        )

    return make


def poll_in_job(box: Mailbox, run_tasks) -> Mailbox:
    """Poll the way the worker does, so failures end up on the mailbox like in production."""
    from okno.mail.tasks import poll_mailbox

    poll_mailbox.enqueue(mailbox_id=box.pk)
    run_tasks()
    return Mailbox.objects.get(pk=box.pk)


# --------------------------------------------------------------------------- it works


def test_imaps_poll_opens_tickets_and_marks_seen(dovecot_tls, tls_mailbox, requester, l1):
    box = tls_mailbox("imap", "tls")
    dovecot_tls.append(
        box.username,
        [make_mail(subject="Printer jams"), make_mail(sender="bob@globex.test", subject="Monitor")],
    )
    assert poll(box).states == {"processed": 2}
    assert set(Ticket.objects.values_list("title", flat=True)) == {"Printer jams", "Monitor"}
    assert dovecot_tls.unseen(box.username) == []


def test_imap_starttls_poll_moves_processed_mail(
    dovecot_tls, tls_mailbox, requester, l1, run_tasks
):
    box = tls_mailbox("imap", "starttls", processed_folder="Okno")
    dovecot_tls.append(box.username, [make_mail(subject="Over STARTTLS")])
    box = poll_in_job(box, run_tasks)
    assert box.last_error == "" and box.last_polled_at
    assert Ticket.objects.get().title == "Over STARTTLS"
    assert dovecot_tls.count(box.username) == 0
    assert dovecot_tls.count(box.username, folder="Okno") == 1


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_pop3_over_tls_polls_and_deletes(dovecot_tls, tls_mailbox, requester, l1, security):
    box = tls_mailbox("pop3", security, delete_after_fetch=True)
    dovecot_tls.append(box.username, [make_mail(subject=f"POP3 {security}")])
    assert poll(box).states == {"processed": 1}
    assert Ticket.objects.get().title == f"POP3 {security}"
    assert dovecot_tls.count(box.username) == 0


# --------------------------------------------------------------------------- certificates


@pytest.mark.parametrize(
    ("protocol", "security", "bundle"),
    [
        ("imap", "tls", None),  # only the system's CAs
        ("imap", "starttls", None),
        ("pop3", "tls", "other-ca"),  # a bundle, but not the CA that signed the server
        ("pop3", "starttls", None),
    ],
)
def test_untrusted_certificate_fails_clearly_and_touches_nothing(
    dovecot_tls, tls_mailbox, settings, requester, l1, run_tasks, admin, client,
    protocol, security, bundle,
):  # fmt: skip
    box = tls_mailbox(protocol, security, delete_after_fetch=True)
    settings.MAIL_CA_BUNDLE = str(dovecot_tls.other_ca) if bundle else ""
    dovecot_tls.append(box.username, [make_mail(subject="Must stay")])

    box = poll_in_job(box, run_tasks)
    assert box.last_error.startswith("MailServerError: The certificate of 127.0.0.2:")
    assert "unable to get local issuer certificate" in box.last_error
    assert "OKNO_MAIL_CA_BUNDLE" in box.last_error
    assert box.lease_until is None and box.last_polled_at
    assert not InboundMessage.objects.exists() and not Ticket.objects.exists()
    assert dovecot_tls.count(box.username) == 1  # neither deleted (POP3) ...
    assert len(dovecot_tls.unseen(box.username)) == 1  # ... nor marked read (IMAP)

    client.force_login(admin)
    page = client.get(f"/admin/mail/mailbox/{box.pk}/change/").content.decode()
    assert "is not trusted" in page and "OKNO_MAIL_CA_BUNDLE" in page

    # Trusting the CA fixes it at the next poll, without a restart; the error clears.
    settings.MAIL_CA_BUNDLE = str(dovecot_tls.ca)
    box = poll_in_job(box, run_tasks)
    assert box.last_error == ""
    assert Ticket.objects.get().title == "Must stay"


def test_poll_command_prints_the_certificate_error(dovecot_tls, tls_mailbox, settings):
    from io import StringIO

    from django.core.management import call_command

    box = tls_mailbox("pop3", "tls")
    settings.MAIL_CA_BUNDLE = ""
    out, err = StringIO(), StringIO()
    call_command("okno_mail", "poll", "--mailbox", box.name, stdout=out, stderr=err)
    assert f"{box.name}: MailServerError: The certificate of 127.0.0.2:" in err.getvalue()
    assert Mailbox.objects.get(pk=box.pk).last_error.startswith("MailServerError:")


def test_certificate_for_another_name_is_refused(dovecot_tls, tls_mailbox):
    box = tls_mailbox("imap", "tls", host=WRONG_NAME)  # same server, name not in the cert
    dovecot_tls.append(box.username, [make_mail()])
    with pytest.raises(
        MailServerError,
        match=r"not trusted: IP address mismatch, .* not valid for '127\.0\.0\.3'\. Okno",
    ):
        poll(box)
    assert len(dovecot_tls.unseen(box.username)) == 1


def test_unreadable_ca_bundle_is_named(dovecot_tls, tls_mailbox, settings, tmp_path):
    box = tls_mailbox("imap", "tls")
    settings.MAIL_CA_BUNDLE = str(tmp_path / "missing.pem")
    with pytest.raises(MailServerError, match=r"OKNO_MAIL_CA_BUNDLE: cannot load .*missing\.pem"):
        poll(box)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text(
        "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n"
    )
    settings.MAIL_CA_BUNDLE = str(garbage)
    with pytest.raises(MailServerError, match=r"cannot load .*garbage\.pem"):
        poll(box)


def test_tls_to_a_starttls_port_says_check_the_port(dovecot_tls, tls_mailbox):
    box = tls_mailbox("imap", "tls", port=dovecot_tls.starttls_port)
    with pytest.raises(MailServerError, match=r"TLS with 127\.0\.0\.2:\d+ failed: .*the port"):
        poll(box)


# --------------------------------------------------------------------------- policy


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_server_requiring_encryption_refuses_plain_login_clearly(
    dovecot_tls, tls_mailbox, run_tasks, protocol
):
    box = tls_mailbox(protocol, "plain")
    box.port = dovecot_tls.starttls_port if protocol == "imap" else dovecot_tls.pop3_port
    box.save()
    dovecot_tls.append(box.username, [make_mail()])
    box = poll_in_job(box, run_tasks)
    assert "refuses to log in without encryption: set the security to TLS" in box.last_error
    assert "Plaintext authentication disallowed" in box.last_error  # the server's own words
    assert len(dovecot_tls.unseen(box.username)) == 1


# --------------------------------------------------------------------------- XOAUTH2
# Kept last: a refused login makes Dovecot delay the next logins from the same address.


@pytest.mark.parametrize(("protocol", "security"), [("imap", "tls"), ("pop3", "starttls")])
def test_xoauth2_token_logs_in(
    dovecot_tls, tls_mailbox, monkeypatch, requester, l1, protocol, security
):
    box = tls_mailbox(protocol, security, auth="xoauth2", secret_env="OKNO_TEST_MAIL_TOKEN")
    dovecot_tls.tokens[f"token-{box.username}"] = box.username
    monkeypatch.setenv("OKNO_TEST_MAIL_TOKEN", f"token-{box.username}")
    dovecot_tls.append(box.username, [make_mail(subject=f"OAuth2 {protocol}")])
    assert poll(box).states == {"processed": 1}
    assert Ticket.objects.get().title == f"OAuth2 {protocol}"


def test_wrong_xoauth2_token_fails_clearly(dovecot_tls, tls_mailbox, monkeypatch, run_tasks):
    monkeypatch.setenv("OKNO_TEST_MAIL_TOKEN", "expired-token")
    boxes = [
        tls_mailbox(protocol, "tls", auth="xoauth2", secret_env="OKNO_TEST_MAIL_TOKEN")
        for protocol in ("imap", "pop3")
    ]
    for box in boxes:  # before any refusal: later logins from here are slowed down
        dovecot_tls.append(box.username, [make_mail()])
    for box in boxes:
        box = poll_in_job(box, run_tasks)
        assert "Authentication failed" in box.last_error
        assert "UIDL" not in box.last_error  # POP3: the refusal itself, not a later command
        assert unread_on_disk(dovecot_tls, box.username) == 1
    assert not InboundMessage.objects.exists()


def unread_on_disk(dovecot: Dovecot, user: str) -> int:
    """Unread messages in the user's maildir, read without logging in."""
    inbox = dovecot.root / "mail" / user / "Maildir"
    if not inbox.exists():
        inbox = dovecot.root / "mail" / user
    new = list((inbox / "new").iterdir())
    cur = [p for p in (inbox / "cur").iterdir() if "S" not in p.name.partition(":2,")[2]]
    return len(new) + len(cur)
