"""TLS for the IMAP/POP3 pollers: certificates are always verified (system CAs plus the
optional ``MAIL_CA_BUNDLE``), and connection failures get a message an administrator can act
on, since it is shown as the mailbox's *last error* in the admin."""

from __future__ import annotations

import ssl

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import Mailbox

# Server answers that mean "encrypt first": IMAP (RFC 3501 LOGINDISABLED, RFC 5530
# PRIVACYREQUIRED) and Dovecot's POP3/IMAP wording.
_NEEDS_ENCRYPTION = ("PRIVACYREQUIRED", "LOGINDISABLED", "Plaintext authentication disallowed")


class MailServerError(Exception):
    """A mailbox could not be read, with the reason and what to change."""


def ssl_context() -> ssl.SSLContext:
    """A verifying client context, built per connection so a replaced bundle needs no restart."""
    context = ssl.create_default_context()
    bundle = settings.MAIL_CA_BUNDLE
    if bundle:
        try:
            context.load_verify_locations(cafile=bundle)
        except (OSError, ssl.SSLError) as exc:
            raise MailServerError(
                _("OKNO_MAIL_CA_BUNDLE: cannot load %(path)s (%(reason)s).")
                % {"path": bundle, "reason": exc}
            ) from exc
    return context


def explain(exc: BaseException, mailbox: Mailbox) -> MailServerError | None:
    """A clearer error for the usual TLS mistakes; None leaves the original as it is."""
    server = f"{mailbox.host}:{mailbox.effective_port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailServerError(
            _(
                "The certificate of %(server)s is not trusted: %(reason)s. Okno always "
                "verifies certificates: check the server name, or add the certificate "
                "authority of a private server to OKNO_MAIL_CA_BUNDLE."
            )
            % {"server": server, "reason": str(exc.verify_message or exc).rstrip(".")}
        )
    if isinstance(exc, ssl.SSLError):
        return MailServerError(
            _(
                "TLS with %(server)s failed: %(reason)s. Check the security setting and "
                "the port (implicit TLS: 993 IMAP, 995 POP3; STARTTLS: 143, 110)."
            )
            % {"server": server, "reason": exc}
        )
    text = str(exc)
    if any(marker in text for marker in _NEEDS_ENCRYPTION):
        return MailServerError(
            _(
                "%(server)s refuses to log in without encryption: set the security to TLS "
                "or STARTTLS. Server answer: %(reason)s"
            )
            % {"server": server, "reason": text}
        )
    return None
