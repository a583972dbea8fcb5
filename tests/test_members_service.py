"""Members' services alone: placement, checklist evidence, the points ledger."""

from datetime import date

import pytest

from marketplace.errors import Conflict, InvalidInput
from marketplace.models import PointEntry, ServiceRecord
from marketplace.services.members import checklist, points, teams
from marketplace.services.members.checklist import Evidence
from tests.factories import make_member, make_post, make_team, make_user


def test_placement_follows_posts_within_team_sizes(db):
    staff = make_user("community")
    community = staff.community
    small, other = make_team(community=community, capacity=2), make_team(community=community)
    post = make_post(community=community, team=small, places=5)
    feeding = [make_member(community=community, post=post) for _ in range(3)]
    no_post = make_member(community=community)
    suggestion = teams.suggest_placement(staff)
    assert set(suggestion) == {m.id for m in [*feeding, no_post]}
    assert [suggestion[m.id] for m in feeding].count(small.id) == 2
    assert [suggestion[m.id] for m in feeding].count(other.id) == 1
    assert teams.apply_placement(staff, suggestion) == 4
    assert teams.suggest_placement(staff) == {}


def _record(member, kind, status="confirmed", day=None, hours=2.0, **extra):
    record = ServiceRecord(member_id=member.id, community_id=member.community_id, kind=kind,
                           status=status, served_on=day or date(2026, 3, 1), hours=hours,
                           summary=f"{kind} 记录", **extra)  # fmt: skip
    return record


def test_checklist_is_ticked_by_records_only(db):
    member = make_member()
    assert not any(item.done for item in checklist.for_member(member.id, 2026))
    db.session.add_all(
        [
            _record(member, "org_life"),
            _record(member, "symposium", status="returned"),  # a returned record is no proof
            _record(member, "survey", status="submitted"),  # nor is one not yet confirmed
            _record(member, "service", hours=2),
            _record(member, "service", hours=2, day=date(2025, 12, 31)),  # last year
        ]
    )
    db.session.commit()
    done = {item.key: item.done for item in checklist.for_member(member.id, 2026)}
    assert done == {"org_life": True, "symposium": False, "survey": False, "wish": False,
                    "volunteer_day": False}  # fmt: skip
    db.session.add(_record(member, "service", hours=2, day=date(2026, 5, 1)))
    db.session.commit()
    assert checklist.for_member(member.id, 2026)[4].done  # 4 hours in the year


def test_another_domain_fills_the_wish_item(db, monkeypatch):
    member = make_member()
    monkeypatch.setitem(checklist.PROVIDERS, "wish", checklist.PROVIDERS["wish"])
    checklist.register_provider(
        "wish",
        lambda ids, year: {ids[0]: [Evidence("为王**买助听器", date(year, 6, 1), "wish", 7)]},
    )
    wish = checklist.for_member(member.id, 2026)[3]
    assert wish.done and wish.evidence[0].record_id == 7
    with pytest.raises(KeyError):
        checklist.register_provider("unknown", lambda ids, year: {})


def test_points_award_once_per_record_and_follow_the_rules(db):
    member = make_member()
    admin = make_user("admin")
    points.set_rules(admin, {"service": 12, "activity": 5, "wish": 30, "hotline": 0,
                             "checklist": 50})  # fmt: skip
    first = points.award(member, "wish", 41)
    again = points.award(member, "wish", 41)
    assert first is again and first.amount == 30
    assert points.award(member, "hotline", 3) is None  # a rule of 0 awards nothing
    db.session.commit()
    assert member.points_balance == 30
    with pytest.raises(Conflict, match="积分不足"):
        points.redeem(member, 31)
    db.session.rollback()
    entry = points.redeem(member, 30, reason="兑换")
    db.session.commit()
    assert entry.balance_after == 0 and points.balance_mismatches() == []
    with pytest.raises(InvalidInput):
        points.set_rules(admin, {"service": "多"})


def test_staff_correct_points_with_a_reason_only(db):
    member = make_member()
    staff = make_user("community", community=member.community)
    with pytest.raises(InvalidInput, match="更正原因"):
        points.correct(staff, member.id, {"amount": 5, "reason": ""})
    entry = points.correct(staff, member.id, {"amount": 5, "reason": "补录活动"})
    assert (entry.amount, entry.source_kind, entry.reason) == (5, "correction", "补录活动")
    assert db.session.query(PointEntry).count() == 1
