"""``flask users …``: create accounts and issue API tokens."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.clock import local_time
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models import ROLES, Community, Township, Unit, User
from marketplace.services import accounts, api_tokens

users_cli = AppGroup("users", help="创建用户、签发与吊销 API 令牌。")


def _lookup(model, name: str | None):
    if not name:
        return None
    found = db.session.scalar(select(model).where(model.name == name))
    if found is None:
        kind = {Community: "社区", Unit: "单位", Township: "乡镇（街道）"}[model]
        raise click.ClickException(f"找不到名为 {name} 的{kind}。")
    return found


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(sorted(ROLES)), required=True, help="角色")
@click.option("--community", "community_name", help="社区名称（社区工作人员必填）")
@click.option("--unit", "unit_name", help="单位名称（单位书记必填）")
@click.option("--township", "township_name", help="乡镇（街道）名称（乡镇工作人员必填）")
@click.option("--name", "display_name", default="", help="姓名")
@click.password_option("--password", help="密码（不提供则交互输入）")
def create_user(username, role, community_name, unit_name, township_name, display_name, password):
    """Create a user account bound to its community or unit."""
    try:
        user = accounts.create_user(
            username,
            password,
            role,
            community=_lookup(Community, community_name),
            unit=_lookup(Unit, unit_name),
            township=_lookup(Township, township_name),
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


@users_cli.command("revoke-token")
@click.argument("username")
@click.option("--id", "token_id", type=int, help="只吊销这个编号的令牌（见 --list）")
@click.option("--list", "list_only", is_flag=True, help="列出该用户的令牌，不吊销")
def revoke_token(username, token_id, list_only):
    """Revoke USERNAME's API tokens (all live ones, or one with --id); --list shows them."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在。")
    tokens = api_tokens.tokens_of(user)
    if list_only:
        for token in tokens:
            state = "有效" if api_tokens.is_live(token) else "已失效"
            used = local_time(token.last_used_at) or "从未使用"
            click.echo(f"#{token.id}  {state}  {token.label or '—'}  最近使用：{used}")
        return
    if token_id is not None:
        if token_id not in {token.id for token in tokens}:
            raise click.ClickException(f"用户 {username} 没有编号为 {token_id} 的令牌。")
        api_tokens.revoke_token(None, token_id)
        click.echo(f"已吊销令牌 #{token_id}。")
        return
    count = api_tokens.revoke_all(user, "revoked from the command line")
    db.session.commit()
    click.echo(f"已吊销 {username} 的 {count} 个令牌。")
