"""Test data factories: ``make_x(**overrides)`` commit and return the row."""

import itertools
from datetime import timedelta

from sqlalchemy import select, update

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Community,
    County,
    Member,
    MemberReport,
    Need,
    Offer,
    Post,
    ServiceType,
    Team,
    Township,
    Unit,
    User,
)
from marketplace.models._common import utcnow
from marketplace.security import hash_password

PASSWORD = "correct-horse-42"
_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def _default(values: dict, relation: str, make, key: str | None = None) -> None:
    """Give ``values`` a related row made by ``make`` unless the caller named one (or its id)."""
    if relation not in values and (key or f"{relation}_id") not in values:
        values[relation] = make()


def _saved(row):
    db.session.add(row)
    db.session.commit()
    return row


def service_type(code: str = "legal_advice") -> ServiceType:
    return db.session.scalar(select(ServiceType).where(ServiceType.code == code))


def make_county(**overrides) -> County:
    county = db.session.scalar(select(County).limit(1))
    if county is None or overrides:
        county = County(**{"name": f"测试县{_next()}", **overrides})
        db.session.add(county)
        db.session.commit()
    return county


def make_township(**overrides) -> Township:
    values = {"name": f"测试街道{_next()}", "kind": "street"}
    values.update(overrides)
    values.setdefault("county", make_county())
    return _saved(Township(**values))


def make_community(**overrides) -> Community:
    values = {
        "name": f"测试社区{_next()}",
        "households": 1200,
        "address": "测试路1号",
        "latitude": 31.02,
        "longitude": 113.75,
    }
    values.update(overrides)
    _default(values, "township", make_township)
    return _saved(Community(**values))


def make_unit(**overrides) -> Unit:
    values = {
        "name": f"测试单位{_next()}",
        "kind": "government",
        "address": "测试大道2号",
        "latitude": 31.03,
        "longitude": 113.76,
        "party_members": 30,
    }
    values.update(overrides)
    if "county_id" not in values:
        values["county_id"] = make_county().id
    return _saved(Unit(**values))


def make_user(role: str = "community", **overrides) -> User:
    values = {"username": f"{role}_{_next()}", "role": role, "display_name": "测试用户"}
    password = overrides.pop("password", PASSWORD)
    values.update(overrides)
    if role == "community" and "community" not in values and "community_id" not in values:
        values["community"] = make_community()
    if role == "unit" and "unit" not in values and "unit_id" not in values:
        values["unit"] = make_unit()
    if role == "township" and "township" not in values and "township_id" not in values:
        values["township"] = make_township()
    user = User(password_hash=hash_password(password), **values)
    db.session.add(user)
    db.session.commit()
    return user


def make_need(**overrides) -> Need:
    values = {
        "title": f"测试需求{_next()}",
        "description": "需要帮助",
        "quantity": 10,
        "measure_unit": "people",
        "urgency": 2,
        "status": "published",
        "starts_on": clock.today(),
        "ends_on": clock.today() + timedelta(days=60),
    }
    values.update(overrides)
    _default(values, "community", make_community)
    _default(values, "service_type", service_type, key="type_id")
    return _saved(Need(**values))


def make_offer(**overrides) -> Offer:
    kind = overrides.get("kind", "service")
    values = {
        "title": f"测试资源{_next()}",
        "kind": kind,
        "status": "published",
        "description": "可提供",
    }
    if kind == "facility":
        values.update(facility_kind="meeting_room", capacity=30)
        values.setdefault(
            "service_type", service_type(overrides.get("facility_kind", "meeting_room"))
        )
    else:
        values.update(monthly_quantity=4)
    values.update(overrides)
    _default(values, "unit", make_unit)
    _default(values, "service_type", service_type, key="type_id")
    return _saved(Offer(**values))


def make_team(**overrides) -> Team:
    values = {"name": f"测试服务队{_next()}", "capacity": 20, "description": "测试"}
    values.update(overrides)
    _default(values, "community", make_community)
    return _saved(Team(**values))


def make_post(**overrides) -> Post:
    values = {"name": f"测试岗{_next()}", "places": 10, "description": "测试岗位"}
    values.update(overrides)
    _default(values, "community", make_community)
    return _saved(Post(**values))


def make_member(reported: bool = True, **overrides) -> Member:
    """Return a member with a ``member`` account, reported (confirmed) unless told not."""
    password = overrides.pop("password", PASSWORD)
    values = {"name": f"党员{_next()}", "phone": f"1380000{_next():04d}"}
    values.update(overrides)
    _default(values, "unit", make_unit)
    if "user" not in values and "user_id" not in values:
        values["user"] = make_user(
            "member", username=f"member_{_next()}", display_name=values["name"], password=password
        )
    if reported and "community" not in values and "community_id" not in values:
        values["community"] = make_community()
    member = Member(**values)
    if member.community is not None or member.community_id is not None:
        member.reported_at = utcnow()
    db.session.add(member)
    db.session.flush()
    if member.community_id is not None:
        db.session.add(
            MemberReport(
                member_id=member.id,
                community_id=member.community_id,
                status="confirmed",
                decided_at=utcnow(),
            )
        )
    if member.post_id is not None:
        db.session.execute(
            update(Post).where(Post.id == member.post_id).values(taken=Post.taken + 1)
        )
    db.session.commit()
    return member
