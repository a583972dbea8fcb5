"""Coverage: communities × the 12 categories — open, claimed, done and uncovered needs.

A need is *uncovered* when no unit paired with its community (published plan) offers a
published service or facility of the need's type. One query per ingredient, so the map
costs the same few queries for 11 communities or 500.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from marketplace.errors import Forbidden, NotFound
from marketplace.extensions import db
from marketplace.models import Category, Community, Need, Offer, ServiceType, User
from marketplace.services.access import valid_id
from marketplace.services.oversight.oversight_scope import overseen_communities, published_pairs

BUCKETS = {"open": "待认领", "claimed": "已认领", "done": "已完成", "uncovered": "无结对单位可提供"}
NEED_BUCKET = {
    "published": "open",
    "partly_claimed": "open",
    "fully_claimed": "claimed",
    "in_progress": "claimed",
    "completed": "done",
    "evaluated": "done",
}


@dataclass
class CoverageCell:
    open: int = 0
    claimed: int = 0
    done: int = 0
    uncovered: int = 0  # open needs of a type no paired unit offers

    @property
    def total(self) -> int:
        return self.open + self.claimed + self.done


@dataclass
class CoverageGrid:
    communities: list[Community]
    categories: list[Category]
    cells: dict[tuple[int, int], CoverageCell] = field(default_factory=dict)

    def cell(self, community_id: int, category_id: int) -> CoverageCell:
        return self.cells.get((community_id, category_id), CoverageCell())


def _offered_types(community_ids) -> dict[int, set[int]]:
    """Return per community the service types its paired units offer."""
    pairs = published_pairs(community_ids)
    units_of: dict[int, set[int]] = {}
    for pair in pairs:
        units_of.setdefault(pair.community_id, set()).add(pair.unit_id)
    all_units = set().union(*units_of.values()) if units_of else set()
    by_unit: dict[int, set[int]] = {}
    if all_units:
        rows = db.session.execute(
            select(Offer.unit_id, Offer.type_id).where(
                Offer.status == "published", Offer.unit_id.in_(all_units)
            )
        )
        for unit_id, type_id in rows:
            by_unit.setdefault(unit_id, set()).add(type_id)
    return {
        community_id: set().union(*(by_unit.get(unit, set()) for unit in units))
        for community_id, units in units_of.items()
    }


def coverage_grid(actor: User) -> CoverageGrid:
    """Return the coverage of the actor's communities (reviewer: all; township: its own)."""
    communities = overseen_communities(actor)
    categories = list(db.session.scalars(select(Category).order_by(Category.position)))
    grid = CoverageGrid(communities, categories)
    ids = [community.id for community in communities]
    if not ids:
        return grid
    offered = _offered_types(ids)
    rows = db.session.execute(
        select(Need.community_id, ServiceType.category_id, Need.type_id, Need.status)
        .join(ServiceType, ServiceType.id == Need.type_id)
        .where(Need.community_id.in_(ids), Need.status.in_(list(NEED_BUCKET)))
    )
    for community_id, category_id, type_id, status in rows:
        cell = grid.cells.setdefault((community_id, category_id), CoverageCell())
        bucket = NEED_BUCKET[status]
        setattr(cell, bucket, getattr(cell, bucket) + 1)
        if bucket == "open" and type_id not in offered.get(community_id, set()):
            cell.uncovered += 1
    return grid


def coverage_detail(actor: User, community_id, category_id) -> dict:
    """Return one cell's needs, each marked covered or not, for the drill-down page."""
    community = db.session.get(Community, community_id) if valid_id(community_id) else None
    category = db.session.get(Category, category_id) if valid_id(category_id) else None
    if community is None or category is None:
        raise NotFound("社区或类别不存在。")
    if community.id not in {c.id for c in overseen_communities(actor)}:
        raise Forbidden("只能查看本乡镇（街道）社区的覆盖情况。")
    offered = _offered_types([community.id]).get(community.id, set())
    needs = db.session.scalars(
        select(Need)
        .join(ServiceType, ServiceType.id == Need.type_id)
        .where(
            Need.community_id == community.id,
            ServiceType.category_id == category.id,
            Need.status.in_(list(NEED_BUCKET)),
        )
        .order_by(Need.status, Need.id)
    ).all()
    rows = [
        {"need": need, "bucket": NEED_BUCKET[need.status], "covered": need.type_id in offered}
        for need in needs
    ]
    return {"community": community, "category": category, "rows": rows}
