"""``flask oversight remind``: the periodic oversight jobs (run daily; idempotent)."""

from datetime import date

import click
from flask.cli import AppGroup

from marketplace.services.oversight.escalation_queues import suggest_escalations
from marketplace.services.oversight.pair_activities import remind_quiet_pairs

oversight_cli = AppGroup("oversight", help="结对督导：季度提醒与上报建议。")


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD。", param_hint="--today") from None


@oversight_cli.command("remind")
@click.option("--today", help="按指定日期运行（YYYY-MM-DD），默认为今天。")
def remind(today):
    """Remind quiet pairs near a quarter's end and suggest escalating stale needs."""
    day = _day(today)
    pairs = remind_quiet_pairs(day)
    needs = suggest_escalations(day)
    click.echo(
        f"已提醒 {pairs} 对本季度尚未登记对接活动的结对；建议上报 {needs} 条长期无人认领的需求。"
    )
