"""Offers service: facilities and services, ownership, states, browsing."""

from datetime import time

import pytest
from sqlalchemy import func, select

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.models import Offer
from marketplace.models.listings import WORKDAYS
from marketplace.services.audit import history
from marketplace.services.exchange import offers
from tests.factories import make_offer, make_township, make_unit, make_user, service_type


def _facility(**overrides):
    data = {
        "kind": "facility",
        "title": "党员活动室",
        "description": "可容纳 40 人",
        "facility_kind": "meeting_room",
        "capacity": "40",
        "address": "人民路 1 号",
        "open_weekdays": ["0", "2", "4"],
        "open_from": "08:30",
        "open_until": "17:30",
        "is_free": "y",
        "is_public": False,
    }
    data.update(overrides)
    return data


def _service(**overrides):
    data = {
        "kind": "service",
        "title": "法律咨询",
        "type_id": service_type().id,
        "monthly_quantity": 4,
    }
    data.update(overrides)
    return data


def test_create_facility_derives_its_type_and_opening(db):
    secretary = make_user("unit")
    offer = offers.create_offer(secretary, _facility(type_id=service_type().id, unit_id=999))
    assert offer.unit_id == secretary.unit_id
    assert offer.service_type.code == "meeting_room"  # a facility is typed by its kind
    assert (offer.capacity, offer.open_weekdays) == (40, 0b10101)
    assert (offer.open_from, offer.open_until) == (time(8, 30), time(17, 30))
    assert (offer.is_free, offer.is_public, offer.status) == (True, False, "published")
    assert offer.opening_label == "周一、周三、周五 08:30-17:30"
    assert history("offer", offer.id)[0].action == "offer.create"


def test_create_service_as_draft_with_defaults(db):
    secretary = make_user("unit")
    offer = offers.create_offer(secretary, _service(status="published"), publish=False)
    assert (offer.kind, offer.status, offer.monthly_quantity) == ("service", "draft", 4)
    assert offer.open_weekdays == WORKDAYS and offer.facility_kind is None


def test_missing_or_bad_fields_are_refused_and_nothing_written(db):
    secretary = make_user("unit")
    cases = [
        ({"kind": "boat", "title": "x"}, "kind"),
        ({"kind": "facility", "title": "x", "capacity": 5}, "facility_kind"),
        ({"kind": "facility", "title": "x", "facility_kind": "meeting_room"}, "capacity"),
        ({"kind": "service", "title": "x", "monthly_quantity": 2}, "type_id"),
        ({"kind": "service", "title": "", "type_id": 1, "monthly_quantity": 2}, "title"),
        (_facility(capacity="0"), "capacity"),
        (_facility(open_from="9点"), "open_from"),
        (_facility(open_from="18:00", open_until="08:00"), "open_until"),
        (_facility(open_weekdays=[7]), "open_weekdays"),
        (_facility(is_free="maybe"), "is_free"),
    ]
    for data, field in cases:
        with pytest.raises(InvalidInput) as refused:
            offers.create_offer(secretary, data)
        assert refused.value.field == field, data
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0


def test_only_unit_secretaries_create_offers(db):
    with pytest.raises(Forbidden):
        offers.create_offer(make_user("community"), _service())


def test_update_publish_withdraw_own_offer(db):
    secretary = make_user("unit")
    offer = make_offer(unit=secretary.unit, kind="facility")
    updated = offers.update_offer(secretary, offer.id, {"capacity": 12, "kind": "service"})
    assert (updated.capacity, updated.kind) == (12, "facility")
    assert offers.withdraw_offer(secretary, offer.id).status == "withdrawn"
    with pytest.raises(Conflict):
        offers.withdraw_offer(secretary, offer.id)
    db.session.rollback()
    with pytest.raises(Conflict):
        offers.update_offer(secretary, offer.id, {"title": "x"})
    db.session.rollback()
    assert offers.publish_offer(secretary, offer.id).status == "published"
    actions = [entry.action for entry in history("offer", offer.id)]
    assert actions == ["offer.publish", "offer.withdraw", "offer.update"]


def test_another_units_offer_is_refused_and_unchanged(db):
    offer = make_offer(title="原名称")
    intruder = make_user("unit")
    for action in (
        lambda: offers.update_offer(intruder, offer.id, {"title": "被改"}),
        lambda: offers.withdraw_offer(intruder, offer.id),
    ):
        with pytest.raises(Forbidden):
            action()
        db.session.rollback()
    db.session.refresh(offer)
    assert (offer.title, offer.status) == ("原名称", "published")
    with pytest.raises(NotFound):
        offers.withdraw_offer(intruder, 999999)


def test_unpublished_offers_are_seen_only_by_their_unit(db):
    secretary = make_user("unit")
    draft = make_offer(unit=secretary.unit, status="draft")
    assert offers.get_offer(secretary, draft.id).id == draft.id
    for viewer in (None, make_user("unit"), make_user("community")):
        with pytest.raises(NotFound):
            offers.get_offer(viewer, draft.id)


def test_offers_page_filters(db):
    township = make_township()
    local = make_unit(township=township)
    big = make_offer(kind="facility", unit=local, capacity=80, is_free=True)
    make_offer(kind="facility", capacity=10, is_free=False)
    make_offer(kind="service", title="法律咨询服务")
    make_offer(kind="service", status="withdrawn")
    page = offers.offers_page(None, offers.OfferFilters())
    assert page.total == 3
    assert page.items[0].kind == "facility"
    found = offers.offers_page(None, offers.OfferFilters(min_capacity=50, free_only=True))
    assert [o.id for o in found.items] == [big.id]
    assert offers.offers_page(None, offers.OfferFilters(township_id=township.id)).total == 1
    assert offers.offers_page(None, offers.OfferFilters(kind="service", q="法律")).total == 1
    with pytest.raises(InvalidInput):
        offers.offers_page(None, offers.OfferFilters(kind="boat"))


def test_unit_offers_page_lists_every_state(db):
    secretary = make_user("unit")
    make_offer(unit=secretary.unit, status="draft")
    make_offer(unit=secretary.unit, status="withdrawn")
    make_offer()
    assert offers.unit_offers_page(secretary).total == 2
    assert offers.unit_offers_page(secretary, status="draft").total == 1
