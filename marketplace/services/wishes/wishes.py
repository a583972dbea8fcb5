"""微心愿: staff post a resident's wish; one member or unit claims it, fulfils it; staff confirm.

open → claimed → fulfilled → confirmed; open → expired (past the deadline, daily job) or
withdrawn (by staff). Claiming is one conditional ``UPDATE … WHERE status = 'open'``
with its row count checked (the house technique of ``claims.claim_need``): exactly one
claimer wins however many press at once; the rest get a Conflict worded from the row.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import User
from marketplace.models._common import utcnow
from marketplace.models.wishes import CLAIMED_WISH_STATUSES, WISH_STATUSES, Wish
from marketplace.services import audit
from marketplace.services.access import (
    can_claim_wishes,
    has_role,
    is_self,
    is_wish_claimer,
    require_manage,
    require_role,
    signed_in,
    valid_id,
)
from marketplace.services.fields import WISH, FieldReader, read_choice
from marketplace.services.notifications import notify, staff_of
from marketplace.services.pagination import Page, paginate
from marketplace.services.transitions import move_if
from marketplace.services.wishes.wish_rewards import member_of, reward_confirmed_wish

MAX_DEADLINE_DAYS = 365


def value_cap() -> int:
    """Return the highest value a wish may have, in yuan (the ``WISH_VALUE_CAP_YUAN`` setting)."""
    return int(current_app.config["WISH_VALUE_CAP_YUAN"])


@dataclass(frozen=True)
class WishFilters:
    status: str | None = None
    community_id: int | None = None


def _state(wish: Wish) -> dict:
    return audit.snapshot(wish, "status", "claimer_user_id")


def _load(wish_id) -> Wish:
    wish = db.session.get(Wish, wish_id) if valid_id(wish_id) else None
    if wish is None or wish.status == "withdrawn":
        raise NotFound("微心愿不存在。")
    return wish


def get_wish(wish_id) -> Wish:
    """Return a wish anyone may read (not withdrawn), or raise NotFound."""
    return _load(wish_id)


def post_wish(actor: User, data: Mapping) -> Wish:
    """Post a resident's wish for the actor's community (community staff)."""
    require_role(actor, "community")
    reader = FieldReader(data)
    title = reader.read("title", WISH["title"])
    description = reader.read("description", WISH["description"])
    cap = value_cap()
    value = reader.integer("value_yuan", "价值（元）", minimum=1, maximum=cap, required=True)
    resident = reader.read("resident_name", WISH["resident_name"])
    deadline = reader.day("deadline", "截止日期")
    today = clock.today()
    if deadline is None and "deadline" not in reader.errors:
        reader.fail("deadline", "请填写截止日期。")
    elif deadline is not None and not today <= deadline <= today + timedelta(MAX_DEADLINE_DAYS):
        reader.fail("deadline", f"截止日期应在今天到 {MAX_DEADLINE_DAYS} 天之内。")
    reader.raise_if_invalid()
    wish = Wish(
        community_id=actor.community_id,
        title=title,
        description=description,
        value_yuan=value,
        resident_name=resident,
        deadline=deadline,
        status="open",
        created_by_id=actor.id,
    )
    db.session.add(wish)
    db.session.flush()
    audit.record("wish.post", actor=actor, obj=wish, after=_state(wish), detail=title)
    db.session.commit()
    return wish


def _claimer(actor: User) -> tuple[str, int | None, int | None]:
    """Return (kind, unit id, member id) for a claimer, or refuse who may not claim."""
    if not can_claim_wishes(actor):
        raise Forbidden("只有在职党员或驻区单位可以认领微心愿。")
    if has_role(actor, "unit"):
        return "unit", actor.unit_id, None
    member = member_of(actor)
    if member is None:
        raise Forbidden("您的党员信息尚未登记，请联系单位党组织。")
    return "member", member.unit_id, member.id


def claim_wish(actor: User, wish_id) -> Wish:
    """Claim an open wish: one conditional UPDATE, so exactly one claimer wins a race."""
    kind, unit_id, member_id = _claimer(actor)
    wish = _load(wish_id)
    before = _state(wish)
    today = clock.today()
    taken = db.session.execute(
        update(Wish)
        .where(Wish.id == wish.id, Wish.status == "open", Wish.deadline >= today)
        .values(
            status="claimed",
            claimer_kind=kind,
            claimer_user_id=actor.id,
            claimer_unit_id=unit_id,
            claimer_member_id=member_id,
            claimed_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(wish)
    if taken != 1:
        refusal = _refusal(wish, actor, today)  # worded before the rollback expires the row
        db.session.rollback()
        raise refusal
    audit.record("wish.claim", actor=actor, obj=wish, before=before, after=_state(wish))
    notify(
        staff_of(community_id=wish.community_id),
        "wish.claimed",
        f"微心愿「{wish.title}」已被{wish.claimer_label}认领。",
    )
    db.session.commit()
    return wish


def _refusal(wish: Wish, actor: User, today: date) -> Conflict:
    if is_self(actor, wish.claimer_user_id):
        return Conflict("您已认领这个微心愿，请勿重复提交。")
    if wish.status in CLAIMED_WISH_STATUSES:
        return Conflict("这个微心愿已被认领，请看看其他心愿。")
    if wish.status == "open" and wish.deadline < today:
        return Conflict("这个微心愿已过截止日期，不能认领。")
    return Conflict(f"这个微心愿当前为「{wish.status_label}」，不能认领。")


def _owned_by_claimer(actor: User, wish: Wish) -> None:
    if not can_claim_wishes(actor):
        raise Forbidden("只有认领人可以操作。")
    if not is_wish_claimer(actor, wish):
        raise Forbidden("只有认领人可以操作这个微心愿。")


def fulfil_wish(actor: User, wish_id, note, fulfilled_on=None) -> Wish:
    """Record that the claimer fulfilled the wish (what was done, on which day)."""
    wish = _load(wish_id)
    _owned_by_claimer(actor, wish)
    reader = FieldReader({"note": note, "fulfilled_on": fulfilled_on})
    note = reader.read("note", WISH["note"])
    day = reader.day("fulfilled_on", "兑现日期") or clock.today()
    if day > clock.today():
        reader.fail("fulfilled_on", "兑现日期不能晚于今天。")
    reader.raise_if_invalid()
    before = _state(wish)
    _move(wish, "claimed", "fulfilled", fulfil_note=note, fulfilled_on=day, fulfilled_at=utcnow())
    audit.record("wish.fulfil", actor=actor, obj=wish, before=before, after=_state(wish))
    notify(
        staff_of(community_id=wish.community_id),
        "wish.fulfilled",
        f"微心愿「{wish.title}」已由{wish.claimer_label}兑现，请确认是否送达居民。",
    )
    db.session.commit()
    return wish


def _as_staff(actor: User, wish_id) -> Wish:
    require_role(actor, "community")
    wish = _load(wish_id)
    require_manage(actor, wish)
    return wish


def _move(wish: Wish, source: str, target: str, **values) -> None:
    """Change the wish's state only if it is still ``source`` (a conditional UPDATE)."""
    move_if(
        wish,
        (Wish.status == source,),
        {"status": target, "updated_at": utcnow(), **values},
        lambda now: f"这个微心愿当前为「{now.status_label}」，不能执行此操作。",
    )


