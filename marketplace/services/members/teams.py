"""Service teams (服务队): staff keep them, place members, name a co-leader and a liaison.

The suggested placement is an assignment of members × teams solved by the pairing
engine: each member (capacity 1) goes to at most one team, each team takes at most its
spare places, and a member scores highest with the team their post feeds.
"""

import numpy as np
from sqlalchemy import func, select

from marketplace import pairing
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Member, Team, User
from marketplace.models.members import TEAM_ROLES
from marketplace.pairing import PairingProblem
from marketplace.services import audit
from marketplace.services.access import (
    in_staff_community,
    is_colleague,
    require_role,
    require_staff_community,
    valid_id,
)
from marketplace.services.fields import TEAM, FieldReader

DEFAULT_TEAMS = [
    ("便民服务队", "代办跑腿、家电维修等便民服务"),
    ("助民服务队", "帮扶困难群众、助老助残"),
    ("惠民服务队", "政策宣讲、就业社保咨询"),
    ("乐民服务队", "文体活动、节日联欢"),
    ("安民服务队", "平安巡逻、矛盾调解"),
    ("美民服务队", "环境整治、文明创建"),
    ("育民服务队", "课业辅导、青少年关爱"),
]
# Scores of the placement: the team the member's post feeds, any team when the member has
# no post, another team (still better than none, so everyone is placed while room lasts).
SCORE_POST_TEAM, SCORE_NO_POST, SCORE_OTHER = 1.0, 0.5, 0.1


def community_teams(community_id: int) -> list[Team]:
    """Return a community's teams in their order."""
    return list(
        db.session.scalars(
            select(Team).where(Team.community_id == community_id).order_by(Team.position, Team.id)
        )
    )


def own_team(actor: User, team_id) -> Team:
    """Return a team of the staff member's community (404 / 403 otherwise)."""
    require_role(actor, "community")
    team = db.session.get(Team, team_id) if valid_id(team_id) else None
    if team is None:
        raise NotFound("服务队不存在。")
    require_staff_community(actor, team, "只能管理本社区的服务队。")
    return team


def _own_member(actor: User, member_id) -> Member:
    member = db.session.get(Member, member_id) if valid_id(member_id) else None
    if not in_staff_community(actor, member):
        raise NotFound("本社区没有该报到党员。")
    return member


def save_team(actor: User, data, team_id=None) -> Team:
    """Create a team, or change one: name, description, size and cadre leader."""
    require_role(actor, "community")
    team = own_team(actor, team_id) if team_id is not None else None
    reader = FieldReader(data)
    values = {
        "name": reader.read("name", TEAM["name"]),
        "description": reader.read("description", TEAM["description"]),
        "capacity": reader.integer(
            "capacity", "队员人数上限", minimum=1, maximum=500, required=True
        ),
        "leader_user_id": reader.integer("leader_user_id", "社区干部负责人"),
    }
    reader.raise_if_invalid()
    leader_id = values["leader_user_id"]
    if leader_id is not None:
        leader = db.session.get(User, leader_id) if valid_id(leader_id) else None
        if not is_colleague(actor, leader):
            raise InvalidInput("负责人须为本社区工作人员。", field="leader_user_id")
    clash = select(Team.id).where(
        Team.community_id == actor.community_id, Team.name == values["name"]
    )
    if team is not None:
        clash = clash.where(Team.id != team.id)
    if db.session.scalar(clash):
        raise InvalidInput(f"本社区已有「{values['name']}」。", field="name")
    if team is None:
        position = db.session.scalar(
            select(func.coalesce(func.max(Team.position), 0)).where(
                Team.community_id == actor.community_id
            )
        )
        team = Team(community_id=actor.community_id, position=position + 1, **values)
        db.session.add(team)
        db.session.flush()
        audit.record("team.created", actor=actor, obj=team, after=values)
    else:
        if values["capacity"] < len(team.members):
            raise InvalidInput("人数上限不能少于现有队员。", field="capacity")
        before = {key: getattr(team, key) for key in values}
        for key, value in values.items():
            setattr(team, key, value)
        audit.record("team.updated", actor=actor, obj=team, before=before, after=values)
    db.session.commit()
    return team


