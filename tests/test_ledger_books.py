"""一社区一册: a community's and a unit's own Excel book; others get 403."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from marketplace.errors import Forbidden, NotFound
from marketplace.services.exchange import claims
from marketplace.services.ledgers import ledger_books
from tests.factories import make_need, make_offer, make_user


@pytest.fixture
def books(db):
    staff = make_user("community")
    secretary = make_user("unit")
    need = make_need(community=staff.community, title="楼道照明维修")
    make_need(title="别的社区的需求")
    make_offer(unit=secretary.unit, title="法律咨询进社区")
    make_offer(title="别的单位的服务")
    claims.claim_need(secretary, need.id, 3)
    return staff, secretary


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def test_a_community_exports_its_own_needs_and_projects(books):
    staff, secretary = books
    name, content = ledger_books.community_book(staff, staff.community_id)
    sheets = _sheets(content)
    assert name == f"{staff.community.name}台账.xlsx"
    assert list(sheets) == ["需求清单", "项目清单"]
    titles = [row[1] for row in sheets["需求清单"][1:]]
    assert titles == ["楼道照明维修"]
    assert [row[3] for row in sheets["项目清单"][1:]] == [secretary.unit.name]


def test_a_unit_exports_its_own_offers_and_projects(books):
    staff, secretary = books
    _name, content = ledger_books.unit_book(secretary, secretary.unit_id)
    sheets = _sheets(content)
    assert [row[2] for row in sheets["资源清单"][1:]] == ["法律咨询进社区"]
    assert [row[0] for row in sheets["项目清单"][1:]] == [staff.community.name]


def test_others_are_refused_and_overseers_may_read(books):
    staff, secretary = books
    with pytest.raises(Forbidden, match="本社区"):
        ledger_books.community_book(make_user("community"), staff.community_id)
    with pytest.raises(Forbidden):
        ledger_books.community_book(secretary, staff.community_id)
    with pytest.raises(Forbidden, match="本单位"):
        ledger_books.unit_book(make_user("unit"), secretary.unit_id)
    with pytest.raises(Forbidden):
        ledger_books.unit_book(None, secretary.unit_id)
    with pytest.raises(NotFound):
        ledger_books.unit_book(staff, 99999)
    for overseer in (make_user("reviewer"), make_user("admin")):
        assert ledger_books.community_book(overseer, staff.community_id)[1]
        assert ledger_books.unit_book(overseer, secretary.unit_id)[1]


def test_the_download_links(app, client, books):
    staff, secretary = books
    client.post("/login", data={"username": staff.username, "password": "correct-horse-42"})
    own = client.get(f"/books/communities/{staff.community_id}.xlsx")
    assert own.status_code == 200 and own.mimetype.endswith("spreadsheetml.sheet")
    assert f"/books/communities/{staff.community_id}.xlsx" in client.get("/community/").get_data(
        as_text=True
    )
    assert client.get(f"/books/units/{secretary.unit_id}.xlsx").status_code == 403
    client.post("/logout")
    assert client.get(f"/books/units/{secretary.unit_id}.xlsx").status_code == 302  # log in


def test_a_finished_project_reads_100_percent_everywhere(books):
    """Regression: a finished project still showed its last report's 60 % in the ledger."""
    from marketplace.extensions import db
    from marketplace.models import Claim
    from marketplace.services.exchange.claim_queries import project_progress
    from marketplace.web.exchange.project_charts import latest_percent

    staff, secretary = books
    claim = db.session.query(Claim).one()
    claims.accept_claim(staff, claim.id)
    claims.report_progress(secretary, claim.id, "已完成大半", 60)
    _name, content = ledger_books.community_book(staff, staff.community_id)
    assert _sheets(content)["项目清单"][1][7] == 60
    claims.complete_claim(staff, claim.id)
    db.session.refresh(claim)
    _name, content = ledger_books.community_book(staff, staff.community_id)
    assert _sheets(content)["项目清单"][1][7] == 100
    assert project_progress(claim) == latest_percent(claim) == 100
