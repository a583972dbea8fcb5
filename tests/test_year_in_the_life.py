"""A year in the life of a small county, driven over the public interfaces.

One scenario moves the county clock through 2025: a plan is published in January and a
new one on 10 September (mid-quarter: one pair dropped, one added); needs are posted,
claimed, worked, finished and rated; pairs log and confirm their activities; a need is
escalated and assigned; a community holds its joint meeting; a hotline ticket is served
and a small wish fulfilled; then the year is assessed. At each quarter's end the rules
are asserted: a pair dropped mid-quarter keeps what it did, a pair in force for under
30 days is not due, and the assessment's compliant quarters equal the compliance API's
(and, at the year's end, the page's and the export's) for every unit.
"""

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Notification
from marketplace.services.accounts import issue_api_token
from marketplace.services.oversight.oversight_calendar import QUARTERS
from tests.attachment_helpers import png_bytes
from tests.factories import make_community, make_member, make_township, make_unit, make_user
from tests.hotline_helpers import staffed_team
from tests.oversight_helpers import quick_user
from tests.test_api_marketplace import _need_body
from tests.test_compliance_pair_life import _export_quarters, _page_quarters

YEAR = 2025
PASSWORD = "correct-horse-42"


@pytest.fixture
def app_config():
    return {"API_TOKEN_DAYS": 0}  # the year outlasts a token's usual 90 days


class County:
    """The county's people and a clock the scenario moves forward."""

    def __init__(self, client, monkeypatch):
        self.client, self.monkeypatch = client, monkeypatch
        self.on(date(YEAR, 1, 2))
        township = make_township()
        self.a = make_community(township=township, name="东风社区")
        self.b = make_community(township=township, name="向阳社区")
        self.units = {n: make_unit(name=f"单位{n}") for n in range(1, 6)}
        self.staff_a = make_user("community", community=self.a, password=PASSWORD)
        self.staff_b = quick_user("community", community=self.b)
        self.secretaries = {n: quick_user("unit", unit=u) for n, u in self.units.items()}
        self.reviewer = make_user("reviewer", password=PASSWORD)
        self.second_reviewer = quick_user("reviewer")
        self.township = quick_user("township", township=township)

    def on(self, day: date) -> None:
        """Set the county clock to the morning of ``day`` (county time)."""
        moment = datetime.combine(day, time(9), clock.zone()).astimezone(UTC)
        self.monkeypatch.setattr(clock, "_system_now", lambda: moment)

    def api(self, user, method: str, url: str, body=None, status: int | None = 200):
        """Call the API as ``user``; expect ``status`` (None: any success)."""
        headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
        answer = getattr(self.client, method)(f"/api/v1{url}", json=body, headers=headers)
        expected = status or (answer.status_code if answer.status_code < 300 else 200)
        assert answer.status_code == expected, (url, answer.status_code, answer.json)
        return answer.json

    def unit(self, n: int) -> int:
        return self.units[n].id

    def publish(self, pinned, capacities=None, **extra) -> dict:
        body = {
            "quotas": {"default": {"min": 2, "max": 2}},
            "capacities": {str(self.unit(n)): cap for n, cap in (capacities or {}).items()},
            "pinned": [[self.unit(n), community.id] for n, community in pinned],
            **extra,
        }
        plan = self.api(self.reviewer, "post", "/pairing-plans", body, 201)
        base = f"/pairing-plans/{plan['id']}"
        submitted = self.api(self.reviewer, "post", f"{base}/submit")
        self.api(self.second_reviewer, "post", f"{base}/approve")
        published = self.api(self.second_reviewer, "post", f"{base}/publish")
        assert published["consequences"] == submitted["consequences"]
        return published

    def activity(self, n: int, community, day: date, *, confirm: bool = True) -> int:
        body = {"community_id": community.id, "date": day.isoformat(), "kind": "symposium"}
        body["title"] = f"单位{n}{community.name}座谈"
        logged = self.api(self.secretaries[n], "post", "/pair-activities", body, 201)
        if confirm:
            self.confirm(community, logged["id"])
        return logged["id"]

    def confirm(self, community, activity_id: int) -> None:
        """The community puts the activity's photo on the record, then confirms it."""
        staff = self.staff_a if community.id == self.a.id else self.staff_b
        headers = {"Authorization": f"Bearer {issue_api_token(staff)}"}
        photo = {"file": (io.BytesIO(png_bytes()), "现场.png")}
        url = f"/api/v1/pair-activities/{activity_id}/attachments"
        assert self.client.post(url, data=photo, headers=headers).status_code == 201
        answer = self.api(staff, "post", f"/pair-activities/{activity_id}/confirm")
        assert answer["status"] == "confirmed"

    def quarter(self, number: int) -> dict[int, str]:
        """Return the compliance API's status per unit for a quarter (as reviewers see it)."""
        answer = self.api(self.reviewer, "get", f"/compliance?year={YEAR}&quarter={number}")
        return {pair["unit_id"]: pair["status"] for pair in answer["pairs"]}

    def assessment(self) -> dict[int, dict]:
        answer = self.api(self.reviewer, "get", f"/assessment?year={YEAR}")
        return {
            entry["unit_id"]: {"eligible": entry["eligible"]}
            | {part["name"]: part["value"] for part in entry["parts"]}
            for entry in answer["units"]
        }

    def assert_assessment_equals_compliance(self) -> dict[int, dict]:
        """The assessment's part counts the quarters the compliance API shows confirmed."""
        confirmed = {unit.id: 0 for unit in self.units.values()}
        for number in QUARTERS:
            for unit_id, status in self.quarter(number).items():
                confirmed[unit_id] += status == "confirmed"
        assessed = self.assessment()
        for unit_id, count in confirmed.items():
            assert assessed[unit_id]["quarters_compliant"] == count, unit_id
        return assessed


