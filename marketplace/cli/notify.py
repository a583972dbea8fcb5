"""``flask notify``: the delivery queue's state, a worker, the SMS opt-out list."""

import sys
import time

import click
from flask.cli import AppGroup

from marketplace.errors import InvalidInput

notify_cli = AppGroup("notify", help="站外通知（邮件、群机器人、短信）。")


@notify_cli.command("status")
def status_command() -> None:
    """Print queued / sent / failed deliveries per channel, and each channel's state."""
    from marketplace.models.deliveries import DELIVERY_CHANNELS
    from marketplace.services.notify import channels, delivery_desk

    counts = delivery_desk.status_counts()
    states = {state.channel: state for state in channels.channel_states()}
    click.echo("通道\t状态\t排队\t已发送\t失败\t待汇总")
    for channel, label in DELIVERY_CHANNELS.items():
        row = counts[channel]
        state = "已启用" if states[channel].configured else "未启用"
        queued = row["queued"] + row["sending"]
        click.echo(f"{label}\t{state}\t{queued}\t{row['sent']}\t{row['dead']}\t{row['held']}")


@notify_cli.command("worker")
@click.option("--once", is_flag=True, help="只投递一轮当前到期的消息后退出。")
@click.option("--interval", default=10.0, show_default=True, help="轮询间隔（秒）。")
def worker_command(once: bool, interval: float) -> None:
    """Deliver due messages (once, or for ever every ``--interval`` seconds)."""
    from marketplace.extensions import db
    from marketplace.services.notify.outbox import deliver_due

    while True:
        sent = deliver_due()
        while sent:
            click.echo(f"已发送 {sent} 条")
            sent = deliver_due()
        db.session.remove()
        if once:
            return
        time.sleep(interval)


@notify_cli.command("opt-out")
@click.argument("phone")
def opt_out_command(phone: str) -> None:
    """Put a phone on the SMS opt-out list (it replied 「TD」)."""
    from marketplace.services.notify.delivery_desk import opt_out

    try:
        added = opt_out(phone)
    except InvalidInput as error:
        click.echo(error.message, err=True)
        sys.exit(2)
    click.echo("已加入短信退订名单。" if added else "该号码已在退订名单中。")
