"""Which team should take a ticket: ranked suggestions, and a batch proposal for many tickets.

Ranking: teams of the caller's community first, then teams whose posts
match the ticket's kind, then the lightest open load, then the nearest community. The
batch proposal hands tickets × teams to the assignment engine (``marketplace.pairing``,
tickets as rows of capacity 1, teams as columns with their spare load as the maximum),
and the dispatcher confirms the pairs; each is then dispatched like a single one.
"""

import math
from dataclasses import dataclass

import numpy as np
from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import pairing
from marketplace.errors import Conflict, DomainError, InvalidInput
from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.hotline import HOTLINE_SERVICES, Ticket
from marketplace.models.members import Post, Team
from marketplace.pairing import PairingProblem
from marketplace.services.access import require_role
from marketplace.services.hotline.hotline import dispatch_ticket, get_ticket
from marketplace.services.hotline.hotline_teams import actable_teams_query, open_loads

DEFAULT_TEAM_OPEN_LIMIT = 3
BATCH_MAX = 200


@dataclass(frozen=True)
class Suggestion:
    team: Team
    same_community: bool
    kind_match: bool
    open_load: int
    spare: int
    distance_km: float | None

    @property
    def reason(self) -> str:
        """Say why the team is suggested (same community, matching kind, load, distance)."""
        parts = ["同社区" if self.same_community else ""]
        parts.append("服务对口" if self.kind_match else "")
        if self.distance_km is not None and not self.same_community:
            parts.append(f"相距约 {self.distance_km:.1f} 公里")
        parts.append(f"在办 {self.open_load} 单")
        return " · ".join(part for part in parts if part)

    def score(self) -> float:
        """Return the pair's score for the batch engine (same order as the ranking)."""
        nearness = 0.0 if self.distance_km is None else 1 / (1 + self.distance_km)
        return (
            4.0 * self.same_community
            + 2.0 * self.kind_match
            + 1.0 / (1 + self.open_load)
            + 0.5 * nearness
        )


def team_open_limit() -> int:
    """Return how many open tickets a team carries at most (``HOTLINE_TEAM_OPEN_LIMIT``)."""
    if has_app_context():
        return int(current_app.config["HOTLINE_TEAM_OPEN_LIMIT"])
    return DEFAULT_TEAM_OPEN_LIMIT


def _team_words(teams: list[Team]) -> dict[int, str]:
    """Return each team's name, description and its posts' names as one text."""
    words = {team.id: f"{team.name} {team.description}" for team in teams}
    posts = db.session.execute(
        select(Post.team_id, Post.name, Post.description).where(Post.team_id.in_(list(words)))
    )
    for team_id, name, description in posts:
        words[team_id] += f" {name} {description}"
    return words


def _distance_km(a, b) -> float | None:
    if a is None or b is None:
        return None
    lat1, lng1, lat2, lng2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 6371 * 2 * math.asin(math.sqrt(min(1.0, h)))


def _candidates() -> tuple[list[Team], dict[int, str], dict[int, int]]:
    teams = list(
        db.session.scalars(
            actable_teams_query()
            .options(selectinload(Team.community))
            .order_by(Team.community_id, Team.position, Team.id)
        )
    )
    return teams, _team_words(teams), open_loads()


def _suggestion(ticket: Ticket, team: Team, words: dict, loads: dict) -> Suggestion:
    keywords = HOTLINE_SERVICES[ticket.service_code][2]
    load = loads.get(team.id, 0)
    return Suggestion(
        team=team,
        same_community=ticket.community_id is not None and team.community_id == ticket.community_id,
        kind_match=any(word in words.get(team.id, "") for word in keywords),
        open_load=load,
        spare=max(0, team_open_limit() - load),
        distance_km=_distance_km(ticket.community, team.community),
    )


def _rank(suggestion: Suggestion):
    far = suggestion.distance_km if suggestion.distance_km is not None else math.inf
    return (
        not suggestion.same_community,
        not suggestion.kind_match,
        suggestion.open_load,
        far,
        suggestion.team.id,
    )


def suggest_teams(actor: User, ticket_id, limit: int = 8) -> list[Suggestion]:
    """Return the best teams for a ticket, best first (dispatcher)."""
    require_role(actor, "dispatcher")
    ticket = get_ticket(ticket_id)
    teams, words, loads = _candidates()
    ranked = sorted((_suggestion(ticket, t, words, loads) for t in teams), key=_rank)
    return ranked[:limit]


@dataclass(frozen=True)
class Proposal:
    ticket: Ticket
    suggestion: Suggestion


def propose_batch(actor: User) -> list[Proposal]:
    """Propose a team for every waiting ticket at once, within the teams' spare load."""
    require_role(actor, "dispatcher")
    tickets = list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.status == "received")
            .order_by(Ticket.dispatch_due_at, Ticket.id)
            .limit(BATCH_MAX)
        )
    )
    teams, words, loads = _candidates()
    teams = [team for team in teams if team_open_limit() - loads.get(team.id, 0) > 0]
    if not tickets or not teams:
        return []
    table = [[_suggestion(t, team, words, loads) for team in teams] for t in tickets]
    scores = np.array([[s.score() for s in row] for row in table])
    result = pairing.solve(
        PairingProblem(
            unit_ids=tuple(f"t{t.id}" for t in tickets),
            community_ids=tuple(f"m{team.id}" for team in teams),
            scores=scores,
            capacity=(1,) * len(tickets),
            min_quota=(0,) * len(teams),
            max_quota=tuple(team_open_limit() - loads.get(team.id, 0) for team in teams),
        )
    )
    row = {f"t{t.id}": i for i, t in enumerate(tickets)}
    column = {f"m{team.id}": j for j, team in enumerate(teams)}
    proposals = [Proposal(tickets[row[t]], table[row[t]][column[m]]) for t, m in result.pairs]
    return sorted(proposals, key=lambda p: (p.ticket.dispatch_due_at, p.ticket.id))


def confirm_batch(actor: User, pairs: list[tuple[int, int]]) -> tuple[int, list[str]]:
    """Dispatch the confirmed (ticket, team) pairs; return how many landed and why others not."""
    require_role(actor, "dispatcher")
    if not pairs:
        raise InvalidInput("请至少选择一张要派出的工单。", field="pairs")
    if len(pairs) > BATCH_MAX:
        raise InvalidInput(f"一次最多派出 {BATCH_MAX} 张工单。", field="pairs")
    landed, refused = 0, []
    for ticket_id, team_id in pairs:
        try:
            dispatch_ticket(actor, ticket_id, team_id)
        except (Conflict, DomainError) as error:
            if error.status == 403:
                raise
            db.session.rollback()
            refused.append(f"#{ticket_id}：{error.message}")
        else:
            landed += 1
    return landed, refused
