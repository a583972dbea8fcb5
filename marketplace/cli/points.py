"""``flask points check``: the members' part of ``flask check`` (balances, post places)."""

import sys

import click
from flask.cli import AppGroup

points_cli = AppGroup("points", help="党员积分。")
CHECKS = ["points.balance", "posts.taken"]


@points_cli.command("check")
def check_command() -> None:
    """Compare every member's balance with their ledger, each post with its members."""
    from marketplace.services import record_check

    found = record_check.differences(record_check.run_checks(CHECKS))
    for line in found:
        click.echo(line)
    if found:
        click.echo(f"不一致 {len(found)} 处（完整检查：flask check）。")
        sys.exit(1)
    click.echo("积分余额与台账一致，岗位人数与选岗一致。")
