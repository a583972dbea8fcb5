"""The demo county reads as real: varied texts, a year of history,
evening and weekend rooms, the same counts, and the same data on every load."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.models import Claim, Need, Offer
from marketplace.services.exchange import stats


def test_need_texts_are_varied_and_not_one_template(demo_app):
    from marketplace.extensions import db

    needs = db.session.scalars(select(Need)).all()
    openings = Counter(need.description[:6] for need in needs)
    assert len(openings) >= 6
    assert openings.most_common(1)[0][1] < len(needs) / 3
    assert not any("居民反映需要" in need.description for need in needs)
    prefixed = sum(need.title.startswith(need.community.name) for need in needs)
    assert prefixed < len(needs) / 4


def test_no_title_or_description_says_fuwu_twice(demo_app):
    from marketplace.extensions import db

    for offer in db.session.scalars(select(Offer)):
        assert "服务服务" not in offer.title + offer.description, offer.title


def test_history_spreads_over_the_past_year(demo_app):
    from marketplace.extensions import db

    now = clock.utcnow()
    created = [clock.local(n.created_at) for n in db.session.scalars(select(Need))]
    months = {(moment.year, moment.month) for moment in created}
    assert len(months) >= 9
    assert min(created) < now - timedelta(days=240) and max(created) <= now
    for claim in db.session.scalars(select(Claim)):
        assert clock.local(claim.created_at) >= clock.local(claim.need.created_at)
        for report in claim.reports:
            assert clock.local(report.created_at) >= clock.local(claim.created_at)


def test_evening_and_weekend_rooms_exist(demo_app):
    from marketplace.extensions import db

    rooms = db.session.scalars(
        select(Offer).where(Offer.facility_kind.in_(("meeting_room", "activity_room")))
    ).all()
    evening = [r for r in rooms if r.open_until and r.open_until.hour >= 20]
    weekend = [r for r in rooms if r.open_weekdays & (1 << 5)]
    assert evening and weekend
    assert len({(r.open_weekdays, r.open_from, r.open_until) for r in rooms}) >= 3


def test_the_counts_stay(demo_app):
    figures = stats.county_figures()
    assert (figures["communities"], figures["units"], figures["meeting_rooms"]) == (11, 88, 56)
    assert figures["service_items"] >= 500 and figures["parking_spaces"] >= 300
    assert figures["sports_grounds"] == 3


def test_texts_are_seeded(app):
    import random

    from marketplace.demo import texts

    def sample(seed):
        rng = random.Random(seed)
        return [texts.need_texts(rng, "城南社区", "老年人健康义诊", 4, "场次") for _ in range(20)]

    assert sample(7) == sample(7) and sample(7) != sample(8)
    assert texts.service_phrase("助餐服务") == "助餐服务"
    assert texts.service_phrase("法律咨询") == "法律咨询服务"
