"""Claims (认领): a unit claims a need; the community accepts, follows and rates the work.

Every transition locks the need's row first (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so the need's ``claimed`` and
``status`` are recomputed from a stable set of claims. Claiming itself is one conditional
``UPDATE`` whose ``WHERE`` re-checks the remaining quantity, which cannot over-claim however many
units claim at the same moment.
"""

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from marketplace import clock, search_sync
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.models import Claim, Evaluation, Need, ProgressReport, User
from marketplace.models._common import utcnow
from marketplace.models.claims import OPEN_CLAIM_STATUSES
from marketplace.models.listings import OPEN_NEED_STATUSES, PUBLIC_NEED_STATUSES
from marketplace.services import audit
from marketplace.services.access import has_role, require_owner, require_role, valid_id
from marketplace.services.exchange.claim_queries import (  # noqa: F401  (part of this module's API)
    claims_for_need,
    get_claim,
    projects_page,
    unit_ratings,
)
from marketplace.services.exchange.need_state import (  # noqa: F401  (part of this module's API)
    need_status_for,
    refresh_need,
)
from marketplace.services.exchange.needs import lock_need
from marketplace.services.fields import CLAIM, PROGRESS, RATING, FieldReader
from marketplace.services.notifications import notify, settle, staff_of


def _state(claim: Claim, need: Need) -> dict:
    return {"status": claim.status, "need_status": need.status, "claimed": need.claimed}


def _record(action: str, actor: User, claim: Claim, need: Need, before: dict, detail=""):
    after = _state(claim, need)
    audit.record(action, actor=actor, obj=claim, before=before, after=after, detail=detail)
    if (before["need_status"], before["claimed"]) != (after["need_status"], after["claimed"]):
        # The need's own history shows what each claim did to it.
        audit.record(
            action,
            actor=actor,
            obj=need,
            before={"status": before["need_status"], "claimed": before["claimed"]},
            after={"status": after["need_status"], "claimed": after["claimed"]},
            detail=f"认领 #{claim.id}",
        )


def _need_url(need: Need) -> str:
    return f"/needs/{need.id}"


def _insert_claim(need: Need, actor: User, quantity: int, note: str) -> Claim:
    claim = Claim(
        need_id=need.id,
        unit_id=actor.unit_id,
        quantity=quantity,
        note=note,
        status="proposed",
        created_by_id=actor.id,
    )
    db.session.add(claim)
    db.session.flush()
    return claim


