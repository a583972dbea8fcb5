"""The demo county's oversight year: pair activities, joint meetings with
action items, escalations at each level, township logins and the assessment's inputs.

Built relative to the county's today, so the matrices always show a year in progress:
every past quarter has activities except for a few pairs, every past month has its
meetings except for a few hosts, and some needs have waited long enough to be suggested
for escalation.
"""

import random
from datetime import date, timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.demo.evidence import load_evidence_demo
from marketplace.extensions import db
from marketplace.models import (
    ActionItem,
    AssessmentYear,
    Community,
    CommunityRating,
    County,
    Escalation,
    JointMeeting,
    MeetingAttendance,
    Need,
    PairActivity,
    Township,
    Unit,
    User,
)
from marketplace.models.pair_activities import ACTIVITY_KINDS
from marketplace.services.oversight.oversight_calendar import year_quarters
from marketplace.services.oversight.oversight_scope import published_pairs

SEED = 2013
ACTIVITY_TITLES = {
    "party_day": ["联合开展主题党日", "共上一堂党课", "重温入党誓词"],
    "volunteering": ["小区环境清洁志愿服务", "关爱空巢老人上门服务", "文明交通劝导"],
    "symposium": ["共建工作座谈会", "居民需求恳谈会", "季度对接交流会"],
    "project": ["共建项目推进会", "惠民项目现场办公", "项目进度联合检查"],
}
MEETING_THEMES = [
    "环境整治",
    "扶贫助困",
    "交通疏导",
    "助医助学",
    "环保公益",
    "平安建设",
    "文明创建",
    "养老助残",
    "文体活动",
    "法律服务进社区",
    "冬季安全",
    "年终总结",
]
# A few pairs skip a quarter and a few hosts skip a month, so the matrices show gaps.
MISSING_PAIR_QUARTERS = 9
MISSING_HOST_MONTHS = 4


