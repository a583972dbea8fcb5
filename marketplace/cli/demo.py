"""``flask demo load``: the fictional demo county (``docs/user-guide.md``)."""

import click
from flask.cli import AppGroup

from marketplace.demo.county import database_has_places, load_demo_county

demo_cli = AppGroup("demo", help="演示数据。")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="仅当数据库中还没有任何社区时才载入。")
@click.option(
    "--scale",
    type=click.Choice(["county", "city"]),
    default="county",
    help="county：演示县；city：500 个社区、4000 家单位、10 万条清单（压测用）。",
)
def load(if_empty, scale):
    """Load the demo county into the database; a second run changes nothing."""
    if if_empty and database_has_places():
        click.echo("数据库中已有社区数据，跳过演示数据载入。")
        return

    def progress(step: str, done: int, total: int) -> None:
        click.echo(f"\r  {step}：{done}/{total}", nl=done >= total)

    if scale == "city":
        _load_city(progress)
        return
    result = load_demo_county(progress=progress)
    if result.created:
        click.echo(f"演示县“{result.county_name}”已载入：{result.summary}")
    else:
        click.echo(f"演示县“{result.county_name}”已存在，未做改动。")


def _load_city(progress) -> None:
    import time

    from marketplace.demo.city import load_demo_city
    from marketplace.services.search import search_index

    started = time.perf_counter()
    result = load_demo_city(progress=progress)
    if not result.created:
        click.echo(f"演示市“{result.county_name}”已存在，未做改动。")
        return
    seconds = time.perf_counter() - started
    click.echo(f"演示市“{result.county_name}”已载入：{result.summary}（{seconds:.0f} 秒）")
    click.echo("正在重建搜索索引……")
    count = search_index.rebuild()
    click.echo(f"搜索索引已重建：{count} 条，共用时 {time.perf_counter() - started:.0f} 秒。")