def set_officer(actor: User, team_id, member_id, role: str) -> Team:
    """Name a team member the team's co-leader or liaison (the previous one steps down)."""
    team = own_team(actor, team_id)
    if role not in ("co_leader", "liaison"):
        raise InvalidInput("职务无效。", field="role")
    member = _own_member(actor, member_id)
    if member.team_id != team.id:
        raise InvalidInput("只能任命本队队员。", field="member_id")
    previous = next((m for m in team.members if m.team_role == role), None)
    if previous is not None:
        previous.team_role = "member"
        db.session.flush()  # the partial unique index allows one holder at a time
    member.team_role = role
    audit.record(
        "team.officer",
        actor=actor,
        obj=team,
        before={role: previous.id if previous else None},
        after={role: member.id},
        detail=TEAM_ROLES[role],
    )
    db.session.commit()
    return team


def _team_sizes(community_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Member.team_id, func.count())
            .where(Member.community_id == community_id, Member.team_id.is_not(None))
            .group_by(Member.team_id)
        ).all()
    )


def apply_placement(actor: User, placement: dict) -> int:
    """Place members in teams ({member_id: team_id or None}); all or nothing."""
    require_role(actor, "community")
    teams = {team.id: team for team in community_teams(actor.community_id)}
    sizes = _team_sizes(actor.community_id)
    changes = []
    for member_id, team_id in placement.items():
        member = _own_member(actor, member_id)
        if team_id is not None and team_id not in teams:
            raise InvalidInput("请选择本社区的服务队。", field="team_id")
        if member.team_id != team_id:
            changes.append((member, team_id))
    for member, team_id in changes:
        if member.team_id is not None:
            sizes[member.team_id] = sizes.get(member.team_id, 0) - 1
        if team_id is not None:
            sizes[team_id] = sizes.get(team_id, 0) + 1
    full = [teams[t].name for t, size in sizes.items() if t in teams and size > teams[t].capacity]
    if full:
        raise Conflict(f"{'、'.join(full)}超出人数上限，请调整。")
    for member, team_id in changes:
        audit.record(
            "team.placed",
            actor=actor,
            obj=member,
            before={"team_id": member.team_id},
            after={"team_id": team_id},
        )
        member.team_id, member.team_role = team_id, "member"
    db.session.commit()
    return len(changes)


def suggest_placement(actor: User) -> dict[int, int]:
    """Suggest a team for every reported member without one ({member_id: team_id})."""
    require_role(actor, "community")
    teams = community_teams(actor.community_id)
    waiting = list(
        db.session.scalars(
            select(Member)
            .where(Member.community_id == actor.community_id, Member.team_id.is_(None))
            .order_by(Member.id)
        )
    )
    sizes = _team_sizes(actor.community_id)
    spare = [max(team.capacity - sizes.get(team.id, 0), 0) for team in teams]
    if not waiting or not teams or not any(spare):
        return {}
    scores = np.full((len(waiting), len(teams)), SCORE_OTHER)
    column = {team.id: j for j, team in enumerate(teams)}
    for i, member in enumerate(waiting):
        post_team = member.post.team_id if member.post is not None else None
        if member.post is None:
            scores[i, :] = SCORE_NO_POST
        elif post_team in column:
            scores[i, column[post_team]] = SCORE_POST_TEAM
    result = pairing.solve(
        PairingProblem(
            unit_ids=tuple(str(member.id) for member in waiting),
            community_ids=tuple(str(team.id) for team in teams),
            scores=scores,
            capacity=(1,) * len(waiting),
            min_quota=(0,) * len(teams),
            max_quota=tuple(spare),
        )
    )
    return {int(member_id): int(team_id) for member_id, team_id in result.pairs}


def accept_suggestions(actor: User) -> int:
    """Place every member waiting for a team into the suggested one; return how many."""
    return apply_placement(actor, suggest_placement(actor))


def add_defaults(actor: User) -> int:
    """Give a community without posts or teams the county's 12 posts and 7 teams."""
    from marketplace.models import Post
    from marketplace.services.members.posts import DEFAULT_POSTS

    require_role(actor, "community")
    community_id = actor.community_id
    added = 0
    if not community_teams(community_id):
        for position, (name, text) in enumerate(DEFAULT_TEAMS, start=1):
            db.session.add(
                Team(
                    community_id=community_id,
                    name=name,
                    description=text,
                    position=position,
                    leader_user_id=actor.id,
                )
            )
            added += 1
    has_posts = db.session.scalar(select(Post.id).where(Post.community_id == community_id))
    if not has_posts:
        for position, (name, text) in enumerate(DEFAULT_POSTS, start=1):
            db.session.add(
                Post(community_id=community_id, name=name, description=text, position=position)
            )
            added += 1
    if not added:
        raise Conflict("本社区已有岗位和服务队。")
    audit.record(
        "team.defaults",
        actor=actor,
        object_type="community",
        object_id=community_id,
        after={"added": added},
    )
    db.session.commit()
    return added
