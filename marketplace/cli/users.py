"""``flask users …``: create accounts and issue API tokens."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models import ROLES, Community, Unit
from marketplace.services import accounts

users_cli = AppGroup("users", help="创建用户、签发 API 令牌。")


def _lookup(model, name: str | None):
    if not name:
        return None
    found = db.session.scalar(select(model).where(model.name == name))
    if found is None:
        raise click.ClickException(
            f"找不到名为 {name} 的{'社区' if model is Community else '单位'}。"
        )
    return found


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(sorted(ROLES)), required=True, help="角色")
@click.option("--community", "community_name", help="社区名称（社区工作人员必填）")
@click.option("--unit", "unit_name", help="单位名称（单位书记必填）")
@click.option("--name", "display_name", default="", help="姓名")
@click.password_option("--password", help="密码（不提供则交互输入）")
def create_user(username, role, community_name, unit_name, display_name, password):
    """Create a user account bound to its community or unit."""
    try:
        user = accounts.create_user(
            username,
            password,
            role,
            community=_lookup(Community, community_name),
            unit=_lookup(Unit, unit_name),
            display_name=display_name,
        )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已创建用户 {user.username}（{user.role_label}）。")


@users_cli.command("token")
@click.argument("username")
@click.option("--label", default="命令行签发", help="令牌用途说明")
def issue_token(username, label):
    """Print a new personal API token for USERNAME (shown once, stored hashed)."""
    user = accounts.find_user(username)
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在。")
    click.echo(accounts.issue_api_token(user, label))
