"""``flask check``: recompute every stored figure from its source; exit 1 on a difference."""

import sys

import click


@click.command("check")
@click.option("--only", multiple=True, help="只运行指定检查（可重复），如 need.claimed。")
def check_command(only: tuple[str, ...]) -> None:
    """Print one line per difference between a stored figure and its source; exit 1 if any."""
    from marketplace.services import record_check

    known = {check.name for check in record_check.registered_checks()}
    unknown = sorted(set(only) - known)
    if unknown:
        click.echo(
            f"没有这个检查：{'、'.join(unknown)}（可选：{'、'.join(sorted(known))}）。", err=True
        )
        sys.exit(2)
    results = record_check.run_checks(list(only) or None)
    found = record_check.differences(results)
    for line in found:
        click.echo(line)
    if found:
        click.echo(f"发现 {len(found)} 处不一致（共检查 {len(results)} 项）。")
        sys.exit(1)
    click.echo(f"{len(results)} 项检查全部一致：" + "、".join(r.label for r in results) + "。")
