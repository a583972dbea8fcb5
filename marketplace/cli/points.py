"""``flask points …``: check members' balances against their ledgers; posts' counts."""

import sys

import click
from flask.cli import AppGroup

points_cli = AppGroup("points", help="党员积分。")


@points_cli.command("check")
def check_command() -> None:
    """Compare every member's balance with the sum of their entries; exit 1 on a difference."""
    from marketplace.services.members import points, posts

    mismatches = points.balance_mismatches()
    for member, stored, total in mismatches:
        click.echo(f"党员 #{member.id} {member.name}：余额 {stored}，台账合计 {total}")
    post_problems = posts.check_post_counts()
    for line in post_problems:
        click.echo(line)
    if mismatches or post_problems:
        click.echo(f"不一致：积分 {len(mismatches)} 人，岗位 {len(post_problems)} 个。")
        sys.exit(1)
    click.echo("积分余额与台账一致，岗位人数与选岗一致。")
