"""``flask wishes expire``: close open wishes past their deadline (run daily)."""

import click
from flask.cli import AppGroup

from marketplace.services.wishes.wishes import expire_wishes

wishes_cli = AppGroup("wishes", help="微心愿维护。")


@wishes_cli.command("expire")
def expire():
    """Mark open wishes whose deadline has passed as expired (idempotent)."""
    count = expire_wishes()
    click.echo(f"已将 {count} 个过期未认领的微心愿标记为“已过期”。")
