"""``flask excel …``: import communities, units and needs; export the ledgers."""

from pathlib import Path

import click
from flask.cli import AppGroup

from marketplace.errors import DomainError
from marketplace.services.ledgers import imports, ledgers

excel_cli = AppGroup("excel", help="Excel 导入与台账导出。")


@excel_cli.command("import")
@click.argument("kind", type=click.Choice(sorted(imports.COLUMNS)))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查，不写入数据库。")
def import_sheet(kind: str, path: Path, dry_run: bool):
    """Import a sheet of communities, units or needs (all rows or none)."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"无法读取文件 {path}：{error.strerror}") from None

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            click.echo(f"\r  检查与写入：{done}/{total}", nl=done >= total, err=True)

    try:
        report = imports.import_workbook(None, kind, content, dry_run=dry_run, progress=progress)
    except imports.ImportRefused as refused:
        for line in refused.report.errors:
            click.echo(f"  {line}", err=True)
        raise click.ClickException(f"未导入：{len(refused.report.errors)} 处错误。") from None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(("检查通过（未写入）：" if dry_run else "已导入：") + report.summary)


@excel_cli.command("export")
@click.argument("kind", type=click.Choice(sorted(ledgers.LEDGERS)))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_ledger(kind: str, path: Path):
    """Write the need, offer or project ledger to an .xlsx file."""
    try:
        path.write_bytes(ledgers.ledger_workbook(kind))
    except OSError as error:
        raise click.ClickException(f"无法写入文件 {path}：{error.strerror}") from None
    click.echo(f"{ledgers.LEDGERS[kind]}已导出到 {path}")


@excel_cli.command("template")
@click.argument("kind", type=click.Choice(sorted(imports.COLUMNS)))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def write_template(kind: str, path: Path):
    """Write an empty import sheet with its header and an example row."""
    path.write_bytes(imports.template_workbook(kind))
    click.echo(f"导入模板已写入 {path}")
