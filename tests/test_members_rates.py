"""Members' rates: one function per figure, equal on the page, in Excel, over the API and in
the assessment, and no rate ever passes 100 %."""

import re
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Community, PairingPlan, PlanPair, User
from marketplace.services.members import member_stats
from marketplace.services.oversight import assessment_parts
from tests.factories import make_community, make_county, make_member, make_unit, make_user
from tests.test_api_marketplace import Api


def _pair(*pairs: tuple[int, int]) -> None:
    plan = PairingPlan(county_id=make_county().id, version=1, status="published")
    db.session.add(plan)
    db.session.flush()
    for unit_id, community_id in pairs:
        db.session.add(PlanPair(plan_id=plan.id, unit_id=unit_id, community_id=community_id))
    db.session.commit()


def test_a_units_report_rate_is_over_its_registered_members(app):
    unit = make_unit(party_members=200)
    community = make_community()
    for _ in range(3):
        make_member(unit=unit, community=community)
    make_member(reported=False, unit=unit)
    row = member_stats.unit_rates(clock.today().year, unit.id)[0]
    assert (row.report_rate.part, row.report_rate.whole) == (3, 4)
    assert row.report_rate.percent == 75.0
    assert assessment_parts.member_report_rate(clock.today().year)[unit.id] == 75.0


def test_a_communitys_rate_counts_who_may_report_to_it_and_stays_within_100(app):
    unit, other = make_unit(), make_unit()
    community, elsewhere = make_community(), make_community()
    _pair((unit.id, community.id))
    for _ in range(25):  # more than the old floor of 20: the old rate read 125 %
        make_member(unit=other, community=community)
    make_member(reported=False, unit=unit)  # may report here: its unit is paired
    make_member(reported=False, unit=other, home_community=community)  # lives here
    make_member(reported=False, unit=other, home_community=elsewhere)  # not ours
    rows = {row.id: row for row in member_stats.community_rates(clock.today().year)}
    rate = rows[community.id].report_rate
    assert (rate.part, rate.whole) == (25, 27)
    assert rate.percent == 92.6
    assert rows[elsewhere.id].report_rate.whole == 1
    _rows, total = member_stats.community_sheet(clock.today().year)
    assert (total.report_rate.part, total.report_rate.whole) == (25, 28)


def test_api_gives_reviewers_every_unit_and_townships_their_communities_units(client):
    community = make_community()
    other_community = make_community()
    ours, theirs = make_unit(), make_unit()
    _pair((ours.id, community.id), (theirs.id, other_community.id))
    make_member(unit=ours, community=community)
    make_member(reported=False, unit=ours)
    township = make_user("township", township_id=community.township_id)
    answer = Api(client, township).get("/member-rates", year=clock.today().year)
    assert answer.status_code == 200, answer.json
    by_unit = {row["unit_id"]: row for row in answer.json["units"]}
    assert set(by_unit) == {ours.id}
    assert by_unit[ours.id]["registered"] == 2 and by_unit[ours.id]["reported"] == 1
    assert by_unit[ours.id]["report_rate"] == 50.0
    reviewer = Api(client, make_user("reviewer")).get("/member-rates")
    assert {ours.id, theirs.id} <= {row["unit_id"] for row in reviewer.json["units"]}
    for role in ("unit", "community", "member"):
        assert Api(client, make_user(role)).get("/member-rates").status_code == 403
    bad = Api(client, make_user("reviewer")).get("/member-rates", year="abc")
    assert bad.status_code == 400 and bad.json["field"] == "year"


def _page_cells(html: str, name: str) -> list[str]:
    row = re.search(rf"<tr[^>]*><td>{re.escape(name)}</td>(.*?)</tr>", html, re.S)
    assert row, name
    return re.findall(r"([\d.]+)%<span[^>]*>（(\d+)/(\d+)）", row.group(1))


def test_every_demo_unit_has_the_same_figures_everywhere(demo_app, demo_client):
    year = clock.today().year
    with demo_app.app_context():
        reviewer = db.session.scalar(select(User).where(User.role == "reviewer"))
        rows = member_stats.unit_rates(year)
        communities = member_stats.community_rates(year)
        report_parts = assessment_parts.member_report_rate(year)
        checklist_parts = assessment_parts.checklist_completion(year)
        names = dict(db.session.execute(select(Community.id, Community.name)).all())
        api = Api(demo_client, reviewer).get("/member-rates", year=year).json
        demo_client.post("/login", data={"username": reviewer.username, "password": "demo-pass"})
    page = demo_client.get(f"/review/members/?year={year}").get_data(as_text=True)
    sheet = load_workbook(BytesIO(demo_client.get(f"/review/members/export.xlsx?year={year}").data))
    excel = {line[0]: line for line in sheet[f"{year}年各单位"].iter_rows(values_only=True)}
    from_api = {row["unit_id"]: row for row in api["units"]}
    registered = reported = 0
    for row in rows:
        rates = (row.report_rate, row.post_rate, row.completion_rate)
        for rate in rates:
            assert 0 <= rate.part <= rate.whole and 0 <= rate.percent <= 100
        expected = [(f"{r.percent:g}", str(r.part), str(r.whole)) for r in rates]
        assert _page_cells(page, row.name)[:3] == expected
        assert [excel[row.name][3], excel[row.name][5], excel[row.name][7]] == [
            f"{r.percent:g}%（{r.part}/{r.whole}）" for r in rates
        ]
        answer = from_api[row.id]
        assert [answer["report_rate"], answer["post_rate"], answer["checklist_rate"]] == [
            r.percent for r in rates
        ]
        assert report_parts[row.id] == row.report_rate.percent
        assert checklist_parts[row.id] == row.completion_rate.percent
        registered, reported = registered + row.registered, reported + row.reported
    for row in communities:
        assert 0 <= row.report_rate.part <= row.report_rate.whole, names[row.id]
    assert 0.85 <= reported / registered <= 0.97  # believable: the seed speaks of ~91 %