def _day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def load_oversight_demo(county: County, password_hash: str) -> None:
    """Add the oversight year to the demo county (the caller commits)."""
    db.session.flush()
    rng = random.Random(SEED)
    today = clock.today()
    townships = list(
        db.session.scalars(
            select(Township).where(Township.county_id == county.id).order_by(Township.id)
        )
    )
    communities = list(
        db.session.scalars(
            select(Community)
            .join(Township)
            .where(Township.county_id == county.id)
            .order_by(Community.id)
        )
    )
    units = list(
        db.session.scalars(select(Unit).where(Unit.county_id == county.id).order_by(Unit.id))
    )
    pairs = published_pairs([c.id for c in communities])
    needs = list(
        db.session.scalars(
            select(Need).where(Need.community_id.in_([c.id for c in communities])).order_by(Need.id)
        )
    )
    _township_users(townships, password_hash)
    _activities(rng, pairs, today)
    meetings = _meetings(rng, county, townships, communities, pairs, today)
    load_evidence_demo()
    _escalations(rng, units, needs, meetings)
    db.session.add(AssessmentYear(year=today.year, eligible_quarters=4))
    for pair in rng.sample(pairs, len(pairs) // 2):
        db.session.add(
            CommunityRating(
                year=today.year,
                unit=pair.unit,
                community=pair.community,
                stars=rng.choice([3, 4, 4, 5, 5]),
                comment=rng.choice(["社区协调有力，沟通顺畅。", "场地和人员支持到位。", ""]),
            )
        )


def _township_users(townships, password_hash) -> None:
    for index, township in enumerate(townships, start=1):
        db.session.add(
            User(
                username=f"township{index:02d}",
                role="township",
                display_name=f"{township.name}党（工）委",
                township=township,
                password_hash=password_hash,
            )
        )


def _activities(rng: random.Random, pairs, today: date) -> None:
    quarters = [q for q in year_quarters(today.year) if q.has_started(today)]
    skipped = {
        (rng.randrange(len(pairs)), rng.choice(quarters).number)
        for _ in range(MISSING_PAIR_QUARTERS)
    }
    for index, pair in enumerate(pairs):
        for quarter in quarters:
            if (index, quarter.number) in skipped:
                continue
            if not quarter.is_over(today) and rng.random() < 0.4:
                continue  # the running quarter: not every pair has met yet
            kind = rng.choice(list(ACTIVITY_KINDS))
            confirmed = quarter.is_over(today) or rng.random() < 0.5
            side = rng.choice(["unit", "community"])
            db.session.add(
                PairActivity(
                    unit=pair.unit,
                    community=pair.community,
                    held_on=_day_in(rng, quarter.starts_on, min(quarter.ends_on, today)),
                    kind=kind,
                    title=rng.choice(ACTIVITY_TITLES[kind]),
                    participants=rng.randint(6, 60),
                    notes="双方党员共同参加，居民反响良好。",
                    status="confirmed" if confirmed and rng.random() > 0.05 else "logged",
                    logged_by_side=side,
                    confirmed_at=clock.utcnow() if confirmed else None,
                )
            )


def _meeting(rng, county, level, held_on, theme, invited, host) -> JointMeeting:
    meeting = JointMeeting(
        county=county,
        level=level,
        held_on=held_on,
        theme=f"{theme}专题联席会议",
        minutes=f"会议通报了上月认领项目进度，研究了{theme}方面的突出问题，议定事项如下。",
        next_theme=rng.choice(MEETING_THEMES),
        agenda={},
        **host,
    )
    meeting.attendance = [
        MeetingAttendance(unit=unit, present=rng.random() < 0.85) for unit in invited
    ]
    return meeting


def _meetings(rng, county, townships, communities, pairs, today: date) -> list[JointMeeting]:
    units_of: dict[int, list] = {}
    for pair in pairs:
        units_of.setdefault(pair.community_id, []).append(pair.unit)
    hosts = [("community", c, units_of.get(c.id, [])) for c in communities]
    for township in townships:
        invited = [u for c in communities if c.township is township for u in units_of.get(c.id, [])]
        hosts.append(("township", township, invited))
    skipped = {
        (rng.randrange(len(hosts)), rng.randint(1, max(1, today.month - 1)))
        for _ in range(MISSING_HOST_MONTHS)
    }
    meetings = []
    for month in range(1, today.month + 1):
        start = date(today.year, month, 1)
        end = min(today, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        for index, (level, host, invited) in enumerate(hosts):
            if (index, month) in skipped or (month == today.month and rng.random() < 0.3):
                continue
            key = {"community": host} if level == "community" else {"township": host}
            meeting = _meeting(
                rng,
                county,
                level,
                _day_in(rng, start, end),
                MEETING_THEMES[month - 1],
                invited,
                key,
            )
            meetings.append(meeting)
            for _ in range(rng.randint(1, 2)):
                owner = rng.choice(invited) if invited else None
                due = meeting.held_on + timedelta(days=rng.choice([14, 21, 30]))
                meeting.action_items.append(
                    ActionItem(
                        title=rng.choice(
                            ["落实志愿者排班", "协调活动场地", "完成困难家庭走访", "整改楼道堆物"]
                        ),
                        owner_unit=owner,
                        owner_name="" if owner else "社区网格员",
                        due_on=due,
                        status="done" if due < today - timedelta(days=10) else "open",
                    )
                )
    all_units = sorted({u.id: u for p in pairs for u in [p.unit]}.values(), key=lambda u: u.id)
    for quarter in year_quarters(today.year):
        if quarter.is_over(today):
            held_on = _day_in(rng, quarter.starts_on, quarter.ends_on)
            meetings.append(
                _meeting(rng, county, "county", held_on, "全县城市党建重难点", all_units, {})
            )
    db.session.add_all(meetings)
    return meetings


def _escalations(rng, units, needs, meetings) -> None:
    """Backdate a few needs past the 30 days, and escalate some at each level."""
    waiting = [n for n in needs if n.status == "published" and n.claimed == 0]
    rng.shuffle(waiting)
    long_ago = clock.utcnow() - timedelta(days=45)
    for need in waiting[:24]:
        need.created_at = long_ago - timedelta(days=rng.randint(0, 40))
    now = clock.utcnow()
    plans = [
        ("township", "open", 3),
        ("township", "open", 12),  # past the township's time limit
        ("township", "assigned", 5),
        ("county", "open", 4),
        ("county", "open", 20),
        ("county", "assigned", 2),
        ("township", "resolved", 30),
    ]
    for (level, status, days), need in zip(plans, waiting[: len(plans)], strict=False):
        escalation = Escalation(
            need=need,
            community_id=need.community_id,
            township_id=need.community.township_id,
            level=level,
            status=status,
            reason="社区多次发动仍无单位认领，需统筹协调。",
            county_reason="涉及多个部门职责，提请县级统筹。" if level == "county" else "",
            created_at=now - timedelta(days=days + 3),
            level_since=now - timedelta(days=days),
        )
        if status in ("assigned", "resolved"):
            escalation.assigned_unit = rng.choice(units)
            escalation.assigned_at = now - timedelta(days=max(0, days - 1))
        if status == "resolved":
            escalation.resolved_at = now - timedelta(days=days - 2)
            escalation.unit_answer = "同意承接，已安排党员志愿者。"
        db.session.add(escalation)
    open_items = [
        i for m in meetings if m.level == "community" for i in m.action_items if i.status == "open"
    ]
    for item in open_items[:2]:
        item.status = "escalated"
        community = item.meeting.community
        db.session.add(
            Escalation(
                action_item=item,
                community=community,
                township_id=community.township_id,
                reason="事项涉及多家单位，社区层面难以协调。",
                level_since=now - timedelta(days=2),
            )
        )