def check_county_record(app) -> None:
    """Recompute every stored figure from its source (``flask check``): no difference."""
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output


def test_a_year_in_the_life(app, client, monkeypatch):
    county = County(client, monkeypatch)
    a, b = county.a, county.b

    # --- Q1: the first plan; every pair meets; a need is posted, claimed and worked ---
    first = county.publish([(1, a), (2, a), (3, b), (4, b)], capacities={5: 0})
    assert first["consequences"]["base_plan_id"] is None
    county.on(date(YEAR, 2, 10))
    for n, community in ((1, a), (2, a), (3, b), (4, b)):
        county.activity(n, community, date(YEAR, 2, 8))
    need = county.api(county.staff_a, "post", "/needs", _need_body(quantity=5), 201)
    claim = county.api(
        county.secretaries[1], "post", f"/needs/{need['id']}/claims", {"quantity": 5}, 201
    )
    county.api(county.staff_a, "post", f"/claims/{claim['id']}/accept")
    county.api(
        county.secretaries[1],
        "post",
        f"/claims/{claim['id']}/progress",
        {"note": "已开工", "percent": 60},
        201,
    )
    county.on(date(YEAR, 4, 1))
    assert county.quarter(1) == dict.fromkeys((county.unit(n) for n in (1, 2, 3, 4)), "confirmed")
    county.assert_assessment_equals_compliance()

    # --- Q2: the project is finished and rated; a need nobody claims is escalated ---
    county.on(date(YEAR, 5, 6))
    county.api(county.staff_a, "post", f"/claims/{claim['id']}/done")
    county.api(
        county.staff_a,
        "post",
        f"/claims/{claim['id']}/rating",
        {"stars": 5, "comment": "及时"},
        201,
    )
    for n, community in ((1, a), (2, a), (3, b), (4, b)):
        county.activity(n, community, date(YEAR, 5, 5))
    lonely = county.api(county.staff_b, "post", "/needs", _need_body(title="助老送餐"), 201)
    county.on(date(YEAR, 6, 10))
    escalation = county.api(
        county.staff_b, "post", f"/needs/{lonely['id']}/escalate", {"reason": "一个月无人认领"}, 201
    )
    county.api(
        county.township,
        "post",
        f"/escalations/{escalation['id']}/assign",
        {"unit_id": county.unit(3)},
    )
    answered = county.api(
        county.secretaries[3], "post", f"/escalations/{escalation['id']}/answer", {"accept": True}
    )
    assert answered["status"] == "resolved"
    county.on(date(YEAR, 7, 1))
    county.assert_assessment_equals_compliance()

    # --- Q3: a new plan on 10 September drops 单位2 and adds 单位5, within the cap ---
    county.on(date(YEAR, 7, 20))
    county.activity(1, a, date(YEAR, 7, 15))
    county.activity(2, a, date(YEAR, 7, 20))
    county.on(date(YEAR, 8, 5))
    county.activity(4, b, date(YEAR, 8, 5))
    waiting = county.activity(3, b, date(YEAR, 8, 1), confirm=False)
    county.on(date(YEAR, 9, 10))
    second = county.publish([(1, a), (5, a), (3, b), (4, b)], capacities={2: 0})
    change = second["consequences"]
    assert (change["kept"], change["dropped"], change["added"]) == (3, 1, 1)
    assert change["dropped_share"] == 0.25 and change["moving_activities"] == 1
    assert change["dropped_pairs"] == [{"unit_id": county.unit(2), "community_id": a.id}]
    db.session.rollback()  # read what the requests committed
    told = db.session.execute(
        select(Notification.kind, Notification.user_id).where(
            Notification.kind.in_(("pairing.dropped", "pairing.added"))
        )
    ).all()
    dropped_told = [user for kind, user in told if kind == "pairing.dropped"]
    added_told = [user for kind, user in told if kind == "pairing.added"]
    assert sorted(added_told) == sorted([county.secretaries[5].id, county.staff_a.id])
    assert sorted(dropped_told) == sorted([county.secretaries[2].id, county.staff_a.id])
    county.on(date(YEAR, 9, 12))
    county.confirm(b, waiting)  # confirmed after the change: it still counts
    late = {"community_id": a.id, "kind": "symposium", "title": "补记座谈"}
    refused = county.api(
        county.secretaries[2], "post", "/pair-activities", {**late, "date": "2025-09-11"}, 400
    )
    assert "未结对" in refused["error"]
    county.activity(2, a, date(YEAR, 9, 8))  # held before the change: still its pair's
    county.on(date(YEAR, 10, 1))
    q3 = county.quarter(3)
    assert q3 == {
        county.unit(1): "confirmed",
        county.unit(2): "confirmed",  # dropped mid-quarter, keeps what it did
        county.unit(3): "confirmed",
        county.unit(4): "confirmed",
        county.unit(5): "not_due",  # 21 days in force, nothing held
    }
    county.assert_assessment_equals_compliance()

    # --- Q4: the new pair meets, one old pair does not; a meeting, a ticket, a wish ---
    county.on(date(YEAR, 11, 12))
    county.activity(1, a, date(YEAR, 10, 20))
    county.activity(5, a, date(YEAR, 11, 5))
    county.activity(4, b, date(YEAR, 11, 10))
    county.on(date(YEAR, 11, 20))
    client.post("/login", data={"username": county.staff_a.username, "password": PASSWORD})
    meeting = client.post(
        "/meetings/new",
        data={
            "held_on": "2025-11-20",
            "theme": "冬季安全",
            "minutes": "部署冬季安全检查",
            "present": [str(county.unit(1))],
        },
    )
    assert meeting.status_code == 302, meeting.get_data(as_text=True)[:500]
    client.post("/logout")
    county.on(date(YEAR, 12, 1))
    crew = staffed_team(a)
    dispatcher = make_user("dispatcher")
    ticket = county.api(
        dispatcher,
        "post",
        "/hotline/requests",
        {
            "service_code": "cleanup",
            "description": "楼道堆满杂物",
            "phone": "13700002222",
            "first_name": "王先生",
            "address_string": "建设路 12 号",
        },
        201,
    )
    ticket_id = ticket[0]["service_request_id"] if isinstance(ticket, list) else ticket["id"]
    base = f"/hotline/requests/{ticket_id}"
    county.api(dispatcher, "post", f"{base}/dispatch", {"team_id": crew.team.id})
    county.api(crew.leader, "post", f"{base}/accept")
    served = county.api(
        crew.co_leader.user,
        "post",
        f"{base}/serve",
        {"summary": "清理楼道", "hours": 2, "member_ids": [crew.member.id]},
    )
    assert served["workflow_status"] == "served"
    wish = county.api(
        county.staff_a,
        "post",
        "/wishes",
        {
            "title": "一副老花镜",
            "description": "老人看报需要",
            "value_yuan": 60,
            "resident_name": "李桂兰",
            "deadline": (date(YEAR, 12, 1) + timedelta(days=14)).isoformat(),
        },
        201,
    )
    helper = make_member(unit=county.units[1], community=a)
    county.api(helper.user, "post", f"/wishes/{wish['id']}/claim", status=201)
    county.api(helper.user, "post", f"/wishes/{wish['id']}/fulfil", {"note": "已送达"}, None)
    county.api(county.staff_a, "post", f"/wishes/{wish['id']}/confirm", {"thanks": "谢谢"}, None)

    # --- the year's end: every rule, and every place that shows the figure, agree ---
    county.on(date(YEAR + 1, 1, 5))
    q4 = county.quarter(4)
    assert q4 == {
        county.unit(1): "confirmed",
        county.unit(3): "missing",
        county.unit(4): "confirmed",
        county.unit(5): "confirmed",
    }  # 单位2 was not paired in the fourth quarter
    assessed = county.assert_assessment_equals_compliance()
    assert {n: assessed[county.unit(n)]["quarters_compliant"] for n in county.units} == {
        1: 4,
        2: 3,
        3: 3,
        4: 4,
        5: 1,
    }
    eligible = {n: assessed[county.unit(n)]["eligible"] for n in county.units}
    # 单位2 was judged while paired, 单位5 from the day it began; 单位3 missed a quarter.
    assert eligible == {1: True, 2: True, 3: False, 4: True, 5: True}
    assert assessed[county.unit(1)]["projects_completed"] == 1
    assert assessed[county.unit(1)]["meeting_attendance"] == 100.0
    assert assessed[county.unit(5)]["meeting_attendance"] == 0.0
    assert assessed[county.unit(1)]["wishes_fulfilled"] == 1

    client.post("/login", data={"username": county.reviewer.username, "password": PASSWORD})
    from_page = _page_quarters(client.get(f"/compliance/?year={YEAR}").get_data(as_text=True))
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get(f"/compliance/export.xlsx?year={YEAR}").data))
    from_export = _export_quarters(book.worksheets[-1])
    for n, unit in county.units.items():
        counted = int(assessed[unit.id]["quarters_compliant"])
        assert (
            len(from_page.get(unit.id, set())) == len(from_export.get(unit.id, set())) == counted
        ), n
    check_county_record(app)
