"""``flask pairing …``: solve the loaded county's pairing from the command line."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import County
from marketplace.pairing.scoring import ScoreWeights
from marketplace.services.pairing.pairing_scores import (
    county_problem,
    county_scores,
    needs_coverage,
)

pairing_cli = AppGroup("pairing", help="单位与社区结对。")


def _county(name: str | None) -> County:
    query = select(County).order_by(County.id)
    if name:
        query = query.where(County.name == name)
    county = db.session.scalar(query.limit(1))
    if county is None:
        raise click.ClickException(f"没有找到县：{name}" if name else "数据库中还没有任何县。")
    return county


@pairing_cli.command("run")
@click.option("--county", "county_name", help="县名（默认为数据库中的第一个县）。")
@click.option(
    "--min",
    "min_quota",
    type=click.IntRange(min=0),
    default=8,
    show_default=True,
    help="每个社区最少结对单位数。",
)
@click.option(
    "--max",
    "max_quota",
    type=click.IntRange(min=0),
    default=8,
    show_default=True,
    help="每个社区最多结对单位数。",
)
@click.option(
    "--capacity",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="每家单位最多结对社区数。",
)
@click.option(
    "--coverage",
    type=click.FloatRange(min=0),
    default=0.6,
    show_default=True,
    help="需求覆盖权重。",
)
@click.option(
    "--proximity",
    type=click.FloatRange(min=0),
    default=0.25,
    show_default=True,
    help="距离远近权重。",
)
@click.option(
    "--continuity",
    type=click.FloatRange(min=0),
    default=0.15,
    show_default=True,
    help="延续现有结对权重。",
)
def run(county_name, min_quota, max_quota, capacity, coverage, proximity, continuity):
    """Solve the county's pairing and print a per-community summary (saves nothing)."""
    if min_quota > max_quota:
        raise click.UsageError("--min 不能大于 --max。")
    county = _county(county_name)
    scores = county_scores(county.id, ScoreWeights(coverage, proximity, continuity))
    from marketplace.pairing import solve  # SciPy only when a command solves

    result = solve(county_problem(scores, min_quota, max_quota, capacity))
    if result.status != "optimal":
        click.echo(f"无法结对：{result.reason}", err=True)
        raise SystemExit(1)
    units = {str(unit.id): unit for unit in scores.units}
    chosen: dict[str, list[str]] = {}
    for unit_id, community_id in result.pairs:
        chosen.setdefault(community_id, []).append(unit_id)
    click.echo(
        f"{county.name}：{len(scores.communities)} 个社区，{len(scores.units)} 家单位，"
        f"共 {len(result.pairs)} 个结对，总分 {result.total_score:.3f}"
    )
    for community in scores.communities:
        members = chosen.get(str(community.id), [])
        parts = [scores.parts[int(u), community.id] for u in members]
        _covered, uncovered = needs_coverage(community.id, [int(u) for u in members])
        click.echo(
            f"\n{community.name}（{len(members)} 家，得分 {sum(p.total for p in parts):.3f}，"
            f"未覆盖需求 {len(uncovered)} 条）"
        )
        for unit_id, part in sorted(zip(members, parts, strict=True), key=lambda x: -x[1].total):
            click.echo(
                f"  {units[unit_id].name}  {part.total:.3f}"
                f"（覆盖 {part.coverage:.3f} + 距离 {part.proximity:.3f}"
                f" + 延续 {part.continuity:.3f}）"
            )
