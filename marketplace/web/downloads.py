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
