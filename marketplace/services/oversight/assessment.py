"""The annual assessment (年度考核): weights, scores, ranking, 先进单位, two-way ratings.

A unit's score is Σ value × weight over the registered parts
(``services/oversight/assessment_parts.py``); reviewers set the weights per year. A unit is
eligible for 先进单位 when it had a confirmed pair activity in at least the year's
``eligible_quarters`` quarters (default: every quarter — taking part every quarter is a
necessary condition). Units rate their paired community once a year (履职双向考核评议).
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.errors import Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.models import AssessmentWeight, AssessmentYear, CommunityRating, Unit, User
from marketplace.models._common import utcnow
from marketplace.services import audit
from marketplace.services.fields import RATING, FieldReader
from marketplace.services.oversight.assessment_parts import registered_parts
from marketplace.services.oversight.oversight_calendar import check_year, county_today
from marketplace.services.oversight.oversight_scope import is_pair, require_any

MAX_WEIGHT = 1000.0
ELIGIBILITY_PART = "quarters_compliant"


@dataclass
class PartValue:
    name: str
    label: str
    value: float
    weight: float
    hint: str = ""

    @property
    def points(self) -> float:
        return round(self.value * self.weight, 2)


@dataclass
class UnitScore:
    unit: Unit
    parts: list[PartValue]
    score: float
    eligible: bool
    rank: int = 0


def year_rule(year: int) -> AssessmentYear:
    """Return the year's stored rule, or the default (a confirmed activity every quarter)."""
    return db.session.get(AssessmentYear, year) or AssessmentYear(year=year, eligible_quarters=4)


def weights(year: int) -> dict[str, float]:
    """Return each registered part's weight for ``year`` (stored, else the part's default)."""
    stored = dict(
        db.session.execute(
            select(AssessmentWeight.part, AssessmentWeight.weight).where(
                AssessmentWeight.year == year
            )
        ).all()
    )
    return {part.name: stored.get(part.name, part.default_weight) for part in registered_parts()}


def set_weights(actor: User, year, data: dict) -> dict[str, float]:
    """Store the reviewer's weights (and the 先进单位 rule) for a year."""
    require_any(actor, "reviewer")
    year = check_year(year)
    reader = FieldReader(data)
    chosen = {}
    for part in registered_parts():
        raw = data.get(part.name)
        if raw in (None, ""):
            reader.fail(part.name, f"请填写「{part.label}」的权重。")
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            reader.fail(part.name, f"「{part.label}」的权重必须是数字。")
            continue
        if not 0 <= value <= MAX_WEIGHT or value != value:
            reader.fail(part.name, f"「{part.label}」的权重应在 0 到 {MAX_WEIGHT:g} 之间。")
            continue
        chosen[part.name] = value
    quarters = reader.integer(
        "eligible_quarters", "先进单位达标季度数", minimum=0, maximum=4, default=4
    )
    reader.raise_if_invalid()
    before = weights(year)
    stored = {
        row.part: row
        for row in db.session.scalars(select(AssessmentWeight).where(AssessmentWeight.year == year))
    }
    for name, value in chosen.items():
        row = stored.get(name) or AssessmentWeight(year=year, part=name, weight=value)
        row.weight, row.updated_by_id, row.updated_at = value, actor.id, utcnow()
        db.session.add(row)
    rule = db.session.get(AssessmentYear, year) or AssessmentYear(year=year)
    rule.eligible_quarters, rule.updated_by_id, rule.updated_at = quarters, actor.id, utcnow()
    db.session.add(rule)
    audit.record(
        "assessment.weights",
        actor=actor,
        object_type="assessment_year",
        object_id=year,
        before=before,
        after={**chosen, "eligible_quarters": quarters},
    )
    try:
        db.session.commit()
    except IntegrityError:  # another reviewer saved the same year at the same moment
        db.session.rollback()
        raise Conflict("其他审核员刚刚保存了该年度的权重，请刷新后重试。") from None
    return chosen


def assess(year: int) -> list[UnitScore]:
    """Score every unit for ``year``: parts, weighted sum, rank (ties share), eligibility."""
    parts = registered_parts()
    chosen = weights(year)
    values = {part.name: part.provider(year) for part in parts}
    needed = year_rule(year).eligible_quarters
    units = db.session.scalars(select(Unit).order_by(Unit.id)).all()
    scores = []
    for unit in units:
        unit_parts = [
            PartValue(p.name, p.label, values[p.name].get(unit.id, 0.0), chosen[p.name], p.hint)
            for p in parts
        ]
        total = round(sum(part.value * part.weight for part in unit_parts), 2)
        compliant = values.get(ELIGIBILITY_PART, {}).get(unit.id, 0.0)
        scores.append(UnitScore(unit, unit_parts, total, compliant >= needed))
    scores.sort(key=lambda s: (-s.score, s.unit.id))
    for position, entry in enumerate(scores, start=1):
        previous = scores[position - 2] if position > 1 else None
        entry.rank = previous.rank if previous and previous.score == entry.score else position
    return scores


def rate_community(actor: User, data: dict) -> CommunityRating:
    """A unit rates its paired community's support once for the current year (1–5 stars)."""
    require_any(actor, "unit")
    reader = FieldReader(data)
    community_id = reader.integer(
        "community_id", "结对社区", minimum=1, maximum=2**31 - 1, required=True
    )
    stars = reader.integer("stars", "评分", minimum=1, maximum=5, required=True)
    comment = reader.read("comment", RATING["comment"])
    reader.raise_if_invalid()
    if not is_pair(actor.unit_id, community_id):
        raise InvalidInput("只能评价与本单位结对的社区。", field="community_id")
    year = county_today().year
    rating = CommunityRating(
        year=year,
        unit_id=actor.unit_id,
        community_id=community_id,
        stars=stars,
        comment=comment,
        author_id=actor.id,
    )
    db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"本单位已评价过该社区 {year} 年度的支持情况，每年一次。") from None
    audit.record("community.rate", actor=actor, obj=rating, after={"stars": stars}, detail=comment)
    db.session.commit()
    return rating


def community_ratings(year: int) -> dict[int, tuple[float, int]]:
    """Return per community its average rating by units in ``year`` and how many rated."""
    rows = db.session.execute(
        select(CommunityRating.community_id, func.avg(CommunityRating.stars), func.count())
        .where(CommunityRating.year == year)
        .group_by(CommunityRating.community_id)
    )
    return {community: (round(float(avg), 2), count) for community, avg, count in rows}


def ratings_given(actor: User, year: int) -> dict[int, CommunityRating]:
    """Return the actor's unit's ratings of ``year`` by community."""
    require_any(actor, "unit")
    rows = db.session.scalars(
        select(CommunityRating).where(
            CommunityRating.year == year, CommunityRating.unit_id == actor.unit_id
        )
    )
    return {row.community_id: row for row in rows}


def rated_communities(year: int) -> dict[int, str]:
    """Return the names of the communities rated in ``year``, by id."""
    from marketplace.models import Community

    ids = list(community_ratings(year))
    if not ids:
        return {}
    rows = db.session.execute(select(Community.id, Community.name).where(Community.id.in_(ids)))
    return dict(rows.all())
