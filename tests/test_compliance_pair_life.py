"""Compliance follows the pair's life: publishing a plan mid-quarter rewrites no past.

Regression: a new plan published in the fourth quarter turned the quarter of every pair
it dropped into 「当季未结对」 (two confirmed activities notwithstanding), the export gave
such a unit 3 quarters while the assessment still gave it 4 and 先进单位 符合.
"""

import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import PairActivity, PairingPlan, Unit, User
from marketplace.services.accounts import issue_api_token
from marketplace.services.oversight import assessment, compliance, pair_activities
from marketplace.services.oversight.oversight_calendar import QUARTERS, county_today
from tests.factories import make_community, make_unit
from tests.oversight_helpers import publish_pairs, quick_user

YEAR = 2025


def _activity(unit, community, day: date, status: str = "confirmed") -> None:
    db.session.add(
        PairActivity(
            unit_id=unit.id,
            community_id=community.id,
            held_on=day,
            kind="symposium",
            title="座谈",
            status=status,
            logged_by_side="unit",
        )
    )
    db.session.commit()


@pytest.fixture
def replanned(app):
    """Kept and dropped pairs from January; a new plan on 10 December adds a newcomer."""
    community = make_community()
    kept, dropped, newcomer, late = make_unit(), make_unit(), make_unit(), make_unit()
    first = publish_pairs(
        [(kept, community), (dropped, community)], datetime(YEAR, 1, 1, tzinfo=UTC)
    )
    for quarter_month in (2, 5, 8, 11):
        _activity(kept, community, date(YEAR, quarter_month, 10))
        _activity(dropped, community, date(YEAR, quarter_month, 12))
    _activity(dropped, community, date(YEAR, 11, 20))
    second = publish_pairs(
        [(kept, community), (newcomer, community), (late, community)],
        datetime(YEAR, 12, 10, 2, tzinfo=UTC),
    )
    first.status = "superseded"
    db.session.commit()
    _activity(late, community, date(YEAR, 12, 20))  # a short pair that did meet
    return community, kept, dropped, newcomer, late, second


def test_a_dropped_pair_keeps_its_quarter_and_a_new_one_is_not_due(replanned):
    community, kept, dropped, newcomer, late, _plan = replanned
    rows = compliance.compliance([community.id], YEAR, today=date(YEAR + 1, 1, 5))
    cells = {row.pair.unit_id: row.cells for row in rows}
    assert cells[dropped.id] == {1: "confirmed", 2: "confirmed", 3: "confirmed", 4: "confirmed"}
    assert cells[kept.id] == {1: "confirmed", 2: "confirmed", 3: "confirmed", 4: "confirmed"}
    assert cells[newcomer.id] == {1: "unpaired", 2: "unpaired", 3: "unpaired", 4: "not_due"}
    assert cells[late.id][4] == "confirmed"  # a confirmed activity of a short pair counts
    counts = {row.pair.unit_id: row.counts[4] for row in rows}
    assert counts[dropped.id] == 2

    years = compliance.unit_years(YEAR, today=date(YEAR + 1, 1, 5))
    assert years[dropped.id].compliant == set(QUARTERS)
    assert years[dropped.id].eligible(4)
    assert not years[newcomer.id].eligible(4)  # never judged: nothing to be 先进 for
    assert years[late.id].eligible(4)  # judged only from the day it began, and it met


def test_assessment_and_the_matrix_agree_for_every_unit(replanned):
    community, *_units, _plan = replanned
    rows = compliance.compliance([community.id], YEAR)
    from_matrix: dict[int, set[int]] = {}
    for row in rows:
        from_matrix.setdefault(row.pair.unit_id, set()).update(
            q for q, status in row.cells.items() if status == "confirmed"
        )
    scores = {entry.unit.id: entry for entry in assessment.assess(YEAR)}
    for unit_id, quarters in from_matrix.items():
        part = next(p for p in scores[unit_id].parts if p.name == "quarters_compliant")
        assert part.value == len(quarters), unit_id


def test_an_activity_is_logged_only_for_a_day_the_pair_was_in_force(replanned):
    community, _kept, dropped, newcomer, _late, _plan = replanned
    unit_user = quick_user("unit", unit=dropped)
    body = {"community_id": community.id, "kind": "symposium", "title": "回顾座谈"}
    activity = pair_activities.log_activity(unit_user, {**body, "date": "2025-12-01"})
    assert activity.held_on == date(2025, 12, 1)  # dropped since, but paired that day
    with pytest.raises(InvalidInput, match="未结对"):
        pair_activities.log_activity(unit_user, {**body, "date": "2025-12-15"})
    newcomer_user = quick_user("unit", unit=newcomer)
    with pytest.raises(InvalidInput, match="2025-11-01 当天与该对象未结对"):
        pair_activities.log_activity(newcomer_user, {**body, "date": "2025-11-01"})
    assert pair_activities.log_activity(newcomer_user, {**body, "date": "2025-12-10"})


