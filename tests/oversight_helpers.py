"""Helpers for the oversight tests: a published pairing, users bound to its sides."""

from datetime import UTC, datetime

from marketplace.extensions import db
from marketplace.models import PairingPlan, PlanPair, User
from tests.factories import make_community, make_county, make_township, make_unit

_made = iter(range(1, 10**9))


def quick_user(role: str, **binding) -> User:
    """Create a user who never logs in (no password hashing, which is slow by design)."""
    if role == "township" and "township" not in binding:
        binding["township"] = make_township()
    user = User(username=f"ov_{role}_{next(_made)}", role=role, password_hash="!", **binding)
    db.session.add(user)
    db.session.commit()
    return user


# Long before any quarter the tests look at: a quarter is judged by the plan in force then.
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def publish_pairs(pairs, published_at: datetime = LONG_AGO) -> PairingPlan:
    """Publish a plan holding ``pairs`` (unit, community) and return it."""
    county = make_county()
    version = (db.session.query(PairingPlan).count() or 0) + 1
    plan = PairingPlan(
        county_id=county.id,
        version=version,
        title="测试结对",
        status="published",
        published_at=published_at,
    )
    for unit, community in pairs:
        plan.pairs.append(PlanPair(unit_id=unit.id, community_id=community.id))
    db.session.add(plan)
    db.session.commit()
    return plan


class PairWorld:
    """One township with two communities; two units paired with the first, one with the second."""

    def __init__(self):
        self.township = make_township()
        self.community = make_community(township=self.township)
        self.other_community = make_community(township=self.township)
        self.unit = make_unit()
        self.second_unit = make_unit()
        self.other_unit = make_unit()
        publish_pairs(
            [
                (self.unit, self.community),
                (self.second_unit, self.community),
                (self.other_unit, self.other_community),
            ]
        )
        self.unit_user = quick_user("unit", unit=self.unit)
        self.second_unit_user = quick_user("unit", unit=self.second_unit)
        self.other_unit_user = quick_user("unit", unit=self.other_unit)
        self.staff = quick_user("community", community=self.community)
        self.other_staff = quick_user("community", community=self.other_community)
        self.township_user = quick_user("township", township=self.township)
        self.far_township_user = quick_user("township")
        self.reviewer = quick_user("reviewer")
