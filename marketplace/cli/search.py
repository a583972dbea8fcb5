"""``flask search …``: rebuild and check the search index, apply pending updates."""

import sys
import time

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="搜索索引。")


@search_cli.command("rebuild")
@click.option("--if-missing", is_flag=True, help="索引已存在且可读时不重建。")
def rebuild_command(if_missing: bool) -> None:
    """Rebuild the search index from the database (into a new folder, then swap)."""
    from marketplace import search
    from marketplace.services.search import search_index

    if if_missing and search.index_exists(search_index.index_root()):
        click.echo("搜索索引已存在，跳过重建。")
        return
    started = time.perf_counter()
    count = search_index.rebuild()
    click.echo(f"搜索索引已重建：{count} 条，用时 {time.perf_counter() - started:.1f} 秒。")


@search_cli.command("check")
def check_command() -> None:
    """List listings that differ between the database and the index; exit 1 if any."""
    from marketplace.services.search import search_index

    problems = search_index.check()
    for problem in problems:
        click.echo(f"{problem.key}\t{problem.problem}\t{problem.label}")
    pending = search_index.pending_count()
    if problems:
        click.echo(f"索引与数据库不一致：{len(problems)} 条（待处理更新 {pending} 条）。")
        sys.exit(1)
    click.echo(f"索引与数据库一致（待处理更新 {pending} 条）。")


@search_cli.command("sync")
def sync_command() -> None:
    """Apply the pending index updates queued in the outbox."""
    from marketplace import search
    from marketplace.services.search import search_index

    try:
        applied = search_index.drain()
    except search.IndexBusy:
        click.echo("另一个索引更新进程正在处理，请稍后再试。", err=True)
        sys.exit(1)
    click.echo(f"已处理 {applied} 条待更新索引。")


@search_cli.command("worker")
@click.option("--interval", type=float, default=None, help="两次检查之间的秒数（默认取配置）。")
@click.option("--once", is_flag=True, help="处理完当前待更新后退出。")
def worker_command(interval: float | None, once: bool) -> None:
    """Apply queued index updates as they arrive, until stopped (one per machine).

    Run it with SEARCH_INDEXER=off in the web processes; it may also run beside their
    background threads (only one indexer of this index applies at a time).
    """
    from flask import current_app

    from marketplace.services.search import search_index

    interval = interval or current_app.config["SEARCH_DRAIN_INTERVAL"]
    click.echo(f"搜索索引更新进程已启动（每 {interval:g} 秒检查一次，Ctrl+C 退出）。")
    try:
        while True:
            applied = search_index.drain_pending()
            if applied:
                click.echo(f"已处理 {applied} 条待更新索引。")
            if once:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("搜索索引更新进程已退出。")


@search_cli.command("synonyms")
@click.option("--add", "add", default=None, help='加入一组同义词，空格分隔，如 "停车场 停车位"。')
@click.option("--remove", "remove", default=None, help="从同义词表中删去一个词。")
def synonyms_command(add: str | None, remove: str | None) -> None:
    """List the search synonyms, or add a group / remove a word (takes effect at once)."""
    from marketplace.errors import DomainError
    from marketplace.services.search import search_synonyms

    try:
        if add:
            merged = search_synonyms.add_group(add.split())
            click.echo("已加入同义词组：" + " ".join(merged))
        if remove:
            search_synonyms.remove_word(remove)
            click.echo(f"已删去：{remove}")
    except DomainError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    for group in search_synonyms.groups():
        click.echo(" ".join(group))
    click.echo(f"（共 {len(search_synonyms.groups())} 组，文件：{search_synonyms.active_path()}）")


@search_cli.command("replicas")
@click.option("--forget", "forget", default=None, help="注销一个已停用机器的索引副本。")
def replicas_command(forget: str | None) -> None:
    """List the index replicas following the change log (or unregister one)."""
    from marketplace.extensions import db
    from marketplace.services.search import search_indexer, search_replicas

    if forget:
        if not search_replicas.forget(db.session, forget):
            click.echo(f"没有名为“{forget}”的索引副本。", err=True)
            sys.exit(1)
        click.echo(f"已注销索引副本：{forget}")
    here = search_indexer.replica_name()
    for replica, behind in search_replicas.listing(db.session):
        flags = ("（本机）" if replica.name == here else "") + (
            "（需重建）" if replica.needs_rebuild else ""
        )
        click.echo(
            f"{replica.name}\t位置 {replica.position}\t落后 {behind} 条\t"
            f"更新于 {replica.updated_at:%Y-%m-%d %H:%M:%S}{flags}"
        )
