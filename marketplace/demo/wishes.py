"""The demo county's 微心愿: open and fulfilled wishes in every community.

Runs after the members' demo, in the same transaction: members who reported to a
community claim most of its fulfilled wishes (so their checklist item and points show),
units claim the rest. Deterministic for a given ``rng``.
"""

import random
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Community, Member, Unit, User
from marketplace.models.wishes import Wish
from marketplace.services.members import points

WISHES = [
    ("一台电饭煲", "独居老人家中电饭煲坏了，想换一台小的", 160),
    ("一套学习用品", "留守儿童开学需要书包和文具", 120),
    ("一副老花镜", "老人看报纸看不清，想配一副老花镜", 60),
    ("一件厚棉衣", "困难家庭老人冬天缺少御寒衣物", 200),
    ("一次上门理发", "行动不便的老人想在家理个发", 30),
    ("一辆儿童自行车", "孩子生日想要一辆自行车", 280),
    ("一台收音机", "失明老人想听戏曲广播", 90),
    ("一个助行器", "腿脚不便的老人出门需要助行器", 150),
    ("一套课外读物", "小学生想读科普书", 100),
    ("一床新被褥", "低保户家中被褥破旧", 220),
    ("一次陪同就医", "空巢老人复诊需要有人陪同", 50),
    ("一台电风扇", "夏天家里闷热，想要一台电风扇", 130),
]
THANKS = ["谢谢党员同志，东西很实用！", "老人连声道谢。", "孩子很开心，谢谢叔叔阿姨！", ""]

Progress = Callable[[str, int, int], None]


def _moment(day, rng: random.Random) -> datetime:
    moment = time(rng.randint(8, 18), rng.choice((0, 15, 30, 45)))
    return clock.at(day, moment).astimezone(UTC)


def build_wishes(rng: random.Random, person: Callable[[], str], progress: Progress) -> int:
    """Add open, claimed, fulfilled, confirmed and expired wishes to every community."""
    today = clock.today()
    communities = list(db.session.scalars(select(Community).order_by(Community.id)))
    units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    count = 0
    for done, community in enumerate(communities, start=1):
        members = list(
            db.session.scalars(
                select(Member).where(Member.community_id == community.id).order_by(Member.id)
            )
        )
        plan = ["open"] * 3 + ["claimed"] + ["confirmed"] * 4 + ["fulfilled", "expired"]
        for index, stage in enumerate(plan):
            title, reason, value = WISHES[(community.id * 5 + index) % len(WISHES)]
            posted = today - timedelta(days=rng.randint(20, 200) if stage != "open" else 3)
            wish = Wish(
                community=community,
                title=title,
                description=reason,
                value_yuan=value,
                resident_name=person(),
                deadline=(today + timedelta(days=rng.randint(10, 45)))
                if stage in ("open", "claimed")
                else posted + timedelta(days=30),
                status=stage,
                created_at=_moment(posted, rng),
            )
            if stage in ("claimed", "fulfilled", "confirmed"):
                _claim(wish, rng, members, units, posted, today)
            db.session.add(wish)
            count += 1
        progress("微心愿", done, len(communities))
    db.session.flush()
    _award_points()
    return count


def _claim(wish, rng, members, units, posted, today) -> None:
    member = rng.choice(members) if members and rng.random() < 0.75 else None
    if member is not None:
        wish.claimer_kind, wish.claimer_member = "member", member
        wish.claimer_user_id, wish.claimer_unit_id = member.user_id, member.unit_id
    else:
        unit = rng.choice(units)
        secretary = _secretary(unit)
        if secretary is None:
            wish.status = "open"
            return
        wish.claimer_kind, wish.claimer_unit, wish.claimer_user_id = "unit", unit, secretary
    claimed = posted + timedelta(days=rng.randint(1, 5))
    wish.claimed_at = _moment(claimed, rng)
    if wish.status in ("fulfilled", "confirmed"):
        fulfilled = min(today, claimed + timedelta(days=rng.randint(2, 10)))
        wish.fulfilled_on, wish.fulfilled_at = fulfilled, _moment(fulfilled, rng)
        wish.fulfil_note = "已购买并送到居民家中，居民当面签收。"
    if wish.status == "confirmed":
        wish.confirmed_at = _moment(min(today, wish.fulfilled_on + timedelta(days=1)), rng)
        wish.thanks = rng.choice(THANKS)


def _secretary(unit: Unit) -> int | None:
    return db.session.scalar(
        select(User.id).where(User.unit_id == unit.id, User.role == "unit").limit(1)
    )


def _award_points() -> None:
    """Give members the ledger entries their confirmed wishes earned (through the ledger)."""
    wishes = db.session.scalars(
        select(Wish).where(Wish.status == "confirmed", Wish.claimer_member_id.is_not(None))
    ).all()
    for wish in wishes:
        member = db.session.get(Member, wish.claimer_member_id)
        points.award(member, "wish", wish.id, reason=f"微心愿「{wish.title}」已送达")
