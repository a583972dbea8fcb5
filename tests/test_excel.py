"""Excel: the ledgers export every row; imports write all rows or none, and twice is once."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import AuditEntry, Claim, Community, Need, Offer, Unit
from marketplace.services.ledgers import imports, ledgers
from tests.factories import PASSWORD, make_community, make_need, make_user
from tests.helpers.excel import sheet_bytes


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def open_book(content: bytes):
    return load_workbook(BytesIO(content))


def test_need_ledger_has_a_sheet_per_community_and_every_need(demo_app):
    book = open_book(ledgers.needs_workbook())
    communities = db.session.scalars(select(Community)).all()
    assert book.sheetnames[0] == "汇总"
    assert len(book.sheetnames) == 1 + len(communities)
    assert sum(sheet.max_row - 1 for sheet in book.worksheets[1:]) == count(Need)
    for community in communities:
        rows = book[community.name].max_row - 1
        expected = db.session.scalar(
            select(func.count()).select_from(Need).where(Need.community_id == community.id)
        )
        assert rows == expected


def test_offer_and_project_ledgers_hold_every_row(demo_app):
    offers = open_book(ledgers.offers_workbook())
    assert sum(sheet.max_row - 1 for sheet in offers.worksheets) == count(Offer)
    projects = open_book(ledgers.projects_workbook())
    assert sum(sheet.max_row - 1 for sheet in projects.worksheets) == count(Claim)


def test_ledger_cells_never_run_as_formulas(app):
    make_need(title='=HYPERLINK("http://evil","点我")')
    book = open_book(ledgers.needs_workbook())
    titles = [
        row[1]
        for sheet in book.worksheets[1:]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert titles == ['\'=HYPERLINK("http://evil","点我")']


COMMUNITY_HEADER = imports.COLUMNS["communities"]


def test_community_import_creates_then_updates(app):
    make_community()  # the county exists
    content = sheet_bytes(
        COMMUNITY_HEADER,
        ["城关镇", "新华社区", "新华路 1 号", 31.01, 113.7, 1500, "周敏", "0710-1"],
        ["城关镇", "<script>alert(1)</script>", "", None, None, None, "", ""],
    )
    first = imports.import_workbook(None, "communities", content)
    assert (first.created, first.updated) == (2, 0)
    again = imports.import_workbook(None, "communities", content)
    assert (again.created, again.updated) == (0, 2)
    names = db.session.scalars(select(Community.name)).all()
    assert names.count("新华社区") == 1 and "<script>alert(1)</script>" in names
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import.communities"))


def test_a_bad_row_refuses_the_whole_file(app):
    make_community()
    before = count(Unit)
    content = sheet_bytes(
        imports.COLUMNS["units"],
        ["县档案馆", "事业单位", "城关镇", "", 31.0, 113.7, 12, "", ""],
        ["县某公司", "外星单位", "", "", 95, 113.7, -3, "", ""],
    )
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_workbook(None, "units", content)
    errors = refused.value.report.errors
    assert any("第 3 行「单位类型」" in line for line in errors)
    assert any("第 3 行「纬度」" in line for line in errors)
    assert any("第 3 行「党员人数」" in line for line in errors)
    assert count(Unit) == before


def test_every_problem_of_a_row_is_listed(app):
    make_community()
    content = sheet_bytes(imports.COLUMNS["units"], ["", "", "", "", 91, "", "", "", ""])
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_workbook(None, "units", content)
    text = "\n".join(refused.value.report.errors)
    for column in ("单位名称", "单位类型", "纬度"):
        assert f"第 2 行「{column}」" in text


def test_need_import_checks_references_and_skips_what_exists(app):
    community = make_community(name="东门社区")
    header = imports.COLUMNS["needs"]
    good = [
        "东门社区",
        "法律咨询",
        "每月法律咨询",
        "现场咨询",
        12,
        "场次",
        "2026-01-01",
        "2026-12-31",
        "较急",
    ]
    content = sheet_bytes(header, good)
    assert imports.import_workbook(None, "needs", content).created == 1
    assert imports.import_workbook(None, "needs", content).skipped == 1
    need = db.session.scalar(select(Need).where(Need.community_id == community.id))
    assert (need.quantity, need.measure_unit, need.urgency, need.status) == (
        12,
        "sessions",
        2,
        "published",
    )
    bad = sheet_bytes(header, ["西门社区", "算命", "", "", 0, "", "", "", ""])
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_workbook(None, "needs", bad)
    text = "\n".join(refused.value.report.errors)
    for problem in ("找不到社区", "找不到服务类型", "「标题」", "「数量」"):
        assert problem in text


def test_not_an_excel_file_or_missing_columns(app):
    make_community()
    with pytest.raises(InvalidInput, match="xlsx"):
        imports.import_workbook(None, "units", b"name,kind\n")
    with pytest.raises(InvalidInput, match="表头缺少列"):
        imports.import_workbook(None, "units", sheet_bytes(["名称"], ["县档案馆"]))


def test_cli_import_and_export(app, tmp_path):
    make_community(name="东门社区")
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet_bytes(imports.COLUMNS["needs"], ["东门社区", "法律咨询", "", "", "很多"]))
    result = runner.invoke(args=["excel", "import", "needs", str(bad)])
    assert result.exit_code == 1
    assert "未导入" in result.output and "第 2 行" in result.output
    missing = runner.invoke(args=["excel", "import", "needs", str(tmp_path / "none.xlsx")])
    assert missing.exit_code == 1 and "无法读取文件" in missing.output
    template = tmp_path / "template.xlsx"
    assert runner.invoke(args=["excel", "template", "needs", str(template)]).exit_code == 0
    imported = runner.invoke(args=["excel", "import", "needs", str(template)])
    assert imported.exit_code == 1 and "找不到社区" in imported.output  # the example row
    ledger = tmp_path / "needs.xlsx"
    exported = runner.invoke(args=["excel", "export", "needs", str(ledger)])
    assert exported.exit_code == 0, exported.output
    assert open_book(ledger.read_bytes()).sheetnames[0] == "汇总"


def test_pages_admin_imports_reviewer_downloads(app, client):
    make_community()
    admin = make_user("admin")
    client.post("/login", data={"username": admin.username, "password": PASSWORD})
    content = sheet_bytes(COMMUNITY_HEADER, ["城关镇", "新华社区", "", "", "", "", "", ""])
    response = client.post(
        "/ledgers/import",
        data={"kind": "communities", "file": (BytesIO(content), "c.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "新增 1" in response.get_data(as_text=True)
    refused = client.post(
        "/ledgers/import",
        data={"kind": "communities", "file": (BytesIO(b"not excel"), "c.xlsx")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "xlsx" in refused.get_data(as_text=True)
    client.post("/logout")

    reviewer = make_user("reviewer")
    client.post("/login", data={"username": reviewer.username, "password": PASSWORD})
    download = client.get("/ledgers/needs.xlsx")
    assert download.status_code == 200 and download.data.startswith(b"PK")
    assert client.get("/ledgers/nothing.xlsx").status_code == 404
    forbidden = client.post(
        "/ledgers/import",
        data={"kind": "communities", "file": (BytesIO(content), "c.xlsx")},
        content_type="multipart/form-data",
    )
    assert forbidden.status_code == 403
