"""The hotline's view of the members' teams: who acts for a team, its load, its service records.

A team is acted for by its cadre leader (``Team.leader_user_id``, community staff) or its
member co-leader (the member whose ``team_role`` is ``co_leader``). Serving a ticket
drafts a service record per member who served, linked to the ticket, for the team's
community to confirm as usual.
"""

from collections.abc import Iterable

from sqlalchemy import func, or_, select

from marketplace import clock
from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.hotline import TEAM_LOAD_STATUSES, Ticket
from marketplace.models.members import Member, ServiceRecord, Team
from marketplace.services.access import has_role, leads_team, valid_id


def acting_member(user: User) -> Member | None:
    """Return the member record of a ``member`` account."""
    if not has_role(user, "member"):
        return None
    return db.session.scalar(select(Member).where(Member.user_id == user.id))


def acts_for(user: User, team: Team) -> bool:
    """Tell whether ``user`` may act for ``team`` (cadre leader or member co-leader)."""
    if has_role(user, "community"):
        return leads_team(user, team)
    member = acting_member(user)
    return member is not None and member.team_id == team.id and member.team_role == "co_leader"


def teams_acted_for(user: User) -> list[int]:
    """Return the ids of the teams ``user`` acts for."""
    if has_role(user, "community"):
        return list(db.session.scalars(select(Team.id).where(Team.leader_user_id == user.id)))
    member = acting_member(user)
    if member is not None and member.team_id and member.team_role == "co_leader":
        return [member.team_id]
    return []


def actable_teams_query():
    """Select teams that someone can act for (a leader or a member co-leader)."""
    co_led = select(Member.team_id).where(Member.team_role == "co_leader")
    return select(Team).where(or_(Team.leader_user_id.is_not(None), Team.id.in_(co_led)))


def open_loads(team_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Return each team's open load: tickets dispatched to it or accepted by it."""
    query = (
        select(Ticket.team_id, func.count())
        .where(Ticket.status.in_(TEAM_LOAD_STATUSES))
        .group_by(Ticket.team_id)
    )
    if team_ids is not None:
        query = query.where(Ticket.team_id.in_(list(team_ids)))
    return {team_id: count for team_id, count in db.session.execute(query)}


def draft_service_records(
    actor: User, ticket: Ticket, team: Team, member_ids, summary: str, hours: float
) -> list[Member]:
    """Draft a service record for each member who served (members of the team only)."""
    ids = []
    for value in member_ids or ():
        try:
            member_id = int(value)
        except (TypeError, ValueError):
            member_id = 0
        if not valid_id(member_id):
            raise InvalidInput("参与服务的队员无效。", field="member_ids")
        ids.append(member_id)
    if not ids:
        own = acting_member(actor)
        ids = [own.id] if own is not None else []
    members = list(db.session.scalars(select(Member).where(Member.id.in_(ids))))
    if len(members) != len(set(ids)) or any(m.team_id != team.id for m in members):
        raise InvalidInput("参与服务的队员必须是本服务队的队员。", field="member_ids")
    served_on = clock.today()
    for member in members:
        db.session.add(
            ServiceRecord(
                member_id=member.id,
                community_id=team.community_id,
                kind="service",
                served_on=served_on,
                hours=hours,
                summary=f"志愿服务110 工单 #{ticket.id}：{summary}"[:2000],
                status="submitted",
                team_id=team.id,
                post_id=member.post_id,
                source_kind="hotline",
                source_id=ticket.id,
            )
        )
    return members