# --- the demo county: publish the default plan over the API, then compare every place ---


def _headers(username: str) -> dict:
    user = db.session.scalar(select(User).where(User.username == username))
    return {"Authorization": f"Bearer {issue_api_token(user, 'test')}"}


def publish_default_plan(client, **body) -> dict:
    """Create, submit, approve and publish a plan over the API (two reviewers)."""
    first, second = _headers("reviewer"), _headers("reviewer2")
    plan = client.post("/api/v1/pairing-plans", json=body, headers=first)
    assert plan.status_code == 201, plan.json
    url = f"/api/v1/pairing-plans/{plan.json['id']}"
    assert client.post(f"{url}/submit", headers=first).status_code == 200
    assert client.post(f"{url}/approve", headers=second).status_code == 200
    published = client.post(f"{url}/publish", headers=second)
    assert published.status_code == 200, published.json
    return published.json


def compliant_quarters_everywhere(client, year: int) -> dict[str, dict[int, set[int]]]:
    """Read each unit's compliant quarters from the page, the export, the API; and the
    assessment's part, as reviewers see them."""
    reviewer = _headers("reviewer")
    api: dict[int, set[int]] = {}
    for quarter in QUARTERS:
        answer = client.get(f"/api/v1/compliance?year={year}&quarter={quarter}", headers=reviewer)
        assert answer.status_code == 200
        for pair in answer.json["pairs"]:
            quarters = api.setdefault(pair["unit_id"], set())
            if pair["status"] == "confirmed":
                quarters.add(quarter)
    assessed = client.get(f"/api/v1/assessment?year={year}", headers=reviewer).json["units"]
    by_assessment = {
        entry["unit_id"]: next(
            p["value"] for p in entry["parts"] if p["name"] == "quarters_compliant"
        )
        for entry in assessed
    }
    client.post("/login", data={"username": "reviewer", "password": "demo-pass"})
    page = client.get(f"/compliance/?year={year}").get_data(as_text=True)
    by_page = _page_quarters(page)
    workbook = load_workbook(io.BytesIO(client.get(f"/compliance/export.xlsx?year={year}").data))
    by_export = _export_quarters(workbook.worksheets[-1])
    return {"api": api, "page": by_page, "export": by_export, "assessment": by_assessment}


def _page_quarters(html: str) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for unit_id, cells in re.findall(r'<tr data-unit="(\d+)"[^>]*>(.*?)</tr>', html, re.S):
        statuses = re.findall(r'data-status="(\w+)"', cells)
        found.setdefault(int(unit_id), set()).update(
            q for q, status in zip(QUARTERS, statuses, strict=True) if status == "confirmed"
        )
    return found


def _export_quarters(sheet) -> dict[int, set[int]]:
    names = {unit.name: unit.id for unit in db.session.scalars(select(Unit))}
    found: dict[int, set[int]] = {}
    confirmed = compliance.COMPLIANCE_STATUSES["confirmed"]
    for row in list(sheet.iter_rows(values_only=True))[1:]:
        quarters = found.setdefault(names[row[2]], set())
        quarters.update(q for q, cell in zip(QUARTERS, row[3:7], strict=True) if confirmed in cell)
        assert row[7] == sum(1 for cell in row[3:7] if confirmed in cell)
    return found


def test_publishing_mid_quarter_keeps_every_figure_equal(demo_client):
    year = county_today().year
    before = compliant_quarters_everywhere(demo_client, year)
    plan = publish_default_plan(demo_client)
    assert db.session.get(PairingPlan, plan["id"]).status == "published"
    after = compliant_quarters_everywhere(demo_client, year)
    for source in ("api", "page", "export"):
        assert after[source] == after["api"], source
    units = db.session.scalars(select(Unit.id)).all()
    for unit_id in units:
        counted = len(after["api"].get(unit_id, set()))
        assert after["assessment"].get(unit_id, 0.0) == counted, unit_id
        # publishing never takes a compliant quarter away
        assert before["api"].get(unit_id, set()) <= after["api"].get(unit_id, set()), unit_id
