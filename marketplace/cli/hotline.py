"""``flask hotline overdue``: mark and notify tickets past their time limits (run often)."""

import click
from flask.cli import AppGroup

from marketplace.services.hotline.hotline_queries import mark_overdue_tickets

hotline_cli = AppGroup("hotline", help="志愿服务110 维护。")


@hotline_cli.command("overdue")
def overdue():
    """Mark tickets not dispatched or not served within their limits, once each (idempotent)."""
    count = mark_overdue_tickets()
    click.echo(f"新标记 {count} 张超时工单，并已通知调度员和服务队负责人。")