def confirm_wish(actor: User, wish_id, thanks: str = "") -> Wish:
    """Confirm that a fulfilled wish reached the resident, optionally with their thanks."""
    wish = _as_staff(actor, wish_id)
    reader = FieldReader({"thanks": thanks})
    thanks = reader.read("thanks", WISH["thanks"])
    reader.raise_if_invalid()
    before = _state(wish)
    _move(
        wish,
        "fulfilled",
        "confirmed",
        confirmed_at=utcnow(),
        confirmed_by_id=actor.id,
        thanks=thanks,
    )
    audit.record("wish.confirm", actor=actor, obj=wish, before=before, after=_state(wish))
    reward_confirmed_wish(wish, actor)
    if wish.claimer_user_id:
        notify(
            [db.session.get(User, wish.claimer_user_id)],
            "wish.confirmed",
            f"您认领的微心愿「{wish.title}」已确认送达居民，谢谢您！",
        )
    db.session.commit()
    return wish


def withdraw_wish(actor: User, wish_id) -> Wish:
    """Take an unclaimed wish off the wall (community staff)."""
    wish = _as_staff(actor, wish_id)
    before = _state(wish)
    _move(wish, "open", "withdrawn")
    audit.record("wish.withdraw", actor=actor, obj=wish, before=before, after=_state(wish))
    db.session.commit()
    return wish


def expire_wishes(today: date | None = None) -> int:
    """Mark open wishes whose deadline has passed as expired; return how many (idempotent)."""
    today = today or clock.today()
    ids = list(
        db.session.scalars(select(Wish.id).where(Wish.status == "open", Wish.deadline < today))
    )
    expired = 0
    for wish_id in ids:
        changed = db.session.execute(
            update(Wish)
            .where(Wish.id == wish_id, Wish.status == "open", Wish.deadline < today)
            .values(status="expired", updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            expired += 1
            audit.record(
                "wish.expire",
                object_type="wish",
                object_id=wish_id,
                before={"status": "open"},
                after={"status": "expired"},
                username="system",
            )
    db.session.commit()
    return expired


def _filtered(filters: WishFilters):
    status = filters.status and read_choice(filters.status, "状态筛选", WISH_STATUSES, "status")
    if filters.community_id and not valid_id(filters.community_id):
        raise InvalidInput("社区筛选无效。", field="community_id")
    query = select(Wish).where(Wish.status != "withdrawn")
    if status:
        query = query.where(Wish.status == status)
    if filters.community_id:
        query = query.where(Wish.community_id == filters.community_id)
    return query


def wall_page(filters: WishFilters, page: int = 1, per_page: int = 20) -> Page:
    """Return the public wall: open wishes first (nearest deadline), then the rest."""
    order = (Wish.status != "open", Wish.deadline, Wish.id)
    return paginate(_filtered(filters).order_by(*order), page, per_page)


def mine_page(actor: User, status: str | None = None, page: int = 1, per_page: int = 20) -> Page:
    """Return the community's wishes (staff) or the wishes the actor's side claimed."""
    if not signed_in(actor):
        raise Forbidden("请先登录。")
    query = _filtered(WishFilters(status=status))
    if has_role(actor, "community"):
        query = query.where(Wish.community_id == actor.community_id)
    elif has_role(actor, "unit"):
        query = query.where(Wish.claimer_unit_id == actor.unit_id, Wish.claimer_kind == "unit")
    elif has_role(actor, "member"):
        query = query.where(Wish.claimer_user_id == actor.id)
    else:
        raise Forbidden("您的角色没有自己的微心愿。")
    return paginate(query.order_by(Wish.updated_at.desc(), Wish.id.desc()), page, per_page)


def wish_counts(by: str = "community") -> list[tuple[int, str, int]]:
    """Return (id, status, count) rows per community or per claiming unit."""
    column = Wish.community_id if by == "community" else Wish.claimer_unit_id
    rows = db.session.execute(
        select(column, Wish.status, func.count())
        .where(column.is_not(None), Wish.status != "withdrawn")
        .group_by(column, Wish.status)
    )
    return [(row[0], row[1], row[2]) for row in rows]
