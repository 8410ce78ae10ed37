"""`okno mail import FILE.eml|FILE.mbox` and `okno mail poll` as an administrator runs them."""

from __future__ import annotations

import mailbox
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from okno.mail.models import InboundMessage
from okno.tickets.models import Ticket

from .conftest import make_mail

pytestmark = pytest.mark.django_db


def test_import_eml_and_mbox_is_idempotent(tmp_path, requester, l1):
    eml = tmp_path / "one.eml"
    eml.write_bytes(make_mail(subject="From a file", message_id="<file-1@acme.test>"))
    box = mailbox.mbox(str(tmp_path / "many.mbox"))
    for n in range(3):
        box.add(make_mail(subject=f"Archived {n}", message_id=f"<arch-{n}@acme.test>"))
    box.add(make_mail(subject="Re: Archived 0", in_reply_to="<arch-0@acme.test>"))
    box.flush()
    out = StringIO()
    call_command("okno_mail", "import", str(eml), str(tmp_path / "many.mbox"), stdout=out)
    assert "Imported 5 message(s): processed: 5" in out.getvalue()
    assert Ticket.objects.count() == 4
    assert Ticket.objects.get(title="Archived 0").articles.count() == 2
    call_command("okno_mail", "import", str(eml), str(tmp_path / "many.mbox"), stdout=StringIO())
    assert Ticket.objects.count() == 4 and InboundMessage.objects.count() == 5


def test_import_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("okno_mail", "import", str(tmp_path / "nope.eml"))


def test_poll_without_mailboxes_explains_what_to_do():
    with pytest.raises(CommandError, match="Add one in the admin"):
        call_command("okno_mail", "poll")


def test_poll_command_reads_a_dovecot_mailbox(dovecot, mailbox_for, requester, l1):
    box = mailbox_for("imap")
    dovecot.append(box.username, [make_mail(subject=f"Polled {n}") for n in range(12)])
    out = StringIO()
    call_command("okno_mail", "poll", "--mailbox", box.name, stdout=out)
    assert "12 message(s)" in out.getvalue()
    assert Ticket.objects.count() == 12
    assert dovecot.unseen(box.username) == []
