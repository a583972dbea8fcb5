"""The county's ledgers as Excel: needs and projects one sheet per community, offers by kind."""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.clock import local_time
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import Claim, Community, Need, Offer, ServiceType, Township, Unit
from marketplace.models.listings import OPEN_NEED_STATUSES
from marketplace.services.exchange.claim_queries import project_progress
from marketplace.services.ledgers.workbooks import new_workbook, sheet_title, to_bytes, write_table

LEDGERS = {"needs": "需求清单台账", "offers": "资源清单台账", "projects": "项目清单台账"}

NEED_HEADER = [
    "编号",
    "标题",
    "服务大类",
    "服务类型",
    "数量",
    "已认领",
    "计量单位",
    "开始日期",
    "结束日期",
    "紧急程度",
    "状态",
    "描述",
]
OFFER_HEADER = [
    "编号",
    "提供单位",
    "名称",
    "类别",
    "容量/每月数量",
    "地址",
    "开放时间",
    "免费",
    "对外开放",
    "状态",
    "说明",
]
PROJECT_HEADER = [
    "认领编号",
    "需求",
    "服务类型",
    "认领单位",
    "数量",
    "状态",
    "最新进展",
    "进度%",
    "评价星级",
    "评价",
    "认领时间",
]


def _communities() -> list[Community]:
    return list(
        db.session.scalars(
            select(Community)
            .join(Community.township)
            .options(joinedload(Community.township))
            .order_by(Township.name, Community.name)
        )
    )


def _per_community(rows, community_of) -> dict[int, list]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[community_of(row)].append(row)
    return grouped


def _need_row(need: Need) -> list:
    return [
        need.id, need.title, need.service_type.category.name, need.service_type.name,
        need.quantity, need.claimed, need.measure_label, need.starts_on, need.ends_on,
        need.urgency_label, need.status_label, need.description,
    ]  # fmt: skip


def needs_workbook() -> bytes:
    """Return the need ledger: a summary sheet, then one sheet per community."""
    needs = db.session.scalars(
        select(Need)
        .options(joinedload(Need.service_type).joinedload(ServiceType.category))
        .order_by(Need.community_id, Need.id)
    ).all()
    grouped = _per_community(needs, lambda need: need.community_id)
    workbook, used = new_workbook()
    communities = _communities()
    summary = [
        [c.township.name, c.name, len(grouped[c.id]),
         sum(n.status in OPEN_NEED_STATUSES for n in grouped[c.id]),
         sum(n.status in ("completed", "evaluated") for n in grouped[c.id])]
        for c in communities
    ]  # fmt: skip
    write_table(
        workbook.create_sheet(sheet_title("汇总", used)),
        ["乡镇/街道", "社区", "需求总数", "待认领", "已完成"],
        summary,
    )
    for community in communities:
        sheet = workbook.create_sheet(sheet_title(community.name, used))
        write_table(sheet, NEED_HEADER, [_need_row(need) for need in grouped[community.id]])
    return to_bytes(workbook)


def _offer_row(offer: Offer) -> list:
    facility = offer.kind == "facility"
    return [
        offer.id, offer.unit.name, offer.title,
        offer.facility_label if facility else offer.service_type.name,
        offer.capacity if facility else offer.monthly_quantity,
        offer.address or offer.unit.address, offer.opening_label if facility else "",
        "是" if offer.is_free else "否", "是" if offer.is_public else "否",
        offer.status_label, offer.description,
    ]  # fmt: skip


def offers_workbook() -> bytes:
    """Return the offer ledger: facilities and services on two sheets."""
    offers = db.session.scalars(
        select(Offer)
        .join(Offer.unit)
        .options(joinedload(Offer.unit), joinedload(Offer.service_type))
        .order_by(Unit.name, Offer.kind, Offer.id)
    ).all()
    workbook, used = new_workbook()
    for kind, title in (("facility", "场地设施"), ("service", "服务项目")):
        rows = [_offer_row(offer) for offer in offers if offer.kind == kind]
        write_table(workbook.create_sheet(sheet_title(title, used)), OFFER_HEADER, rows)
    return to_bytes(workbook)


def _project_row(claim: Claim) -> list:
    latest = claim.reports[-1] if claim.reports else None
    rating = claim.evaluation
    return [
        claim.id, claim.need.title, claim.need.service_type.name, claim.unit.name,
        f"{claim.quantity} {claim.need.measure_label}", claim.status_label,
        latest.note if latest else "", project_progress(claim),
        rating.stars if rating else "", rating.comment if rating else "",
        local_time(claim.created_at),
    ]  # fmt: skip


def projects_workbook() -> bytes:
    """Return the project ledger (claimed needs and their progress), one sheet per community."""
    claims = db.session.scalars(
        select(Claim)
        .options(
            joinedload(Claim.need).joinedload(Need.service_type),
            joinedload(Claim.unit),
            selectinload(Claim.reports),
            selectinload(Claim.evaluation),
        )
        .order_by(Claim.id)
    ).all()
    grouped = _per_community(claims, lambda claim: claim.need.community_id)
    workbook, used = new_workbook()
    for community in _communities():
        sheet = workbook.create_sheet(sheet_title(community.name, used))
        write_table(sheet, PROJECT_HEADER, [_project_row(claim) for claim in grouped[community.id]])
    if not workbook.worksheets:
        workbook.create_sheet("空")
    return to_bytes(workbook)


def ledger_workbook(kind: str) -> bytes:
    """Return the named ledger (``needs``, ``offers`` or ``projects``) as .xlsx bytes."""
    builders = {"needs": needs_workbook, "offers": offers_workbook, "projects": projects_workbook}
    if kind not in builders:
        raise NotFound(f"没有名为 {kind} 的台账。")
    return builders[kind]()
