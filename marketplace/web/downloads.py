"""File downloads with Chinese names (RFC 6266 with RFC 5987 ``filename*``)."""

from urllib.parse import quote

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content, mimetype: str, name: str, fallback: str) -> Response:
    """Return ``content`` as a download saved as ``name`` (``fallback``: ASCII, old clients)."""
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response


# A stored upload is shown, never run: no sniffing, no scripts, no same-origin rights.
UPLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, max-age=3600",
}


def stored_file(attachment, data: bytes, *, thumbnail: bool = False) -> Response:
    """Return an attachment's bytes (images inline, PDFs as a download) with safe headers."""
    if thumbnail:
        return Response(data, mimetype="image/jpeg", headers=UPLOAD_HEADERS)
    extension = attachment.storage_key.rsplit(".", 1)[-1]
    disposition = "inline" if attachment.is_image else "attachment"
    headers = {
        **UPLOAD_HEADERS,
        "Content-Disposition": f"{disposition}; filename=attachment-{attachment.id}.{extension}",
    }
    return Response(data, mimetype=attachment.content_type, headers=headers)
