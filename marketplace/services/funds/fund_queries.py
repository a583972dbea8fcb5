"""What each role sees of the funds ledger: its overview for a year and its entries."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.errors import Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Claim, Community, FundEntry, Need, Unit, User
from marketplace.models.funds import ENTRY_STATUSES, FUND_KINDS
from marketplace.services.access import (
    acts_for_unit,
    has_role,
    is_community_staff,
    oversees_community,
    require_role,
    valid_id,
)
from marketplace.services.funds import fund_totals
from marketplace.services.funds.fund_totals import year_bounds
from marketplace.services.oversight.oversight_scope import actor_community_ids
from marketplace.services.pagination import Page, paginate

READERS = ("community", "unit", "township", "reviewer")


@dataclass
class Overview:
    year: int
    totals: fund_totals.Totals
    pairs: list[fund_totals.PairRow]
    communities: list[fund_totals.PlaceRow]
    townships: list[fund_totals.PlaceRow]
    of_unit: bool = False

    def cards(self) -> list[tuple[str, int]]:
        """Return the headline figures: a unit's pledge and contributions, else all five."""
        given = [("帮扶承诺", self.totals.pledged), ("帮扶到位（含物资）", self.totals.contributed)]
        if self.of_unit:
            return given
        return [*given, ("工作经费", self.totals.budget), ("支出", self.totals.spent),
                ("结余", self.totals.balance)]  # fmt: skip


def scope_ids(actor: User) -> list[int] | None:
    """Return the communities whose funds ``actor`` reads (None: the whole county)."""
    require_role(actor, *READERS)
    if has_role(actor, "reviewer"):
        return None
    return actor_community_ids(actor)


def overview(actor: User, year: int) -> Overview:
    """Return the year's totals, pairs, communities and townships the actor may read."""
    ids = scope_ids(actor)
    if has_role(actor, "unit"):
        totals = fund_totals.total_of(year, unit_id=actor.unit_id)
        pairs = fund_totals.pair_rows(year, unit_id=actor.unit_id)
        return Overview(year, totals, pairs, [], [], of_unit=True)
    wanted = None if ids is None else set(ids)
    return Overview(
        year,
        fund_totals.total_of(year, wanted),
        fund_totals.pair_rows(year, wanted),
        fund_totals.community_rows(year, wanted),
        fund_totals.township_rows(year, wanted) if not has_role(actor, "community") else [],
    )


def summary(
    actor: User, year: int, community_id: int | None = None, unit_id: int | None = None
) -> tuple[fund_totals.Totals, str]:
    """Return the year's totals of one community, one unit, or the actor's whole scope.

    A unit reads its own figures; a community its own; a township its communities'; a
    reviewer any. For a unit, ``balance`` is budget + money given − spent as everywhere,
    so it equals the money it contributed (a unit has no budget or spending).
    """
    require_role(actor, *READERS)
    if unit_id is not None:
        if not valid_id(unit_id) or db.session.get(Unit, unit_id) is None:
            raise NotFound("没有这个单位。")
        if not (acts_for_unit(actor, unit_id) or has_role(actor, "reviewer")):
            raise Forbidden("只能查看本单位的帮扶经费。")
        return fund_totals.total_of(year, unit_id=unit_id), "unit"
    if community_id is not None:
        community = db.session.get(Community, community_id) if valid_id(community_id) else None
        if community is None:
            raise NotFound("没有这个社区。")
        if not (is_community_staff(actor, community.id) or oversees_community(actor, community)):
            raise Forbidden("只能查看本社区或所辖社区的经费。")
        return fund_totals.total_of(year, {community.id}), "community"
    if has_role(actor, "unit"):
        return fund_totals.total_of(year, unit_id=actor.unit_id), "unit"
    ids = scope_ids(actor)
    scope = "county" if ids is None else actor.role
    return fund_totals.total_of(year, None if ids is None else set(ids)), scope


@dataclass
class EntryFilters:
    year: int
    kind: str | None = None
    status: str | None = None
    community_id: int | None = None


def _visible(actor: User, query):
    if has_role(actor, "unit"):
        return query.where(FundEntry.unit_id == actor.unit_id)
    ids = scope_ids(actor)
    return query if ids is None else query.where(FundEntry.community_id.in_(ids))


def entries_page(actor: User, filters: EntryFilters, page: int = 1, per_page: int = 20) -> Page:
    """Return the entries ``actor`` may read, newest first, filtered by kind and status."""
    require_role(actor, *READERS)
    if filters.kind and filters.kind not in FUND_KINDS:
        raise InvalidInput("类别无效。", field="kind")
    if filters.status and filters.status not in ENTRY_STATUSES:
        raise InvalidInput("状态无效。", field="status")
    start, end = year_bounds(filters.year)
    query = _visible(
        actor,
        select(FundEntry)
        .where(FundEntry.entry_date >= start, FundEntry.entry_date < end)
        .options(
            selectinload(FundEntry.community),
            selectinload(FundEntry.unit),
            selectinload(FundEntry.created_by),
            selectinload(FundEntry.reversed_by),
        )
        .order_by(FundEntry.entry_date.desc(), FundEntry.id.desc()),
    )
    if filters.kind:
        query = query.where(FundEntry.kind == filters.kind)
    if filters.status:
        query = query.where(FundEntry.status == filters.status)
    if filters.community_id:
        query = query.where(FundEntry.community_id == filters.community_id)
    return paginate(query, page, per_page)


@dataclass
class EntryChoices:
    """What the entry form offers an actor: the kinds it may enter, where, for which claim."""

    kinds: tuple[str, ...]
    communities: list[Community]
    claims: list[Claim]

    @property
    def by_unit(self) -> bool:
        return "pledge" in self.kinds


ENTERED_BY = {"unit": ("pledge", "contribution"), "community": ("budget", "spending")}


def entry_choices(actor: User) -> EntryChoices:
    """Return the kinds, communities and claims ``actor`` may enter entries for."""
    require_role(actor, *ENTERED_BY)
    ids = actor_community_ids(actor)
    communities = db.session.scalars(
        select(Community).where(Community.id.in_(ids)).order_by(Community.id)
    ).all()
    claims = []
    if has_role(actor, "unit"):
        claims = db.session.scalars(
            select(Claim)
            .where(
                Claim.unit_id == actor.unit_id,
                Claim.status.in_(("accepted", "in_progress", "done")),
            )
            .options(selectinload(Claim.need).selectinload(Need.community))
            .order_by(Claim.id.desc())
            .limit(100)
        ).all()
    return EntryChoices(ENTERED_BY[actor.role], list(communities), list(claims))


def may_enter(actor: User) -> bool:
    """Tell whether ``actor`` enters entries at all (a unit's secretary or community staff)."""
    return has_role(actor, *ENTERED_BY)
