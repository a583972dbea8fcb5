"""The demo county's party members: reports, posts, teams, a year of service.

Every community gets 12 posts, 7 teams and 22–28 reported members from its paired units
(the floor is 20 per community), a year of confirmed service records with their points, a small
points shop, and activities (one running today, so its QR code can be tried). A few
members are registered but not yet reported, and two reports wait for confirmation.
``member001`` (password demo-pass) is reported to the first community with a post and a
team. Points are written as ledger entries with running balances, so ``flask points
check`` passes on the demo.
"""

import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Activity,
    Community,
    Member,
    MemberReport,
    PairingPlan,
    PlanPair,
    PointEntry,
    Post,
    ServiceRecord,
    ShopItem,
    Team,
    Unit,
    User,
)
from marketplace.security import hash_password
from marketplace.services.members.points import DEFAULT_POINTS
from marketplace.services.members.posts import DEFAULT_POSTS
from marketplace.services.members.teams import DEFAULT_TEAMS

SEED = 20190701
MEMBERS_PER_COMMUNITY = (22, 28)
UNPLACED = 3  # the last members of each community wait for a team (the placement page)
SUBMITTED = 2  # service records per community waiting for staff
NOT_REPORTED = 6
SERVICE_SUMMARIES = {
    "service": [
        "楼道清洁",
        "助老送餐",
        "四点半课堂辅导",
        "垃圾分类督导",
        "平安巡逻",
        "义诊服务",
        "政策宣讲",
        "小区绿化养护",
        "防汛值守",
        "交通疏导",
    ],
    "org_life": ["参加社区主题党日", "参加社区党组织生活会"],
    "symposium": ["与社区两委干部座谈"],
    "survey": ["老旧小区加装电梯需求调研", "社区养老服务需求调研", "停车难问题调研"],
}
SHOP = [("洗衣液", 30, 20), ("大米 5 公斤", 60, 10), ("社区理发券", 20, 30)]
# Posts feed teams: post index → team index of DEFAULT_TEAMS (12 posts, 7 teams).
POST_TEAM = [2, 2, 0, 0, 1, 4, 3, 5, 4, 6, 1, 4]


def load_demo_members(communities: list[Community], password: str) -> str:
    """Add the members' demo data to the current transaction; return a summary line."""
    rng = random.Random(SEED)  # its own seed: other demo data can change without moving ours
    db.session.flush()
    # One hash for every demo member: they share the demo password, and hashing hundreds
    # of accounts at full cost would make loading the demo slow.
    password_hash = hash_password(password)
    paired = _paired_units(communities)
    staff = _staff(communities)
    today = clock.today()
    counter = iter(range(1, 100_000))
    total_members = total_records = 0
    for community in communities:
        teams = _teams(community, staff.get(community.id))
        posts = _posts(community, teams)
        count = rng.randint(*MEMBERS_PER_COMMUNITY)
        members = [
            _member(rng, next(counter), rng.choice(paired[community.id]), password_hash, community)
            for _ in range(count)
        ]
        db.session.flush()
        _choose_and_place(rng, members, posts, teams)
        total_records += _service_year(rng, community, members, today)
        _shop_and_activities(community, staff.get(community.id), today)
        total_members += count
    _not_reported(rng, iter(range(901, 1000)), communities, paired, password_hash)
    return f"{total_members} 名报到党员，{total_records} 条服务记录"


def _paired_units(communities: list[Community]) -> dict[int, list[Unit]]:
    rows = db.session.execute(
        select(PlanPair.community_id, Unit)
        .join(Unit, Unit.id == PlanPair.unit_id)
        .join(PairingPlan, PairingPlan.id == PlanPair.plan_id)
        .where(PairingPlan.status == "published")
    ).all()
    paired: dict[int, list[Unit]] = defaultdict(list)
    for community_id, unit in rows:
        paired[community_id].append(unit)
    every_unit = list(db.session.scalars(select(Unit)))
    return {c.id: paired.get(c.id) or every_unit for c in communities}


def _staff(communities: list[Community]) -> dict[int, User]:
    ids = [c.id for c in communities]
    users = db.session.scalars(
        select(User).where(User.role == "community", User.community_id.in_(ids))
    )
    return {user.community_id: user for user in users}


def _teams(community: Community, leader: User | None) -> list[Team]:
    teams = [
        Team(
            community=community,
            name=name,
            description=text,
            capacity=8,
            position=index,
            leader_user_id=leader.id if leader else None,
        )
        for index, (name, text) in enumerate(DEFAULT_TEAMS, start=1)
    ]
    db.session.add_all(teams)
    return teams


def _posts(community: Community, teams: list[Team]) -> list[Post]:
    posts = [
        Post(
            community=community,
            name=name,
            description=text,
            places=4,
            position=index,
            team=teams[POST_TEAM[index - 1]],
        )
        for index, (name, text) in enumerate(DEFAULT_POSTS, start=1)
    ]
    db.session.add_all(posts)
    return posts


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}"


def _person(rng: random.Random) -> str:
    from marketplace.demo import names

    return rng.choice(names.SURNAMES) + rng.choice(names.GIVEN)


