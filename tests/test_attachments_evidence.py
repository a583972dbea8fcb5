"""Which confirmed activities carry evidence: one figure, the same on every page."""

from datetime import timedelta

from marketplace.extensions import db
from marketplace.models import PairActivity
from marketplace.services.attachments import attachments
from marketplace.services.oversight.evidence_reports import evidence_by_pair, evidence_by_unit
from marketplace.services.oversight.oversight_calendar import county_today
from tests.attachment_helpers import png_bytes
from tests.oversight_helpers import PairWorld


def _confirmed(world, days_ago: int) -> PairActivity:
    activity = PairActivity(
        unit_id=world.unit.id,
        community_id=world.community.id,
        held_on=county_today() - timedelta(days=days_ago),
        kind="party_day",
        title="主题党日",
        status="confirmed",
        logged_by_side="unit",
    )
    db.session.add(activity)
    db.session.commit()
    return activity


def test_the_matrix_and_the_assessment_show_the_same_evidence_figure(app, client, login_as):
    world = PairWorld()
    today = county_today()
    with_photo = _confirmed(world, 0)
    _confirmed(world, 0)  # confirmed before the rule: no photo
    attachments.add_attachment(world.unit_user, "pair_activity", with_photo.id, png_bytes())

    pair = evidence_by_pair([world.community.id], today.year)[(world.unit.id, world.community.id)]
    assert (pair.confirmed, pair.with_evidence, pair.label) == (2, 1, "1/2")
    assert evidence_by_unit(today.year)[world.unit.id] == pair

    login_as("reviewer")
    matrix = client.get(f"/compliance/?year={today.year}").get_data(as_text=True)
    assert "有佐证/已确认" in matrix and ">1/2<" in matrix
    ranking = client.get(f"/assessment/?year={today.year}").get_data(as_text=True)
    assert "活动佐证" in ranking and ">1/2<" in ranking
