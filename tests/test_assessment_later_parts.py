"""The assessment parts that other domains feed: 报到率, checklist, wishes, hotline tickets."""

from datetime import UTC, date, datetime, timedelta

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Member, ServiceRecord
from marketplace.models.wishes import Wish
from marketplace.services.oversight import assessment_parts
from tests.factories import make_member


def test_every_domain_part_is_registered():
    names = [part.name for part in assessment_parts.registered_parts()]
    assert {"member_report_rate", "checklist_completion", "wishes_fulfilled"} <= set(names)
    assert "hotline_tickets" in names


def test_report_rate_counts_reported_members_over_registered_members(app):
    member = make_member()
    unit = member.unit
    unit.party_members = 4  # the unit's own head count is not the base
    make_member(reported=False, unit=unit)
    db.session.commit()
    year = clock.today().year
    assert assessment_parts.member_report_rate(year)[unit.id] == 50.0
    assert assessment_parts.checklist_completion(year)[unit.id] == 0.0


def test_wishes_and_hotline_tickets_count_per_unit_within_the_year(app):
    member = make_member()
    year = clock.today().year
    moment = datetime(year, 6, 1, 8, tzinfo=UTC)
    for status, when in (("confirmed", moment), ("fulfilled", moment), ("claimed", None)):
        db.session.add(
            Wish(
                community_id=member.community_id,
                title="轮椅一台",
                value_yuan=200,
                resident_name="李大娘",
                deadline=date(year, 12, 31),
                status=status,
                claimer_kind="member",
                claimer_user_id=member.user_id,
                claimer_unit_id=member.unit_id,
                claimer_member_id=member.id,
                claimed_at=moment,
                fulfilled_at=when,
            )
        )
    last_year = moment - timedelta(days=400)
    db.session.add(
        Wish(
            community_id=member.community_id,
            title="去年的心愿",
            value_yuan=100,
            resident_name="王大爷",
            deadline=last_year.date(),
            status="confirmed",
            claimer_kind="member",
            claimer_user_id=member.user_id,
            claimer_unit_id=member.unit_id,
            claimer_member_id=member.id,
            claimed_at=last_year,
            fulfilled_at=last_year,
        )
    )
    for ticket_id in (7, 7, 8):  # two records of one ticket count once
        db.session.add(
            ServiceRecord(
                member_id=member.id,
                served_on=date(year, 3, 1),
                hours=2,
                summary="上门维修",
                status="confirmed",
                community_id=member.community_id,
                source_kind="hotline",
                source_id=ticket_id,
            )
        )
    db.session.commit()
    assert assessment_parts.wishes_fulfilled(year) == {member.unit_id: 2.0}
    assert assessment_parts.hotline_tickets_served(year) == {member.unit_id: 2.0}
    assert assessment_parts.hotline_tickets_served(year - 1) == {}
    assert db.session.get(Member, member.id).unit_id == member.unit_id