def claim_need(actor: User, need_id: int, quantity, note: str = "") -> Claim:
    """Claim ``quantity`` of a need for the actor's unit, never beyond what remains."""
    require_role(actor, "unit")
    reader = FieldReader({"quantity": quantity, "note": note})
    quantity = reader.read("quantity", CLAIM["quantity"])
    note = reader.read("note", CLAIM["note"])
    reader.raise_if_invalid()
    need = db.session.get(Need, need_id) if valid_id(need_id) else None
    if need is None or need.status not in PUBLIC_NEED_STATUSES:
        raise NotFound("需求不存在。")
    if need.status not in OPEN_NEED_STATUSES:
        raise _refusal(need)
    if need.ends_on and need.ends_on < clock.today():
        raise Conflict("该需求已过截止日期，不能认领。")
    if _open_claim_exists(need.id, actor.unit_id):
        raise Conflict("本单位已认领该需求，请勿重复提交；如需调整数量请先撤回原认领。")
    before = {"status": None, "need_status": need.status, "claimed": need.claimed}
    try:
        taken = db.session.execute(
            update(Need)
            .where(
                Need.id == need.id,
                Need.status.in_(OPEN_NEED_STATUSES),
                Need.quantity - Need.claimed >= quantity,
            )
            .values(
                claimed=Need.claimed + quantity,
                status=case(
                    (Need.claimed + quantity >= Need.quantity, "fully_claimed"),
                    else_="partly_claimed",
                ),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            db.session.refresh(need)
            refusal = _refusal(need)  # worded before the rollback expires the row
            db.session.rollback()
            raise refusal
        claim = _insert_claim(need, actor, quantity, note)
        db.session.refresh(need)
        # The UPDATE holds the need's row, so its state can be derived from its claims
        # (a full need whose other claims are under way is in progress, not just full).
        refresh_need(need)
        need.updated_at = utcnow()
        # The quantity moved through a Core UPDATE: tell the search outbox explicitly.
        search_sync.mark_changed(db.session, need)
        _record("claim.propose", actor, claim, need, before)
        notify(
            staff_of(community_id=need.community_id),
            "claim_proposed",
            f"{actor.unit.name}认领了需求「{need.title}」{quantity} {need.measure_label}，请确认。",
            _need_url(need),
        )
        db.session.commit()
    except IntegrityError:
        # The partial unique index: the same unit's double submit raced this one.
        db.session.rollback()
        raise Conflict("本单位已认领该需求，请勿重复提交。") from None
    except Exception:
        db.session.rollback()
        raise
    return claim


def _refusal(need: Need) -> Conflict:
    """Explain why the need takes no claim: too little left, or not open."""
    if need.status in OPEN_NEED_STATUSES:
        return Conflict(f"剩余数量不足：该需求仅剩 {need.remaining} {need.measure_label}可认领。")
    if need.status in PUBLIC_NEED_STATUSES and need.remaining <= 0:
        return Conflict(f"剩余数量不足：该需求已全部认领（当前为「{need.status_label}」）。")
    return Conflict(f"该需求当前为「{need.status_label}」，不能认领。")


def _open_claim_exists(need_id: int, unit_id: int) -> bool:
    return (
        db.session.scalar(
            select(Claim.id).where(
                Claim.need_id == need_id,
                Claim.unit_id == unit_id,
                Claim.status.in_(OPEN_CLAIM_STATUSES),
            )
        )
        is not None
    )


def _locked_claim(claim_id: int) -> tuple[Claim, Need]:
    claim = db.session.get(Claim, claim_id) if valid_id(claim_id) else None
    if claim is None:
        raise NotFound("认领记录不存在。")
    need = lock_need(claim.need_id)
    claim = db.session.get(Claim, claim_id, populate_existing=True)
    return claim, need


def _as_community(actor: User, claim_id: int) -> tuple[Claim, Need]:
    require_role(actor, "community")
    claim, need = _locked_claim(claim_id)
    require_owner(actor, need, "只能处理本社区需求的认领。")
    return claim, need


def _as_unit(actor: User, claim_id: int) -> tuple[Claim, Need]:
    require_role(actor, "unit")
    claim, need = _locked_claim(claim_id)
    require_owner(actor, claim)
    return claim, need


def _require_status(claim: Claim, allowed: tuple[str, ...], doing: str) -> None:
    if claim.status not in allowed:
        raise Conflict(f"认领当前为「{claim.status_label}」，不能{doing}。")


def _move(actor, claim, need, action, status, *, detail="") -> dict:
    before = _state(claim, need)
    claim.status = status
    refresh_need(need)
    _record(action, actor, claim, need, before, detail)
    return before


def _settle_answered(need: Need) -> None:
    """Once no claim on ``need`` awaits an answer, its "please confirm" notices are read."""
    db.session.flush()
    waiting = db.session.scalar(
        select(Claim.id).where(Claim.need_id == need.id, Claim.status == "proposed").limit(1)
    )
    if waiting is None:
        settle(staff_of(community_id=need.community_id), _need_url(need), "claim_proposed")


def accept_claim(actor: User, claim_id: int) -> Claim:
    """Accept a proposed claim on one of the actor's community's needs."""
    claim, need = _as_community(actor, claim_id)
    _require_status(claim, ("proposed",), "接受")
    _move(actor, claim, need, "claim.accept", "accepted")
    notify(
        staff_of(unit_id=claim.unit_id),
        "claim_accepted",
        f"社区已接受您对「{need.title}」的认领，请按计划实施。",
        _need_url(need),
    )
    _settle_answered(need)
    db.session.commit()
    return claim


def decline_claim(actor: User, claim_id: int, reason: str = "") -> Claim:
    """Decline a proposed claim, freeing its quantity."""
    claim, need = _as_community(actor, claim_id)
    reader = FieldReader({"reason": reason})
    reason = reader.read("reason", CLAIM["reason"])
    reader.raise_if_invalid()
    _require_status(claim, ("proposed",), "婉拒")
    _move(actor, claim, need, "claim.decline", "declined", detail=reason)
    suffix = f"理由：{reason}" if reason else ""
    notify(
        staff_of(unit_id=claim.unit_id),
        "claim_declined",
        f"社区婉拒了您对「{need.title}」的认领。{suffix}",
        _need_url(need),
    )
    _settle_answered(need)
    db.session.commit()
    return claim


def withdraw_claim(actor: User, claim_id: int) -> Claim:
    """Withdraw the actor's unit's claim before it is done, freeing its quantity."""
    claim, need = _as_unit(actor, claim_id)
    _require_status(claim, OPEN_CLAIM_STATUSES, "撤回")
    _move(actor, claim, need, "claim.withdraw", "withdrawn")
    notify(
        staff_of(community_id=need.community_id),
        "claim_withdrawn",
        f"{actor.unit.name}撤回了对「{need.title}」的认领。",
        _need_url(need),
    )
    db.session.commit()
    return claim


def _latest_percent(claim_id: int) -> int | None:
    return db.session.scalar(
        select(ProgressReport.percent)
        .where(ProgressReport.claim_id == claim_id)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .limit(1)
    )


def report_progress(actor: User, claim_id: int, note, percent) -> ProgressReport:
    """Record progress on an accepted claim; the first report starts the work."""
    if has_role(actor, "community"):
        claim, need = _as_community(actor, claim_id)
        other_side = staff_of(unit_id=claim.unit_id)
    else:
        claim, need = _as_unit(actor, claim_id)
        other_side = staff_of(community_id=need.community_id)
    reader = FieldReader({"note": note, "percent": percent})
    note = reader.read("note", PROGRESS["note"])
    percent = reader.read("percent", PROGRESS["percent"])
    last = _latest_percent(claim.id)
    if "percent" not in reader.errors and last is not None and percent < last:
        reader.fail("percent", f"完成百分比不能低于上次汇报的 {last}%（进度只能前进）。")
    reader.raise_if_invalid()
    _require_status(claim, ("accepted", "in_progress"), "报告进展")
    report = ProgressReport(claim_id=claim.id, author_id=actor.id, note=note, percent=percent)
    db.session.add(report)
    _move(actor, claim, need, "claim.progress", "in_progress", detail=f"{percent}%：{note}")
    notify(
        other_side,
        "claim_progress",
        f"「{need.title}」有新进展（{percent}%）：{note[:60]}",
        _need_url(need),
    )
    db.session.commit()
    return report


def complete_claim(actor: User, claim_id: int) -> Claim:
    """Mark an accepted or ongoing claim done (the community confirms the work)."""
    claim, need = _as_community(actor, claim_id)
    _require_status(claim, ("accepted", "in_progress"), "标记完成")
    _move(actor, claim, need, "claim.complete", "done")
    notify(
        staff_of(unit_id=claim.unit_id),
        "claim_completed",
        f"社区确认「{need.title}」已完成，感谢支持！",
        _need_url(need),
    )
    db.session.commit()
    return claim


def rate_claim(actor: User, claim_id: int, stars, comment: str = "") -> Evaluation:
    """Rate a finished claim once, 1–5 stars with a comment."""
    claim, need = _as_community(actor, claim_id)
    reader = FieldReader({"stars": stars, "comment": comment})
    stars = reader.read("stars", RATING["stars"])
    comment = reader.read("comment", RATING["comment"])
    reader.raise_if_invalid()
    _require_status(claim, ("done",), "评价")
    if claim.evaluation is not None:
        raise Conflict("该认领已经评价过，不能重复评价。")
    before = _state(claim, need)
    evaluation = Evaluation(claim=claim, author_id=actor.id, stars=stars, comment=comment)
    db.session.add(evaluation)
    refresh_need(need)
    _record("claim.rate", actor, claim, need, before, detail=f"{stars} 星：{comment}"[:500])
    notify(
        staff_of(unit_id=claim.unit_id),
        "claim_rated",
        f"社区对「{need.title}」给出了 {stars} 星评价。",
        _need_url(need),
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("该认领已经评价过，不能重复评价。") from None
    return evaluation
