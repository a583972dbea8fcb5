"""一社区一册: a community's own book (its needs and projects), a unit's own book.

Community staff export their community's book, unit secretaries their unit's; reviewers
and administrators may export any. Anyone else is refused (403).
"""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.errors import Forbidden, NotFound
from marketplace.extensions import db
from marketplace.models import Claim, Community, Need, Offer, ServiceType, Unit, User
from marketplace.services.access import (
    has_role,
    is_community_staff,
    is_unit_secretary,
    signed_in,
    valid_id,
)
from marketplace.services.ledgers.ledgers import (
    NEED_HEADER,
    OFFER_HEADER,
    PROJECT_HEADER,
    _need_row,
    _offer_row,
    _project_row,
)
from marketplace.services.ledgers.workbooks import new_workbook, sheet_title, to_bytes, write_table

OVERSEERS = ("reviewer", "admin")
COMMUNITY_PROJECT_HEADER = PROJECT_HEADER
UNIT_PROJECT_HEADER = ["社区", *PROJECT_HEADER]


def _claims():
    return select(Claim).options(
        joinedload(Claim.need).joinedload(Need.service_type),
        joinedload(Claim.need).joinedload(Need.community),
        joinedload(Claim.unit),
        selectinload(Claim.reports),
        selectinload(Claim.evaluation),
    )


def _check(actor: User | None, *, allowed: bool, whose: str) -> None:
    if not signed_in(actor):
        raise Forbidden("请先登录。")
    if not has_role(actor, *OVERSEERS) and not allowed:
        raise Forbidden(f"只能导出本{whose}的台账。")


def community_book(actor: User | None, community_id: int) -> tuple[str, bytes]:
    """Return (file name, .xlsx) of a community's needs and projects."""
    community = db.session.get(Community, community_id) if valid_id(community_id) else None
    if community is None:
        raise NotFound("社区不存在。")
    _check(
        actor,
        allowed=is_community_staff(actor, community.id),
        whose="社区",
    )
    needs = db.session.scalars(
        select(Need)
        .options(joinedload(Need.service_type).joinedload(ServiceType.category))
        .where(Need.community_id == community.id)
        .order_by(Need.id)
    ).all()
    claims = db.session.scalars(
        _claims().join(Need, Need.id == Claim.need_id).where(Need.community_id == community.id)
        .order_by(Claim.id)
    ).all()  # fmt: skip
    workbook, used = new_workbook()
    write_table(
        workbook.create_sheet(sheet_title("需求清单", used)),
        NEED_HEADER,
        [_need_row(need) for need in needs],
    )
    write_table(
        workbook.create_sheet(sheet_title("项目清单", used)),
        COMMUNITY_PROJECT_HEADER,
        [_project_row(claim) for claim in claims],
    )
    return f"{community.name}台账.xlsx", to_bytes(workbook)


def unit_book(actor: User | None, unit_id: int) -> tuple[str, bytes]:
    """Return (file name, .xlsx) of a unit's offers and projects."""
    unit = db.session.get(Unit, unit_id) if valid_id(unit_id) else None
    if unit is None:
        raise NotFound("单位不存在。")
    _check(
        actor,
        allowed=is_unit_secretary(actor, unit.id),
        whose="单位",
    )
    offers = db.session.scalars(
        select(Offer)
        .options(joinedload(Offer.unit), joinedload(Offer.service_type))
        .where(Offer.unit_id == unit.id)
        .order_by(Offer.kind, Offer.id)
    ).all()
    claims = db.session.scalars(_claims().where(Claim.unit_id == unit.id).order_by(Claim.id)).all()
    workbook, used = new_workbook()
    write_table(
        workbook.create_sheet(sheet_title("资源清单", used)),
        OFFER_HEADER,
        [_offer_row(offer) for offer in offers],
    )
    write_table(
        workbook.create_sheet(sheet_title("项目清单", used)),
        UNIT_PROJECT_HEADER,
        [[claim.need.community.name, *_project_row(claim)] for claim in claims],
    )
    return f"{unit.name}台账.xlsx", to_bytes(workbook)
