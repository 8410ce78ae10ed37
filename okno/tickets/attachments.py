"""Storing and serving attachments safely.

The content type is sniffed from the bytes (never trusted from the client); files are stored
under their SHA-256; downloads always carry ``nosniff`` and a sandboxing CSP, and only plain
raster images and PDFs may be shown inline.
"""

from __future__ import annotations

import hashlib
import mimetypes
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
# Extensions whose type we accept from the name when the bytes carry no magic number.
TEXTUAL_EXTENSIONS = {
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".xml": "application/xml",
    ".eml": "message/rfc822",
    ".ics": "text/calendar",
    ".md": "text/markdown",
}


@dataclass(frozen=True)
class NewAttachment:
    """A file on its way in (from a form, the API or an email)."""

    filename: str
    content: bytes
    content_id: str = ""


def clean_filename(name: str) -> str:
    """Keep the visible name readable but strip paths and control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    return name.strip(" .")[:200] or "file"


def sniff_content_type(filename: str, content: bytes) -> str:
    kind = filetype.guess(content[:8192])
    if kind is not None:
        return str(kind.mime)
    ext = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in TEXTUAL_EXTENSIONS and _looks_textual(content):
        return TEXTUAL_EXTENSIONS[ext]
    if _looks_textual(content):
        return "text/plain"
    guessed, _encoding = mimetypes.guess_type(filename)
    # Never let a name promise HTML, SVG or script: those would be active content.
    if guessed and not any(t in guessed for t in ("html", "svg", "javascript", "xml")):
        return "application/octet-stream"
    return "application/octet-stream"


def _looks_textual(content: bytes) -> bool:
    sample = content[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(sample) - 4  # a multibyte character cut at the sample edge
    return True


def validate_upload(upload: NewAttachment) -> None:
    if not upload.content:
        raise ValidationError(
            _("The file “%(name)s” is empty."), code="empty", params={"name": upload.filename}
        )
    if len(upload.content) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file “%(name)s” is larger than the limit of %(limit)d MB."),
            code="too_large",
            params={
                "name": upload.filename,
                "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
            },
        )


def build_attachment_fields(upload: NewAttachment) -> dict[str, object]:
    """Everything an Attachment row needs, computed from the bytes."""
    validate_upload(upload)
    filename = clean_filename(upload.filename)
    digest = hashlib.sha256(upload.content).hexdigest()
    return {
        "filename": filename,
        "size": len(upload.content),
        "content_type": sniff_content_type(filename, upload.content),
        "sha256": digest,
        "content_id": upload.content_id[:250],
        "file": ContentFile(upload.content, name=filename),
    }


def may_display_inline(content_type: str) -> bool:
    return content_type in INLINE_TYPES
