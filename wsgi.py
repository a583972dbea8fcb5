"""WSGI entry point: ``flask --app wsgi …`` and production servers import ``app``."""

from marketplace import create_app

app = create_app()
