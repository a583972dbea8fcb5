"""Record checks of the members' domain: points balances, post places, checklist bonuses."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Member, PointEntry
from marketplace.services.record_check import register_check


def points_differences() -> list[str]:
    """Each member's points balance against the sum of their ledger entries."""
    from marketplace.services.members import points

    return [
        f"党员 #{member.id} {member.name}：余额 {stored}，台账合计 {total}"
        for member, stored, total in points.balance_mismatches()
    ]


def running_balance_differences() -> list[str]:
    """Each ledger entry's ``balance_after`` against the running sum of the entries so far."""
    lines, member_id, total = [], None, 0
    rows = db.session.execute(
        select(
            PointEntry.id, PointEntry.member_id, PointEntry.amount, PointEntry.balance_after
        ).order_by(PointEntry.member_id, PointEntry.id)
    )
    for entry_id, owner, amount, balance_after in rows:
        if owner != member_id:
            member_id, total = owner, 0
        total += amount
        if balance_after != total:
            lines.append(
                f"积分明细 #{entry_id}（党员 #{owner}）：记录余额 {balance_after}，累计 {total}"
            )
    return lines


def post_taken_differences() -> list[str]:
    """Each post's ``taken`` against the members holding it."""
    from marketplace.services.members import posts

    return posts.check_post_counts()


def checklist_bonus_differences() -> list[str]:
    """Each yearly checklist bonus paid against the evidence that completes the checklist."""
    from marketplace.services.members import checklist

    paid: dict[int, list[tuple[int, str]]] = {}
    rows = db.session.execute(
        select(PointEntry.source_id, PointEntry.member_id, Member.name)
        .join(Member, Member.id == PointEntry.member_id)
        .where(PointEntry.source_kind == "checklist")
        .order_by(PointEntry.source_id, PointEntry.member_id)
    )
    for year, member_id, name in rows:
        paid.setdefault(year, []).append((member_id, name))
    lines = []
    for year, members in paid.items():
        done = checklist.done_counts([member_id for member_id, _ in members], year)
        lines += [
            f"党员 #{member_id} {name}：已发放 {year} 年度清单积分，"
            f"但清单只完成 {done.get(member_id, 0)}/{len(checklist.ITEMS)} 项"
            for member_id, name in members
            if done.get(member_id, 0) < len(checklist.ITEMS)
        ]
    return lines


register_check("points.balance", "党员积分余额", points_differences)
register_check("points.running", "积分明细累计余额", running_balance_differences)
register_check("posts.taken", "岗位已选人数", post_taken_differences)
register_check("checklist.bonus", "年度清单积分", checklist_bonus_differences)
