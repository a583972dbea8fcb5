"""The demo county's funds year and its 大党委 (joint party committees).

Pledges of 1 万元 for every published pair, contributions in money and materials through
the year, each community's 工作经费 by source and its spending (the large items approved
by the township, one still waiting), one correction; 48 兼职委员 over the 11 communities
(3–5 each) with activity branches and grid party groups, and their attendance at the
community meetings. Built from its own seeded generator relative to the county's today,
so it is the same on every load and always shows a year in progress.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from marketplace.demo import names
from marketplace.extensions import db
from marketplace.models import (
    CommitteeAttendance,
    CommitteeMember,
    CommitteeOrg,
    Community,
    FundEntry,
    JointMeeting,
    Township,
    User,
)
from marketplace.services.oversight.oversight_calendar import county_today
from marketplace.services.oversight.oversight_scope import published_pairs

SEED = 2419
PLEDGE_FEN = 10_000 * 100
MEMBERS_PER_COMMUNITY = (5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4)  # 48 in the 11 communities
GRID_GROUPS = (11, 11, 10, 10, 10, 10, 10, 10, 10, 10, 10)  # 112
APPROVAL_FEN = 5_000 * 100
CONTRIBUTIONS = [
    ("资金", "困难家庭慰问金"),
    ("资金", "社区文体活动经费"),
    ("资金", "老旧小区环境整治"),
    ("冬衣 40 件", "冬季送温暖"),
    ("书籍 200 册", "社区书屋"),
    ("办公电脑 2 台", "党群服务中心"),
    ("米面油 60 份", "重阳节慰问"),
]
BUDGET_LINES = [
    ("finance", 120_000, "社区工作经费（年度）"),
    ("party_fee", 12_000, "党费返还"),
    ("department", 20_000, "部门帮扶专项"),
    ("transfer", 15_000, "费随事转：居家养老服务"),
    ("donation", 6_000, "爱心企业捐赠"),
]
SMALL_SPENDING = ["办公用品", "活动物资", "志愿者饮用水", "宣传展板", "水电维修"]
MAJOR_SPENDING = ["楼道照明改造", "小区监控补点", "党群服务中心修缮", "老年食堂设备"]
POSTS = [
    ("unit_secretary", "共建协调委员", "牵头联系驻区单位，协调认领项目和对接活动。", "兼职副书记"),
    ("police", "平安建设委员", "负责社区治安联防、矛盾纠纷排查和反诈宣传。", "警民共建联络员"),
    ("property", "物业协调委员", "协调物业服务、环境卫生和设施维修问题。", "党建指导员"),
    ("owners_committee", "居民议事委员", "收集业主意见，参与小区重大事项议事。", "议事监督员"),
    ("unit_secretary", "志愿服务委员", "组织本单位在职党员参与社区志愿服务。", "兼职委员"),
]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def load_funds_demo(county) -> None:
    """Add the funds year and the 大党委 to the demo county (the caller commits)."""
    db.session.flush()
    rng = random.Random(SEED)
    today = county_today()
    start = date(today.year, 1, 1)
    communities = list(
        db.session.scalars(
            select(Community)
            .join(Township)
            .where(Township.county_id == county.id)
            .order_by(Community.id)
        )
    )
    staff = _first_user("community", "community_id")
    township_staff = _first_user("township", "township_id")
    pairs = published_pairs([c.id for c in communities])
    entries = _pledges_and_contributions(rng, pairs, start, today)
    for community in communities:
        entries += _budget_and_spending(rng, community, staff.get(community.id), start, today)
    _decide(rng, entries, township_staff, today)
    db.session.add_all(entries)
    db.session.flush()
    _one_correction(entries, staff)
    _committees(rng, communities, pairs, start, today)


def _first_user(role: str, key: str) -> dict[int, User]:
    users = db.session.scalars(select(User).where(User.role == role).order_by(User.id))
    found: dict[int, User] = {}
    for user in users:
        found.setdefault(getattr(user, key), user)
    return found


def _pledges_and_contributions(rng, pairs, start: date, today: date) -> list[FundEntry]:
    entries = []
    share_of_year = (today - start).days / 365
    for pair in pairs:
        entries.append(
            FundEntry(
                kind="pledge",
                community_id=pair.community_id,
                unit_id=pair.unit_id,
                amount_fen=PLEDGE_FEN,
                note=f"{today.year} 年度帮扶经费承诺",
                entry_date=_day(rng, start, min(today, start + timedelta(days=20))),
            )
        )
        # Most units are on track for the time of year; a few are behind, a few ahead.
        target = PLEDGE_FEN * min(1.2, share_of_year * rng.choice([0.4, 0.8, 1.0, 1.0, 1.2, 1.5]))
        given = 0
        while given < target:
            materials, project = rng.choice(CONTRIBUTIONS)
            amount = rng.choice([500, 800, 1000, 1500, 2000, 3000]) * 100
            entries.append(
                FundEntry(
                    kind="contribution",
                    community_id=pair.community_id,
                    unit_id=pair.unit_id,
                    amount_fen=amount,
                    materials="" if materials == "资金" else materials,
                    project=project,
                    note=f"{pair.unit.name}{project}",
                    entry_date=_day(rng, start, today),
                )
            )
            given += amount
    return entries


def _budget_and_spending(rng, community, user, start: date, today: date) -> list[FundEntry]:
    author = user.id if user else None
    entries = [
        FundEntry(
            kind="budget",
            community_id=community.id,
            source=source,
            amount_fen=(yuan + rng.randint(0, 8) * 500) * 100,
            project=project,
            note=f"{today.year} 年{project}到账",
            entry_date=_day(rng, start, min(today, start + timedelta(days=60))),
            created_by_id=author,
        )
        for source, yuan, project in BUDGET_LINES
    ]
    day = start + timedelta(days=10)
    while day <= today:
        entries.append(
            FundEntry(
                kind="spending",
                community_id=community.id,
                amount_fen=rng.randint(3, 40) * 10_000,
                project=rng.choice(SMALL_SPENDING),
                note="日常开支，凭票报销",
                entry_date=day,
                created_by_id=author,
            )
        )
        day += timedelta(days=rng.randint(12, 25))
    for project in rng.sample(MAJOR_SPENDING, 2):
        entries.append(
            FundEntry(
                kind="spending",
                community_id=community.id,
                amount_fen=rng.randint(6, 30) * 100_000,
                project=project,
                note=f"{project}，经社区联席会议议定",
                entry_date=_day(rng, start, today),
                status="pending",
                created_by_id=author,
            )
        )
    return entries


def _decide(rng, entries, township_staff, today: date) -> None:
    """Approve the large spending, but leave the most recent one waiting."""
    large = sorted(
        (e for e in entries if e.status == "pending"), key=lambda e: (e.entry_date, e.project)
    )
    for entry in large[:-1]:
        township_id = db.session.get(Community, entry.community_id).township_id
        approver = township_staff.get(township_id)
        entry.status = "counted"
        entry.decided_by_id = approver.id if approver else None
        entry.decided_at = datetime.combine(
            min(today, entry.entry_date + timedelta(days=2)), time(10), tzinfo=UTC
        )
        entry.decision_note = rng.choice(["同意", "同意，注意留存票据", "经审核同意"])


def _one_correction(entries, staff) -> None:
    """A mistyped spending, reversed the next day: how corrections look in the ledger."""
    spent = next(e for e in entries if e.kind == "spending" and e.status == "counted")
    user = staff.get(spent.community_id)
    db.session.add(
        FundEntry(
            kind="spending",
            community_id=spent.community_id,
            amount_fen=-spent.amount_fen,
            project=spent.project,
            note=f"更正第 {spent.id} 号记录：金额录入错误，已重新登记",
            entry_date=spent.entry_date,
            reverses_id=spent.id,
            created_by_id=user.id if user else None,
        )
    )


def _person(rng) -> str:
    return rng.choice(names.SURNAMES) + rng.choice(names.GIVEN)


def _committees(rng, communities, pairs, start: date, today: date) -> None:
    units_of: dict[int, list] = {}
    for pair in pairs:
        units_of.setdefault(pair.community_id, []).append(pair.unit)
    members = []
    for index, community in enumerate(communities):
        short = community.name.removesuffix("社区")
        orgs = [
            CommitteeOrg(
                community_id=community.id,
                kind="unit_org",
                name=f"{unit.name}党组织",
                unit_id=unit.id,
            )
            for unit in units_of.get(community.id, [])
        ]
        orgs += [
            CommitteeOrg(
                community_id=community.id, kind="activity_branch", name=f"{short}{n}活动党支部"
            )
            for n in ("老干部", "志愿服务", "流动党员")
        ]
        orgs += [
            CommitteeOrg(community_id=community.id, kind="grid_group", name=f"第{n}网格党小组")
            for n in range(1, GRID_GROUPS[index % len(GRID_GROUPS)] + 1)
        ]
        db.session.add_all(orgs)
        units = units_of.get(community.id, [])
        for slot in range(MEMBERS_PER_COMMUNITY[index % len(MEMBERS_PER_COMMUNITY)]):
            origin, post, duties, seat = POSTS[slot]
            unit = units[slot % len(units)] if origin == "unit_secretary" and units else None
            organisation = {
                "police": f"{short}派出所",
                "property": f"{short}物业服务公司",
                "owners_committee": f"{short}小区业主委员会",
            }.get(origin, "")
            members.append(
                CommitteeMember(
                    community_id=community.id,
                    name=_person(rng),
                    origin=origin,
                    from_unit_id=unit.id if unit else None,
                    organisation=organisation or (unit.name if unit else "驻区单位"),
                    post=post,
                    duties=duties,
                    secretary_seat=seat,
                    joined_on=start - timedelta(days=rng.randint(30, 700)),
                )
            )
    db.session.add_all(members)
    db.session.flush()
    meetings = db.session.scalars(
        select(JointMeeting)
        .where(JointMeeting.level == "community", JointMeeting.held_on >= start)
        .order_by(JointMeeting.id)
    )
    by_community: dict[int, list[CommitteeMember]] = {}
    for member in members:
        by_community.setdefault(member.community_id, []).append(member)
    db.session.add_all(
        CommitteeAttendance(meeting_id=meeting.id, member_id=member.id, present=rng.random() < 0.8)
        for meeting in meetings
        for member in by_community.get(meeting.community_id, [])
    )
