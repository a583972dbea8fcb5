"""State changes that hold when two people act on the same row at the same moment.

A service checks a row's state, then changes it; between the two another request may
have changed it. So the change is one conditional UPDATE (compare-and-set): it applies
only while the row still meets the conditions the service checked, and of two requests
racing, the second matches nothing and is refused with the row's state as it now is.
"""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import update

from marketplace.errors import Conflict
from marketplace.extensions import db

Row = TypeVar("Row")


def move_if(row: Row, conditions: tuple, values: dict, refusal: str | Callable[[Row], str]) -> None:
    """Apply ``values`` to ``row`` only while ``conditions`` hold, else raise ``Conflict``.

    ``refusal`` words the conflict, from the row as another request left it when callable.
    The row is refreshed either way; on refusal the transaction is rolled back.
    """
    model = type(row)
    changed = db.session.execute(
        update(model)
        .where(model.id == row.id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(row)
    if changed != 1:
        message = refusal(row) if callable(refusal) else refusal
        db.session.rollback()
        raise Conflict(message)
