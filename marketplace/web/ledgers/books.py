"""一社区一册: a community's or a unit's own Excel book, for its staff (and overseers)."""

from urllib.parse import quote

from flask import Blueprint, Response
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.ledgers import ledger_books

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

bp = Blueprint("books", __name__, url_prefix="/books")
# Whose book it is is checked by the service (403 for another community's or unit's).
bp.before_request(page_guard("community", "unit", "reviewer", "admin"))


def _xlsx(filename: str, content: bytes) -> Response:
    response = Response(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@bp.route("/communities/<int:community_id>.xlsx")
def community(community_id: int):
    return _xlsx(*ledger_books.community_book(current_user, community_id))


@bp.route("/units/<int:unit_id>.xlsx")
def unit(unit_id: int):
    return _xlsx(*ledger_books.unit_book(current_user, unit_id))
