"""Attachment download: permission-checked, never rendered as active content."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from okno.accounts.queries import can_work_on, get_ticket_for

from .attachments import may_display_inline
from .models import ArticleKind, Attachment


@login_required
def download_attachment(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    attachment = Attachment.objects.select_related("article").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    ticket = get_ticket_for(request.user, attachment.ticket_id)
    if (
        attachment.article is not None
        and attachment.article.kind == ArticleKind.NOTE
        and not can_work_on(request.user, ticket)
    ):
        raise Http404  # files on internal notes are for agents only
    inline = may_display_inline(attachment.content_type) and request.GET.get("download") != "1"
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=not inline
    )
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{quote(attachment.filename)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
