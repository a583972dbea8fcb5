"""社区共建资源对接平台 — a county's need/offer marketplace and unit-community pairing.

Kept import-light on purpose: ``python -m marketplace.pairing`` and the search index
must run without Flask or a database, so the app factory is imported lazily.
"""


def create_app(config=None):
    """Build the Flask application (see ``marketplace.app``)."""
    from marketplace.app import create_app as _create_app

    return _create_app(config)
