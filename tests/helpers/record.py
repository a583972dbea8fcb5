"""``assert_record_consistent(app)``: the county record check, for the end of a scenario."""

from flask import has_app_context

from marketplace import search
from marketplace.services import record_check


def assert_record_consistent(app) -> None:
    """Fail, naming each difference, when a stored figure disagrees with its source.

    The search index is compared only when the scenario built one (a test app starts
    without an index, and every listing would then read as missing).
    """
    from marketplace.extensions import db
    from marketplace.services.search.search_index import index_root

    if has_app_context():
        db.session.commit()  # on SQLite the test's open transaction holds the write lock
    with app.app_context():
        skip = set() if search.index_exists(index_root()) else {"search.index"}
        names = [check.name for check in record_check.registered_checks() if check.name not in skip]
        found = record_check.differences(record_check.run_checks(names))
    assert not found, "\n".join(found)
