"""``flask taxonomy load``: install the shipped 12-category / 53-type taxonomy."""

import click
from flask.cli import AppGroup

from marketplace.services.exchange.taxonomy import load_taxonomy

taxonomy_cli = AppGroup("taxonomy", help="服务分类（12 大类 53 种）。")


@taxonomy_cli.command("load")
def load():
    """Insert missing categories and types from the shipped data (idempotent)."""
    added = load_taxonomy()
    click.echo(f"分类已就绪：新增 {added['categories']} 个大类、{added['types']} 个类型。")