def _member(rng, number: int, unit: Unit, password_hash: str, community) -> Member:
    name = _person(rng)
    user = User(
        username=f"member{number:03d}",
        display_name=name,
        role="member",
        password_hash=password_hash,
    )
    reported_at = datetime.now(UTC) - timedelta(days=rng.randint(370, 700))
    member = Member(
        user=user,
        unit=unit,
        name=name,
        phone=_mobile(rng),
        home_community=community if rng.random() < 0.4 else None,
    )
    if community is not None:
        member.community, member.reported_at = community, reported_at
        db.session.add(
            MemberReport(
                member=member,
                community=community,
                status="confirmed",
                decided_at=reported_at,
                created_at=reported_at - timedelta(days=2),
            )
        )
    db.session.add_all([user, member])
    return member


def _choose_and_place(rng, members: list[Member], posts: list[Post], teams: list[Team]) -> None:
    sizes: dict[int, int] = defaultdict(int)
    for index, member in enumerate(members[:-UNPLACED]):
        open_posts = [post for post in posts if post.taken < post.places]
        if open_posts and (index == 0 or rng.random() < 0.85):
            post = rng.choice(open_posts)
            post.taken += 1
            member.post = post
            team = post.team
        else:
            team = rng.choice(teams)
        if sizes[team.id] >= team.capacity:
            team = min(teams, key=lambda t: sizes[t.id])
        member.team = team
        sizes[team.id] += 1
    for member in members[-UNPLACED:]:
        open_posts = [post for post in posts if post.taken < post.places]
        if open_posts:
            member.post = rng.choice(open_posts)
            member.post.taken += 1
    db.session.flush()
    for team in teams:
        crew = [m for m in members if m.team_id == team.id]
        if crew:
            crew[0].team_role = "co_leader"
        if len(crew) > 1:
            crew[1].team_role = "liaison"


def _service_year(rng, community: Community, members: list[Member], today) -> int:
    records = []
    for member in members:
        for _ in range(rng.randint(3, 9)):
            kind = rng.choices(["service", "org_life", "symposium", "survey"], [6, 2, 1, 1])[0]
            records.append(
                ServiceRecord(
                    member=member,
                    community=community,
                    kind=kind,
                    status="confirmed",
                    served_on=today - timedelta(days=rng.randint(1, 365)),
                    hours=rng.choice([1, 1.5, 2, 2, 3, 4]),
                    summary=rng.choice(SERVICE_SUMMARIES[kind]),
                    post=member.post,
                    team=member.team,
                )
            )
    for member in members[:SUBMITTED]:
        records.append(
            ServiceRecord(
                member=member,
                community=community,
                kind="service",
                status="submitted",
                served_on=today - timedelta(days=1),
                hours=2,
                summary="协助社区疫苗接种登记",
                post=member.post,
                team=member.team,
            )
        )
    db.session.add_all(records)
    db.session.flush()
    balances: dict[int, int] = defaultdict(int)
    entries = []
    confirmed = [record for record in records if record.status == "confirmed"]
    for record in sorted(confirmed, key=lambda r: (r.served_on, r.id)):
        balances[record.member_id] += DEFAULT_POINTS["service"]
        entries.append(
            PointEntry(
                member_id=record.member_id,
                amount=DEFAULT_POINTS["service"],
                source_kind="service",
                source_id=record.id,
                reason=f"{record.kind_label}：{record.summary}",
                balance_after=balances[record.member_id],
                created_at=clock.at(record.served_on, time(18)).astimezone(UTC),
            )
        )
    for member in members[::5]:  # some members already shopped
        cost = SHOP[2][1]
        if balances[member.id] >= cost:
            balances[member.id] -= cost
            entries.append(
                PointEntry(
                    member_id=member.id,
                    amount=-cost,
                    source_kind="redemption",
                    reason=f"兑换「{SHOP[2][0]}」",
                    balance_after=balances[member.id],
                )
            )
    db.session.add_all(entries)
    for member in members:
        member.points_balance = balances[member.id]
    return len(records)


def _shop_and_activities(community: Community, staff: User | None, today) -> None:
    db.session.add_all(
        ShopItem(community=community, name=name, cost=cost, stock=stock)
        for name, cost, stock in SHOP
    )
    for offset, kind, title, start, end in (
        (-20, "org_life", "主题党日：学习交流", time(9), time(11)),
        (0, "service", "周末环境整治志愿服务", time(0, 5), time(23, 55)),
        (10, "symposium", "在职党员座谈会", time(15), time(17)),
    ):
        day = today + timedelta(days=offset)
        db.session.add(
            Activity(
                community=community,
                kind=kind,
                title=title,
                place=f"{community.name}党群服务中心",
                starts_at=clock.at(day, start).astimezone(UTC),
                ends_at=clock.at(day, end).astimezone(UTC),
                checkin_token=f"demo-{community.id}-{offset + 20}-{kind}",
                created_by_id=staff.id if staff else None,
            )
        )


def _not_reported(rng, counter, communities, paired, password_hash) -> None:
    """A few registered members who have not reported; two reports wait for staff."""
    first = communities[0]
    for index in range(NOT_REPORTED):
        member = _member(
            rng, next(counter), paired[first.id][index % len(paired[first.id])], password_hash, None
        )
        member.home_community = first
        if index < 2:
            db.session.add(
                MemberReport(
                    member=member, community=first, status="pending", note="申请到居住地社区报到"
                )
            )
