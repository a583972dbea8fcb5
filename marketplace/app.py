"""The application factory: reads like a table of contents."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from marketplace.config import INSTANCE_DIR, PACKAGE_DIR, build_config, resource_folder
from marketplace.database import configure_engine, use_request_intent
from marketplace.extensions import bootstrap, csrf, db, login_manager, migrate
from marketplace.services.access import MAX_ID


class DatabaseIdConverter(IntegerConverter):
    """An ``int`` URL part that fits a 32-bit INTEGER column (PostgreSQL's and SQLite's ids)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    """Create and configure the marketplace application."""
    app = Flask(
        __name__,
        template_folder=str(resource_folder("templates")),
        static_folder=str(resource_folder("static")),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(build_config(config))
    if app.config["TRUSTED_PROXIES"]:  # behind nginx: the client is in X-Forwarded-For
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    # Every <int:…> in a URL is a database id: larger numbers are 404, not an overflow.
    app.url_map.converters["int"] = DatabaseIdConverter
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    use_request_intent(app)
    from marketplace import auth, search_sync  # noqa: F401  (search_sync registers listeners)

    auth.init_login_manager(login_manager)
    from marketplace.services.search import search_indexer

    search_indexer.init_app(app)
    from marketplace.services.notify import worker as notify_worker

    notify_worker.init_app(app)


def register_blueprints(app: Flask) -> None:
    from marketplace.api import api_bp
    from marketplace.web import blueprints

    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # token-authenticated, never reads the session cookie
    app.register_blueprint(api_bp)


def register_errorhandlers(app: Flask) -> None:
    from marketplace.errors import init_error_handlers

    init_error_handlers(app)


def register_security(app: Flask) -> None:
    from marketplace.input_guard import init_input_guard
    from marketplace.logs import init_request_logging
    from marketplace.security import init_security

    init_security(app)
    init_input_guard(app)
    init_request_logging(app)


def register_template_helpers(app: Flask) -> None:
    from marketplace.web.templating import init_templating

    init_templating(app)


def register_commands(app: Flask) -> None:
    from marketplace.cli import commands

    for command in commands:
        app.cli.add_command(command)
