"""``flask funds check``: every funds total equals the sum of its entries."""

import sys

import click
from flask.cli import AppGroup

funds_cli = AppGroup("funds", help="帮扶经费与工作经费台账。")


@funds_cli.command("check")
def check_command() -> None:
    """Recount every community's and unit's totals entry by entry; exit 1 on a difference."""
    from marketplace.services.funds.fund_totals import check_funds

    problems = check_funds()
    for line in problems:
        click.echo(line)
    if problems:
        click.echo(f"经费台账不一致：{len(problems)} 处。")
        sys.exit(1)
    click.echo("经费台账一致：各项合计等于逐条记录之和。")
