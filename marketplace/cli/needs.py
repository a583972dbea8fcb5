"""``flask needs expire``: close unclaimed needs whose window has passed (run daily)."""

import click
from flask.cli import AppGroup

from marketplace.services.exchange.needs import expire_overdue_needs

needs_cli = AppGroup("needs", help="需求清单维护。")


@needs_cli.command("expire")
def expire():
    """Mark unclaimed published needs past their end date as expired."""
    count = expire_overdue_needs()
    click.echo(f"已将 {count} 条过期未认领的需求标记为“已过期”。")
