"""Query-string arguments read the same way by every page."""

from flask import request

from marketplace import clock
from marketplace.errors import InvalidInput
from marketplace.services.oversight.oversight_calendar import check_year


def year_arg() -> int:
    """Return ``?year=`` within the accepted years; absent or out of range: this year."""
    try:
        return check_year(request.args.get("year"))
    except InvalidInput:
        return clock.today().year
