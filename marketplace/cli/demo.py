"""``flask demo load``: the fictional demo county of DESIGN §8."""

import click
from flask.cli import AppGroup

from marketplace.demo.county import database_has_places, load_demo_county

demo_cli = AppGroup("demo", help="演示数据。")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="仅当数据库中还没有任何社区时才载入。")
def load(if_empty):
    """Load the demo county into the database; a second run changes nothing."""
    if if_empty and database_has_places():
        click.echo("数据库中已有社区数据，跳过演示数据载入。")
        return

    def progress(step: str, done: int, total: int) -> None:
        click.echo(f"\r  {step}：{done}/{total}", nl=done >= total)

    result = load_demo_county(progress=progress)
    if result.created:
        click.echo(f"演示县“{result.county_name}”已载入：{result.summary}")
    else:
        click.echo(f"演示县“{result.county_name}”已存在，未做改动。")
