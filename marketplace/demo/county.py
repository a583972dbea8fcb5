"""Build the demo county: 11 communities, 88 units, offers, needs, claims and logins.

Deterministic (fixed seed) and idempotent: if the county exists nothing is changed.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import select

from marketplace.demo import names, texts
from marketplace.demo.funds import load_funds_demo
from marketplace.demo.hotline import build_hotline
from marketplace.demo.members import load_demo_members
from marketplace.demo.oversight import load_oversight_demo
from marketplace.demo.wishes import build_wishes
from marketplace.extensions import db
from marketplace.models import (
    Claim,
    Community,
    County,
    Evaluation,
    Need,
    Offer,
    PairingPlan,
    PlanPair,
    ProgressReport,
    Township,
    Unit,
    User,
)
from marketplace.models.listings import ALL_WEEKDAYS, MEASURE_UNITS, WORKDAYS
from marketplace.security import hash_password
from marketplace.services.exchange.need_state import need_status_for
from marketplace.services.exchange.taxonomy import load_taxonomy, types_by_code

DEMO_PASSWORD = "demo-pass"
SEED = 20131128
MEETING_ROOMS = 56
PARKING_LOTS = 32
MIN_PARKING_SPACES = 312
SPORTS_GROUND_UNITS = ("县体育中心", "县第一中学", "县第二中学")
SERVICES_PER_UNIT = 6

Progress = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    created: bool
    county_name: str
    summary: str = ""


def database_has_places() -> bool:
    """Tell whether any community exists (the database is not empty)."""
    return db.session.scalar(select(Community.id).limit(1)) is not None


def load_demo_county(progress: Progress | None = None) -> DemoResult:
    """Load the demo county in one transaction, unless it is already there."""
    progress = progress or (lambda step, done, total: None)
    load_taxonomy()
    if db.session.scalar(select(County.id).where(County.name == names.COUNTY)):
        return DemoResult(created=False, county_name=names.COUNTY)
    builder = _DemoBuilder(random.Random(SEED), progress)
    try:
        summary = builder.build()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return DemoResult(created=True, county_name=names.COUNTY, summary=summary)


def _near(rng: random.Random, spread_km: float) -> tuple[float, float]:
    lat0, lng0 = names.CENTRE
    return (
        round(lat0 + rng.uniform(-spread_km, spread_km) / 111.0, 6),
        round(lng0 + rng.uniform(-spread_km, spread_km) / 95.0, 6),
    )


class _DemoBuilder:
    def __init__(self, rng: random.Random, progress: Progress):
        self.rng = rng
        self.progress = progress
        self.types = types_by_code()

    def person(self) -> str:
        return self.rng.choice(names.SURNAMES) + self.rng.choice(names.GIVEN)

    def phone(self) -> str:
        return f"0712-{self.rng.randint(4200000, 4299999)}"

    def build(self) -> str:
        county = County(name=names.COUNTY)
        db.session.add(county)
        db.session.flush()
        communities, townships = self.places(county)
        units = self.units(county, townships)
        offers = self.offers(units)
        needs = self.needs(communities)
        claims = self.claims(needs, units)
        self.users(communities, units)
        self.previous_pairing(county, communities, units)
        members = load_demo_members(communities, DEMO_PASSWORD)
        wishes = build_wishes(self.rng, self.person, self.progress)
        tickets = build_hotline(self.rng, self.person, self.progress)
        load_oversight_demo(county, hash_password(DEMO_PASSWORD))
        load_funds_demo(county)
        return (
            f"{len(communities)} 个社区，{len(units)} 家单位，{offers} 项资源，"
            f"{len(needs)} 条需求，{claims} 条认领，{members}，{wishes} 个微心愿，"
            f"{tickets} 张110工单；演示账号密码均为 {DEMO_PASSWORD}"
        )

    def places(self, county: County):
        communities, townships = [], []
        for township_name, kind, entries in names.TOWNSHIPS:
            township = Township(county=county, name=township_name, kind=kind)
            townships.append(township)
            for name, households, address in entries:
                lat, lng = _near(self.rng, 2.0)
                communities.append(
                    Community(
                        township=township,
                        name=name,
                        households=households,
                        address=address,
                        latitude=lat,
                        longitude=lng,
                        contact_name=self.person(),
                        contact_phone=self.phone(),
                    )
                )
        db.session.add_all(communities)
        self.progress("社区", len(communities), len(communities))
        return communities, townships

    def units(self, county: County, townships: list[Township]) -> list[Unit]:
        units = []
        for index, (name, kind, _specialties) in enumerate(names.UNITS):
            lat, lng = _near(self.rng, 3.0)
            township = townships[index % len(townships)]
            street = self.rng.choice(["人民路", "解放路", "建设路", "文化路", "新华路"])
            units.append(
                Unit(
                    county_id=county.id,
                    name=name,
                    kind=kind,
                    township=township,
                    address=f"{township.name}{street}{self.rng.randint(1, 300)}号",
                    latitude=lat,
                    longitude=lng,
                    party_members=self.rng.randint(8, 160),
                    contact_name=self.person(),
                    contact_phone=self.phone(),
                )
            )
        db.session.add_all(units)
        db.session.flush()
        self.progress("单位", len(units), len(units))
        return units

    def facility(
        self,
        unit: Unit,
        kind: str,
        capacity: int,
        *,
        weekdays=WORKDAYS,
        hours=(time(8, 30), time(17, 30)),
        free=True,
    ) -> Offer:
        title = f"{unit.name}{self.rng.choice(names.FACILITY_NAMES[kind])}"
        if kind in ("meeting_room", "activity_room"):
            weekdays, *hours = texts.room_hours(self.rng)
        return Offer(
            unit=unit,
            kind="facility",
            facility_kind=kind,
            service_type=self.types[kind],
            title=title,
            status="published",
            description=f"{unit.name}向社区和居民开放的{title[len(unit.name) :]}，请提前预约。",
            capacity=capacity,
            address=unit.address,
            open_weekdays=weekdays,
            open_from=hours[0],
            open_until=hours[1],
            is_free=free,
            is_public=True,
            created_at=texts.past_moment(self.rng),
        )

    def offers(self, units: list[Unit]) -> int:
        rng = self.rng
        offers: list[Offer] = []
        order = units[:]
        rng.shuffle(order)
        for unit in order[:MEETING_ROOMS]:
            offers.append(self.facility(unit, "meeting_room", rng.choice([12, 20, 30, 40, 60, 80])))
        parking_units = order[-PARKING_LOTS:]
        capacities = [rng.randint(5, 14) for _ in parking_units]
        capacities[-1] += max(0, MIN_PARKING_SPACES - sum(capacities))
        for unit, capacity in zip(parking_units, capacities, strict=True):
            offers.append(
                self.facility(
                    unit,
                    "parking",
                    capacity,
                    weekdays=ALL_WEEKDAYS,
                    hours=(time(18, 0), time(23, 30)),
                )
            )
        by_name = {u.name: u for u in units}
        for name in SPORTS_GROUND_UNITS:
            offers.append(
                self.facility(
                    by_name[name],
                    "sports_ground",
                    200,
                    weekdays=ALL_WEEKDAYS,
                    hours=(time(6, 0), time(21, 0)),
                )
            )
        for unit in order[10:22]:
            offers.append(self.facility(unit, "activity_room", rng.choice([20, 30, 50])))
        for unit in order[30:40]:
            offers.append(self.facility(unit, "equipment", rng.choice([1, 2, 4])))
        service_codes = [code for code, t in self.types.items() if t.category.code != "venues"]
        specialties = {name: specs for name, _kind, specs in names.UNITS}
        for done, unit in enumerate(units, start=1):
            chosen = list(specialties[unit.name])
            while len(chosen) < SERVICES_PER_UNIT:
                code = rng.choice(service_codes)
                if code not in chosen:
                    chosen.append(code)
            for code in chosen:
                title, story = texts.service_texts(rng, unit.name, self.types[code].name)
                offers.append(
                    Offer(
                        unit=unit,
                        kind="service",
                        service_type=self.types[code],
                        title=title,
                        status="published",
                        description=story,
                        created_at=texts.past_moment(rng),
                        monthly_quantity=rng.choice([1, 2, 4, 8, 10]),
                        address=unit.address,
                        open_weekdays=WORKDAYS,
                    )
                )
            if done % 22 == 0 or done == len(units):
                self.progress("资源清单", done, len(units))
        db.session.add_all(offers)
        return len(offers)

    def needs(self, communities: list[Community]) -> list[Need]:
        rng = self.rng
        codes = list(names.NEED_TITLES)
        needs = []
        for community in communities:
            for code in rng.sample(codes, rng.randint(8, 12)):
                title, measure = names.NEED_TITLES[code]
                quantity = rng.choice([2, 4, 5, 6, 8, 10, 12, 20])
                title, story = texts.need_texts(
                    rng, community.name, title, quantity, MEASURE_UNITS[measure]
                )
                created = texts.past_moment(rng)
                starts_on, ends_on = texts.need_window(rng, created)
                needs.append(
                    Need(
                        community=community,
                        service_type=self.types[code],
                        title=title,
                        description=story,
                        quantity=quantity,
                        measure_unit=measure,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        urgency=rng.choice([1, 1, 2, 2, 3]),
                        status="published",
                        created_at=created,
                        updated_at=created,
                    )
                )
        db.session.add_all(needs)
        db.session.flush()
        self.progress("需求清单", len(needs), len(needs))
        return needs

    def claims(self, needs: list[Need], units: list[Unit]) -> int:
        """Give a third of the needs some history: claims in every state."""
        rng = self.rng
        count = 0
        for need in rng.sample(needs, len(needs) // 3):
            unit = rng.choice(units)
            stage = rng.choice(["proposed", "accepted", "in_progress", "done", "evaluated"])
            quantity = (
                need.quantity
                if stage in ("done", "evaluated")
                else rng.randint(1, max(1, need.quantity // 2))
            )
            claim_status = "done" if stage == "evaluated" else stage
            claimed_at = texts.past_moment(rng, after=need.created_at)
            claim = Claim(
                need=need,
                unit=unit,
                quantity=quantity,
                status=claim_status,
                note=rng.choice(texts.CLAIM_NOTES),
                created_at=claimed_at,
                updated_at=claimed_at,
            )
            db.session.add(claim)
            need.claimed = quantity
            need.status = need_status_for(
                need.quantity, quantity, [(claim_status, stage == "evaluated")]
            )
            moment = claimed_at
            if stage in ("in_progress", "done", "evaluated"):
                moment = texts.past_moment(rng, after=moment)
                note = rng.choice(texts.PROGRESS_NOTES)
                claim.reports.append(ProgressReport(note=note, percent=50, created_at=moment))
            if stage in ("done", "evaluated"):
                moment = texts.past_moment(rng, after=moment)
                note = rng.choice(texts.DONE_NOTES)
                claim.reports.append(ProgressReport(note=note, percent=100, created_at=moment))
            if stage == "evaluated":
                moment = texts.past_moment(rng, after=moment)
                claim.evaluation = Evaluation(
                    stars=rng.choice([4, 5, 5]),
                    comment=rng.choice(texts.COMMENTS),
                    created_at=moment,
                )
            claim.updated_at = moment
            count += 1
        self.progress("认领记录", count, count)
        return count

    def users(self, communities: list[Community], units: list[Unit]) -> None:
        accounts = [
            User(username="admin", display_name="系统管理员", role="admin"),
            User(username="reviewer", display_name=f"组织部 {self.person()}", role="reviewer"),
            User(username="reviewer2", display_name="组织部 第二审核员", role="reviewer"),
        ]
        for index, community in enumerate(communities, start=1):
            accounts.append(
                User(
                    username=f"community{index:02d}",
                    role="community",
                    display_name=f"{community.name} {self.person()}",
                    community=community,
                )
            )
        for index, unit in enumerate(units, start=1):
            accounts.append(
                User(
                    username=f"unit{index:02d}",
                    role="unit",
                    display_name=f"{unit.name}书记 {self.person()}",
                    unit=unit,
                )
            )
        for done, account in enumerate(accounts, start=1):
            # Each account gets its own salt; hashing at full cost is what makes this step slow.
            account.password_hash = hash_password(DEMO_PASSWORD)
            if done % 20 == 0 or done == len(accounts):
                self.progress("演示账号", done, len(accounts))
        db.session.add_all(accounts)

    def previous_pairing(
        self, county: County, communities: list[Community], units: list[Unit]
    ) -> None:
        """Publish last year's pairing (8 units per community) so continuity has a base."""
        order = units[:]
        self.rng.shuffle(order)
        plan = PairingPlan(
            county=county,
            version=1,
            title="2025 年度结对（历史方案）",
            status="published",
            quotas={"default": {"min": 8, "max": 8}},
            published_at=datetime(2025, 3, 1, tzinfo=UTC),
            approved_at=datetime(2025, 2, 26, tzinfo=UTC),
        )
        for index, unit in enumerate(order):
            plan.pairs.append(PlanPair(unit=unit, community=communities[index % len(communities)]))
        db.session.add(plan)
