"""``flask jobs run``: do the periodic work that is due (cron every few minutes)."""

import sys

import click
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="定期任务（过期、清理、索引）。")


@jobs_cli.command("run")
@click.option("--only", multiple=True, help="只运行指定任务（可重复），如 needs.expire。")
def run_command(only: tuple[str, ...]) -> None:
    """Run every registered job once; print what each did; exit 1 if one failed."""
    from marketplace.services import jobs

    known = {name for name, _ in jobs.JOBS}
    unknown = sorted(set(only) - known)
    if unknown:
        click.echo(
            f"没有这个任务：{'、'.join(unknown)}（可选：{'、'.join(sorted(known))}）。", err=True
        )
        sys.exit(2)
    results = jobs.run_due(only=list(only) or None)
    for result in results:
        click.echo(result.line)
    if any(result.error for result in results):
        sys.exit(1)


@jobs_cli.command("list")
def list_command() -> None:
    """List the registered jobs in the order they run."""
    from marketplace.services import jobs

    for name, _ in jobs.JOBS:
        click.echo(name)
