"""The annual assessment: visible parts, reviewer weights, Σ value × weight, rank, 先进单位."""

from datetime import date

import pytest

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.extensions import db as _db
from marketplace.models import Claim, Evaluation, JointMeeting, MeetingAttendance, PairActivity
from marketplace.services.oversight import assessment, assessment_parts
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_need
from tests.oversight_helpers import PairWorld

YEAR = 2025


@pytest.fixture
def world(app):
    world = PairWorld()
    for quarter_month in (2, 5, 8, 11):  # the first unit: a confirmed activity every quarter
        _activity(world, world.unit, date(YEAR, quarter_month, 3), "confirmed")
    _activity(world, world.second_unit, date(YEAR, 2, 3), "confirmed")
    _activity(world, world.second_unit, date(YEAR, 5, 3), "logged")  # not confirmed: no count
    meeting = JointMeeting(
        level="community",
        county_id=world.township.county_id,
        community_id=world.community.id,
        held_on=date(YEAR, 3, 1),
        theme="t",
        agenda={},
    )
    meeting.attendance = [
        MeetingAttendance(unit_id=world.unit.id, present=True),
        MeetingAttendance(unit_id=world.second_unit.id, present=False),
    ]
    _db.session.add(meeting)
    _db.session.commit()
    return world


def _activity(world, unit, day, status):
    _db.session.add(
        PairActivity(
            unit_id=unit.id,
            community_id=world.community.id,
            held_on=day,
            kind="party_day",
            title="主题党日",
            status=status,
            logged_by_side="unit",
        )
    )


def _by_unit(scores):
    return {entry.unit.id: entry for entry in scores}


def test_score_is_the_sum_of_value_times_weight(world):
    scores = _by_unit(assessment.assess(YEAR))
    first = scores[world.unit.id]
    values = {part.name: part.value for part in first.parts}
    assert values["quarters_compliant"] == 4
    assert values["meeting_attendance"] == 100.0
    assert first.score == pytest.approx(sum(p.value * p.weight for p in first.parts))
    assert first.score == pytest.approx(4 * 10 + 100 * 0.2)
    second = scores[world.second_unit.id]
    assert {p.name: p.value for p in second.parts}["quarters_compliant"] == 1
    assert {p.name: p.value for p in second.parts}["meeting_attendance"] == 0.0


def test_eligibility_needs_every_quarter_by_default_and_follows_the_rule(world):
    scores = _by_unit(assessment.assess(YEAR))
    assert scores[world.unit.id].eligible and not scores[world.second_unit.id].eligible
    weights = {part.name: 1 for part in assessment_parts.registered_parts()}
    assessment.set_weights(world.reviewer, YEAR, {**weights, "eligible_quarters": 1})
    assert _by_unit(assessment.assess(YEAR))[world.second_unit.id].eligible


def test_reviewer_weights_are_stored_and_change_the_ranking(world):
    parts = [part.name for part in assessment_parts.registered_parts()]
    chosen = {name: 0 for name in parts} | {"meeting_attendance": 1}
    assessment.set_weights(world.reviewer, YEAR, chosen)
    assert assessment.weights(YEAR)["meeting_attendance"] == 1.0
    assert assessment.weights(YEAR + 1)["meeting_attendance"] == 0.2  # other years: defaults
    ranked = assessment.assess(YEAR)
    assert ranked[0].unit.id == world.unit.id and ranked[0].score == 100.0
    # units without any value tie at zero and share a rank
    zeros = [entry.rank for entry in ranked if entry.score == 0]
    assert len(set(zeros)) == 1 and zeros[0] == 2


def test_bad_weights_are_refused(world):
    parts = {part.name: 1 for part in assessment_parts.registered_parts()}
    with pytest.raises(Forbidden):
        assessment.set_weights(world.staff, YEAR, parts)
    with pytest.raises(InvalidInput, match="数字"):
        assessment.set_weights(world.reviewer, YEAR, parts | {"meeting_attendance": "abc"})
    with pytest.raises(InvalidInput, match="0 到"):
        assessment.set_weights(world.reviewer, YEAR, parts | {"meeting_attendance": -1})
    with pytest.raises(InvalidInput, match="年份"):
        assessment.set_weights(world.reviewer, "9999", parts)


def test_projects_completed_and_rated_count(world):
    need = make_need(community=world.community, status="evaluated")
    claim = Claim(need_id=need.id, unit_id=world.unit.id, quantity=1, status="done")
    _db.session.add(claim)
    _db.session.flush()
    _db.session.add(Evaluation(claim_id=claim.id, stars=4))
    _db.session.commit()
    year = county_today().year
    assert assessment_parts.projects_completed(year) == {world.unit.id: 1.0}
    assert assessment_parts.project_ratings(year) == {world.unit.id: 4.0}


def test_a_later_feature_plugs_in_a_part(world, monkeypatch):
    monkeypatch.setattr(assessment_parts, "PARTS", dict(assessment_parts.PARTS))
    assessment_parts.register_part(
        "wishes_fulfilled", "微心愿", lambda year: {world.second_unit.id: 3.0}, default_weight=5
    )
    entry = _by_unit(assessment.assess(YEAR))[world.second_unit.id]
    assert ("wishes_fulfilled", 3.0, 5) in [(p.name, p.value, p.weight) for p in entry.parts]
    assert entry.score == pytest.approx(sum(p.value * p.weight for p in entry.parts))


def test_units_rate_their_paired_community_once_a_year(world):
    rating = assessment.rate_community(
        world.unit_user, {"community_id": world.community.id, "stars": 5, "comment": "支持到位"}
    )
    assert rating.year == county_today().year
    with pytest.raises(Conflict, match="每年一次"):
        assessment.rate_community(world.unit_user, {"community_id": world.community.id, "stars": 3})
    with pytest.raises(InvalidInput, match="结对"):
        assessment.rate_community(
            world.unit_user, {"community_id": world.other_community.id, "stars": 3}
        )
    with pytest.raises(InvalidInput, match="评分"):
        assessment.rate_community(
            world.second_unit_user, {"community_id": world.community.id, "stars": 6}
        )
    assert assessment.community_ratings(rating.year) == {world.community.id: (5.0, 1)}
