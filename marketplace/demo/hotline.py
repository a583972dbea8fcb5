"""The demo county's 志愿服务110: a year of tickets in the seed's proportion, and today's.

The county reports 「志愿服务“110”平台已服务居民265人次，解决各类公益、民生问题124个」. So the year
holds 265 served tickets, 124 of them followed up as solved and closed (the rest served
and not yet called back), a few declines and reopened follow-ups on the way, some late
dispatches and services (marked overdue), and a handful open now — two of them overdue.
Also the demo login ``dispatcher``. Runs after the members' demo (it needs the teams).
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Community, User
from marketplace.models.hotline import HOTLINE_SERVICES, Ticket, TicketEvent
from marketplace.models.members import Team
from marketplace.security import hash_password
from marketplace.services.hotline.hotline import time_limits

SERVED, SOLVED = 265, 124
KIND_WEIGHTS = {
    "repair": 22, "elderly": 20, "cleanup": 12, "dispute": 8, "legal": 6,
    "health": 10, "safety": 6, "education": 7, "culture": 4, "other": 5,
}  # fmt: skip
PROBLEMS = {
    "repair": ["厨房水管漏水", "楼道灯坏了", "家里跳闸没电", "门锁坏了打不开"],
    "elderly": ["独居老人需要助餐", "老人需要陪同复诊", "残疾人需要代购生活用品"],
    "cleanup": ["楼道堆放杂物", "小区垃圾没人清运", "绿化带杂草丛生"],
    "dispute": ["邻居装修噪音纠纷", "楼上漏水引起邻里矛盾"],
    "legal": ["咨询赡养纠纷怎么处理", "拖欠工资想了解维权途径"],
    "health": ["老人需要量血压、送药上门", "想咨询慢性病用药"],
    "safety": ["小区后门夜间没人看管", "电动车楼道充电隐患"],
    "education": ["孩子放学后没人辅导作业", "留守儿童需要心理疏导"],
    "culture": ["社区广场舞队想找人指导", "老年合唱队需要伴奏"],
    "other": ["想找人帮忙搬家具", "行动不便需要代办手续"],
}
Progress = Callable[[str, int, int], None]


def _event(ticket, action, before, after, at, team_id=None, note="", actor=None):
    ticket.events.append(
        TicketEvent(
            action=action,
            from_status=before,
            to_status=after,
            team_id=team_id,
            actor_id=actor,
            note=note,
            at=at,
        )
    )


class _HotlineDemo:
    def __init__(self, rng: random.Random, person: Callable[[], str]):
        self.rng, self.person = rng, person
        self.now = clock.utcnow().replace(second=0, microsecond=0)
        teams = db.session.scalars(select(Team).where(Team.leader_user_id.is_not(None))).all()
        self.teams_by_community: dict[int, list[Team]] = {}
        for team in teams:
            self.teams_by_community.setdefault(team.community_id, []).append(team)
        self.communities = [
            c for c in db.session.scalars(select(Community).order_by(Community.id))
            if c.id in self.teams_by_community
        ]  # fmt: skip

    def team_for(self, community: Community, code: str) -> Team:
        teams = self.teams_by_community[community.id]
        words = HOTLINE_SERVICES[code][2]
        matching = [t for t in teams if any(w in f"{t.name}{t.description}" for w in words)]
        return self.rng.choice(matching or teams)

    def ticket(self, received: datetime, dispatcher: User) -> Ticket:
        rng = self.rng
        code = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        community = rng.choice(self.communities)
        urgency = "urgent" if rng.random() < 0.2 else "normal"
        online = rng.random() < 0.25
        dispatch_within, serve_within = time_limits(urgency)
        ticket = Ticket(
            channel="online" if online else "phone",
            caller_name=self.person() if rng.random() < 0.8 else "",
            caller_phone=f"1{rng.choice((35, 37, 38, 39, 58, 89))}{rng.randint(10**7, 10**8 - 1)}",
            community_id=community.id,
            address=f"{community.name}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元",
            service_code=code,
            description=rng.choice(PROBLEMS[code]),
            urgency=urgency,
            status="received",
            received_at=received,
            dispatch_due_at=received + dispatch_within,
            serve_due_at=received + serve_within,
            created_by_id=None if online else dispatcher.id,
            updated_at=received,
        )
        ticket.community = community
        _event(ticket, "received", None, "received", received, actor=ticket.created_by_id)
        return ticket

    def advance(self, ticket: Ticket, stage: str, dispatcher: User) -> None:
        """Walk a ticket through the workflow up to ``stage`` with realistic delays."""
        rng, late = self.rng, self.rng.random() < 0.08
        urgent = ticket.urgency == "urgent"
        moment = ticket.received_at
        team = self.team_for(ticket.community, ticket.service_code)
        if rng.random() < 0.05:  # a first team declined
            other = self.team_for(ticket.community, ticket.service_code)
            moment += timedelta(minutes=rng.randint(5, 25))
            ticket.first_dispatched_at = moment
            _event(ticket, "dispatched", "received", "dispatched", moment, other.id, other.name,
                   dispatcher.id)  # fmt: skip
            moment += timedelta(minutes=rng.randint(10, 60))
            _event(ticket, "declined", "dispatched", "received", moment, None,
                   f"{other.name}：队员都在外地，无法上门", other.leader_user_id)  # fmt: skip
            ticket.declines = 1
        delay = rng.randint(40, 90) if late and urgent else rng.randint(5, 25 if urgent else 200)
        moment = self.cap(max(moment, ticket.received_at + timedelta(minutes=delay)))
        ticket.status, ticket.team_id = "dispatched", team.id
        ticket.dispatched_at = moment
        ticket.first_dispatched_at = ticket.first_dispatched_at or moment
        _event(ticket, "dispatched", "received", "dispatched", moment, team.id, team.name,
               dispatcher.id)  # fmt: skip
        if moment > ticket.dispatch_due_at:
            ticket.overdue_stage, ticket.overdue_at = "dispatch", ticket.dispatch_due_at
        if stage == "dispatched":
            return self._touch(ticket, moment)
        moment = self.cap(moment + timedelta(minutes=rng.randint(5, 90)))
        ticket.status, ticket.accepted_at = "accepted", moment
        _event(ticket, "accepted", "dispatched", "accepted", moment, team.id,
               actor=team.leader_user_id)  # fmt: skip
        if stage == "accepted":
            return self._touch(ticket, moment)
        serve_hours = rng.uniform(26, 40) if late else rng.uniform(1, 20 if urgent else 60)
        moment = self.cap(max(moment, ticket.received_at + timedelta(hours=serve_hours)))
        hours = rng.choice((1, 1.5, 2, 2, 3, 4))
        ticket.status, ticket.served_at, ticket.service_hours = "served", moment, hours
        ticket.service_summary = "志愿者上门处理完毕，居民当面确认。"
        _event(ticket, "served", "accepted", "served", moment, team.id,
               f"{ticket.service_summary}（{hours:g} 小时）", team.leader_user_id)  # fmt: skip
        if moment > ticket.serve_due_at:
            ticket.overdue_stage, ticket.overdue_at = "serve", ticket.serve_due_at
        if stage == "closed":
            moment = self.cap(moment + timedelta(hours=rng.randint(4, 48)))
            score = rng.choices((5, 4, 3, 2), weights=(60, 28, 9, 3))[0]
            ticket.status, ticket.followed_up_at = "followed_up", moment
            ticket.satisfaction, ticket.resolved = score, True
            _event(ticket, "followed_up", "served", "followed_up", moment, team.id,
                   f"满意度 {score}，已解决。", dispatcher.id)  # fmt: skip
            moment = self.cap(moment + timedelta(minutes=rng.randint(5, 120)))
            ticket.status, ticket.closed_at = "closed", moment
            _event(ticket, "closed", "followed_up", "closed", moment, team.id, actor=dispatcher.id)
        return self._touch(ticket, moment)

    def cap(self, moment: datetime) -> datetime:
        """Keep a generated step in the past (open tickets received minutes ago)."""
        return min(moment, self.now - timedelta(minutes=1))

    def _touch(self, ticket: Ticket, moment: datetime) -> None:
        ticket.updated_at = moment


def build_hotline(rng: random.Random, person: Callable[[], str], progress: Progress) -> int:
    """Add the dispatcher login and a year of hotline tickets; return how many tickets."""
    dispatcher = User(
        username="dispatcher",
        role="dispatcher",
        display_name=f"志愿服务指挥中心 {person()}",
        password_hash=hash_password("demo-pass"),
    )
    db.session.add(dispatcher)
    db.session.flush()
    demo = _HotlineDemo(rng, person)
    if not demo.communities:
        return 0
    # oldest first: the solved ones were called back; the later ones await a call-back
    plan = ["closed"] * SOLVED + ["served"] * (SERVED - SOLVED)
    days = sorted((rng.randint(4, 364) for _ in plan), reverse=True)
    tickets = []
    for index, (stage, days_ago) in enumerate(zip(plan, days, strict=True), start=1):
        received = demo.now - timedelta(days=days_ago, hours=rng.randint(0, 10))
        ticket = demo.ticket(received, dispatcher)
        demo.advance(ticket, stage, dispatcher)
        tickets.append(ticket)
        if index % 50 == 0 or index == len(plan):
            progress("志愿服务110 工单", index, len(plan))
    # open now: waiting (two of them past their dispatch limit), dispatched, accepted
    for hours_ago, stage in [(0.2, None), (1, None), (6, None), (30, None), (2, "dispatched"),
                             (80, "dispatched"), (5, "accepted"), (20, "accepted")]:  # fmt: skip
        ticket = demo.ticket(demo.now - timedelta(hours=hours_ago), dispatcher)
        if stage:
            demo.advance(ticket, stage, dispatcher)
        tickets.append(ticket)
    db.session.add_all(tickets)
    db.session.flush()
    return len(tickets)
