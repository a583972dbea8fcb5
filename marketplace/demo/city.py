"""A city-sized data set (``flask demo load --scale city``): 500 communities, 4,000 units,
100,000 listings, for load and page-speed measurements (bench/pages.py).

Rows go in with bulk INSERTs (``insert(Model)`` with many parameter sets, RETURNING the
ids where later rows need them), one batch at a time with progress, never one ORM object
per row. Deterministic (fixed seed); a second run finds the city and changes nothing.
The search index is rebuilt afterwards by the command (the bulk rows bypass the outbox).
Logins: ``city-reviewer``, ``city-community`` (first community), ``city-unit`` (first
unit), password ``demo-pass``.
"""

import random
from datetime import timedelta

from sqlalchemy import insert, select

from marketplace.demo import names, texts
from marketplace.demo.county import DEMO_PASSWORD, DemoResult, Progress
from marketplace.extensions import db
from marketplace.models import Community, County, Need, Offer, Township, Unit, User
from marketplace.models.listings import MEASURE_UNITS, WORKDAYS
from marketplace.models.places import UNIT_KINDS
from marketplace.security import hash_password
from marketplace.services.exchange.taxonomy import load_taxonomy, types_by_code

CITY = "云溪市"
SEED = 20261130
BATCH = 5_000
KINDS = sorted(UNIT_KINDS)


def load_demo_city(
    progress: Progress | None = None,
    *,
    name: str = CITY,
    communities: int = 500,
    units: int = 4_000,
    listings: int = 100_000,
    logins: str = "city",
) -> DemoResult:
    """Load a city of the given size in batches, unless a county of that name exists."""
    progress = progress or (lambda step, done, total: None)
    load_taxonomy()
    if db.session.scalar(select(County.id).where(County.name == name)):
        return DemoResult(created=False, county_name=name)
    rng = random.Random(SEED)
    types = types_by_code()
    county = County(name=name)
    db.session.add(county)
    db.session.flush()
    townships = max(1, communities // 10)
    township_ids = _bulk(
        Township,
        [
            {"county_id": county.id, "name": f"第{t + 1}街道", "kind": "street"}
            for t in range(townships)
        ],
    )
    community_ids = _bulk(
        Community,
        [
            {
                "township_id": township_ids[c % townships],
                "name": f"{name}第{c + 1}社区",
                "households": rng.randint(800, 6000),
                "latitude": names.CENTRE[0] + rng.uniform(-0.2, 0.2),
                "longitude": names.CENTRE[1] + rng.uniform(-0.2, 0.2),
                "address": f"第{c % townships + 1}街道{rng.randint(1, 400)}号",
            }
            for c in range(communities)
        ],
        progress,
        "社区",
    )
    unit_ids = _bulk(
        Unit,
        [
            {
                "county_id": county.id,
                "township_id": township_ids[u % townships],
                "name": f"{name}第{u + 1}单位",
                "kind": KINDS[u % len(KINDS)],
                "latitude": names.CENTRE[0] + rng.uniform(-0.2, 0.2),
                "longitude": names.CENTRE[1] + rng.uniform(-0.2, 0.2),
                "party_members": rng.randint(8, 160),
            }
            for u in range(units)
        ],
        progress,
        "单位",
    )
    need_codes = [code for code in names.NEED_TITLES if code in types]
    service_codes = [c for c, t in types.items() if t.category.code != "venues"]
    needs = listings // 2
    done = 0
    while done < needs:
        rows = []
        for n in range(done, min(needs, done + BATCH)):
            code = need_codes[n % len(need_codes)]
            title, measure = names.NEED_TITLES[code]
            created = texts.past_moment(rng)
            starts_on, ends_on = texts.need_window(rng, created)
            rows.append(
                {
                    "community_id": community_ids[n % communities],
                    "type_id": types[code].id,
                    "title": f"{title}（{n + 1}）",
                    "description": f"{title}，需要{MEASURE_UNITS[measure]}若干。",
                    "quantity": rng.choice([2, 4, 5, 8, 10, 20]),
                    "measure_unit": measure,
                    "urgency": rng.choice([1, 2, 3]),
                    "status": "published",
                    "starts_on": starts_on,
                    "ends_on": max(ends_on, starts_on + timedelta(days=1)),
                    "created_at": created,
                    "updated_at": created,
                }
            )
        db.session.execute(insert(Need), rows)
        done += len(rows)
        progress("需求清单", done, needs)
    offers = listings - needs
    done = 0
    while done < offers:
        rows = []
        for n in range(done, min(offers, done + BATCH)):
            code = service_codes[n % len(service_codes)]
            created = texts.past_moment(rng)
            rows.append(
                {
                    "unit_id": unit_ids[n % units],
                    "kind": "service",
                    "type_id": types[code].id,
                    "title": f"{types[code].name}服务（{n + 1}）",
                    "description": f"提供{types[code].name}，欢迎社区预约。",
                    "status": "published",
                    "monthly_quantity": rng.choice([1, 2, 4, 8]),
                    "open_weekdays": WORKDAYS,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        db.session.execute(insert(Offer), rows)
        done += len(rows)
        progress("资源清单", done, offers)
    if logins:
        secret = hash_password(DEMO_PASSWORD)
        db.session.add_all(
            [
                User(username=f"{logins}-reviewer", role="reviewer", password_hash=secret,
                     display_name="市委组织部 审核员"),
                User(username=f"{logins}-community", role="community", password_hash=secret,
                     community_id=community_ids[0], display_name="社区书记"),
                User(username=f"{logins}-unit", role="unit", password_hash=secret,
                     unit_id=unit_ids[0], display_name="单位书记"),
            ]
        )  # fmt: skip
    db.session.commit()
    _refresh_statistics()
    summary = f"{communities} 个社区，{units} 家单位，{needs} 条需求，{offers} 项资源"
    return DemoResult(created=True, county_name=name, summary=summary)


def _refresh_statistics() -> None:
    """Let the planner see the new rows now, not when autovacuum gets to them.

    Right after a bulk load PostgreSQL still estimates a few dozen open needs, not 50,000,
    and picks plans for that; SQLite's ANALYZE feeds its planner likewise.
    """
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def _bulk(model, rows: list[dict], progress: Progress | None = None, step: str = "") -> list[int]:
    """Insert ``rows`` in batches; return their new ids in the order given."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids.extend(db.session.scalars(statement, chunk).all())
        if progress:
            progress(step, len(ids), len(rows))
    return ids
