"""Import the officials' Excel sheets: communities, units and needs.

A sheet is read whole and every row checked before anything is written: one bad row
refuses the whole file, with each problem named by row and column, so a file is never
half imported. Rows that match an existing record update it (communities, units) or are
skipped (needs already on the list), so importing the same file twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from marketplace.database import reading, writing
from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import Community, County, Need, ServiceType, Township, Unit, User
from marketplace.models.listings import MEASURE_UNITS, URGENCIES
from marketplace.models.places import UNIT_KINDS
from marketplace.services import audit
from marketplace.services.access import require_admin
from marketplace.services.ledgers.import_rows import LABELS, ImportReport, RowReader
from marketplace.services.ledgers.workbooks import new_workbook, read_rows, to_bytes, write_table

Progress = Callable[[int, int], None]

COLUMNS = {
    "communities": ["乡镇/街道", "社区名称", "地址", "纬度", "经度", "户数", "联系人", "联系电话"],
    "units": ["单位名称", "单位类型", "乡镇/街道", "地址", "纬度", "经度", "党员人数", "联系人",
              "联系电话"],
    "needs": ["社区名称", "服务类型", "标题", "描述", "数量", "计量单位", "开始日期", "结束日期",
              "紧急程度"],
}  # fmt: skip
REQUIRED = {
    "communities": {"乡镇/街道", "社区名称"},
    "units": {"单位名称", "单位类型"},
    "needs": {"社区名称", "服务类型", "标题", "数量"},
}
EXAMPLES = {
    "communities": ["城关镇", "示例社区", "示例路 1 号", 31.02, 113.75, 1200, "王芳",
                    "0710-5550000"],
    "units": ["示例县司法局", "党政机关", "城关镇", "示例大道 8 号", 31.03, 113.76, 42, "李强",
              "0710-5551111"],
    "needs": ["示例社区", "法律咨询", "每月一次法律咨询", "为居民提供现场法律咨询", 12, "场次",
              "2026-01-01", "2026-12-31", "一般"],
}  # fmt: skip


def template_workbook(kind: str) -> bytes:
    """Return an empty import sheet for ``kind`` with its header and one example row."""
    _check_kind(kind)
    workbook, _ = new_workbook()
    sheet = workbook.create_sheet(LABELS[kind])
    write_table(sheet, COLUMNS[kind], [EXAMPLES[kind]])
    return to_bytes(workbook)


def _check_kind(kind: str) -> None:
    if kind not in COLUMNS:
        raise InvalidInput(f"不支持导入 {kind}，可选：communities、units、needs。", field="kind")


def _only_county() -> County:
    counties = db.session.scalars(select(County).limit(2)).all()
    if len(counties) != 1:
        raise InvalidInput("导入前数据库中应恰有一个县（可先载入演示数据或建立县）。", field="file")
    return counties[0]


def _township(county: County, name: str) -> Township:
    township = db.session.scalar(
        select(Township).where(Township.county_id == county.id, Township.name == name)
    )
    if township is None:
        kind = "town" if name.endswith("镇") else "township" if name.endswith("乡") else "street"
        township = Township(county=county, name=name, kind=kind)
        db.session.add(township)
        db.session.flush()
    return township


def _place_values(row: RowReader) -> dict:
    values = {
        "address": row.text("地址", 200),
        "latitude": row.number("纬度", -90, 90),
        "longitude": row.number("经度", -180, 180),
        "contact_name": row.text("联系人", 40),
        "contact_phone": row.text("联系电话", 30),
    }
    return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass
class Lookups:
    """The county, and the communities and types that need rows name, read once per file."""

    county: County
    communities: dict[str, Community] = field(default_factory=dict)
    types: dict[str, ServiceType] = field(default_factory=dict)

    @classmethod
    def load(cls, county: County, kind: str) -> "Lookups":
        lookups = cls(county)
        if kind == "needs":
            lookups.communities = {
                community.name: community
                for community in db.session.scalars(
                    select(Community)
                    .join(Community.township)
                    .where(Township.county_id == county.id)
                )
            }
            lookups.types = {t.name: t for t in db.session.scalars(select(ServiceType))}
        return lookups


def _check_community(lookups: Lookups, row: RowReader) -> dict | None:
    values = {
        "township": row.text("乡镇/街道", 60, True),
        "name": row.text("社区名称", 60, True),
        **_place_values(row),
    }
    if (households := row.number("户数", 0, 1_000_000, integer=True)) is not None:
        values["households"] = households
    return None if row.errors else values


def _write_community(lookups: Lookups, values: dict, report: ImportReport) -> None:
    township = _township(lookups.county, values.pop("township"))
    name = values.pop("name")
    community = db.session.scalar(
        select(Community).where(Community.township_id == township.id, Community.name == name)
    )
    if community is None:
        db.session.add(Community(township=township, name=name, **values))
        report.created += 1
    else:
        for key, value in values.items():
            setattr(community, key, value)
        report.updated += 1


def _check_unit(lookups: Lookups, row: RowReader) -> dict | None:
    values = {
        "name": row.text("单位名称", 80, True),
        "kind": row.label("单位类型", UNIT_KINDS, required=True),
        "township": row.text("乡镇/街道", 60),
        **_place_values(row),
    }
    if (members := row.number("党员人数", 0, 100_000, integer=True)) is not None:
        values["party_members"] = members
    return None if row.errors else values


def _write_unit(lookups: Lookups, values: dict, report: ImportReport) -> None:
    county = lookups.county
    name, township_name = values.pop("name"), values.pop("township")
    if township_name:
        values["township_id"] = _township(county, township_name).id
    unit = db.session.scalar(select(Unit).where(Unit.county_id == county.id, Unit.name == name))
    if unit is None:
        db.session.add(Unit(county_id=county.id, name=name, **values))
        report.created += 1
    else:
        for key, value in values.items():
            setattr(unit, key, value)
        report.updated += 1


def _check_need(lookups: Lookups, row: RowReader) -> dict | None:
    community_name = row.text("社区名称", 60, True)
    community = lookups.communities.get(community_name)
    if community_name and community is None:
        row.fail("社区名称", f"找不到社区“{community_name}”。")
    type_name = row.text("服务类型", 40, True)
    service_type = lookups.types.get(type_name)
    if type_name and service_type is None:
        row.fail("服务类型", f"找不到服务类型“{type_name}”（见 12 大类 53 种分类）。")
    values = {
        "community_id": community.id if community else None,
        "type_id": service_type.id if service_type else None,
        "title": row.text("标题", 100, True),
        "quantity": row.number("数量", 1, 100_000, integer=True, required=True),
        "description": row.text("描述", 5000),
        "measure_unit": row.label("计量单位", MEASURE_UNITS, "people"),
        "urgency": row.label("紧急程度", URGENCIES, 1),
        "starts_on": row.day("开始日期"),
        "ends_on": row.day("结束日期"),
    }
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        row.fail("结束日期", "不能早于开始日期。")
    return None if row.errors else values


def _write_need(lookups: Lookups, values: dict, report: ImportReport) -> None:
    duplicate = db.session.scalar(
        select(Need.id).where(
            Need.community_id == values["community_id"],
            Need.title == values["title"],
            Need.starts_on.is_(None) if values["starts_on"] is None
            else Need.starts_on == values["starts_on"],
        )
    )  # fmt: skip
    if duplicate:
        report.skipped += 1
        return
    db.session.add(Need(claimed=0, status="published", **values))
    report.created += 1


# kind -> (check a row without writing, write a checked row)
IMPORTERS = {
    "communities": (_check_community, _write_community),
    "units": (_check_unit, _write_unit),
    "needs": (_check_need, _write_need),
}


def _limits() -> dict:
    config = current_app.config
    return {
        "max_rows": config["IMPORT_MAX_ROWS"],
        "max_unpacked_bytes": config["IMPORT_MAX_UNPACKED_BYTES"],
    }


def import_workbook(
    actor: User | None,
    kind: str,
    content: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of an Excel sheet, then write all of it or none of it.

    The file is parsed and every row checked in read transactions (on SQLite they take
    no write lock, so the county keeps working meanwhile); only the checked rows are
    written, in one short write transaction.
    """
    if actor is not None:  # None: the command line, run by the operator
        require_admin(actor)
    _check_kind(kind)
    check, write = IMPORTERS[kind]
    with reading():
        header, records = read_rows(content, **_limits())
        missing = [n for n in COLUMNS[kind] if n in REQUIRED[kind] and n not in header]
        if missing:
            raise InvalidInput(
                f"表头缺少列：{'、'.join(missing)}（可下载导入模板对照）。", field="file"
            )
        lookups = Lookups.load(_only_county(), kind)
        report = ImportReport(kind=kind, rows=len(records))
        checked = []
        for done, (number, record) in enumerate(records, start=1):
            values = check(lookups, RowReader(number, record, report.errors))
            if values is not None:
                checked.append(values)
            if progress:
                progress(done, 2 * len(records))
    if report.errors:
        shown = "；".join(report.errors[:5])
        more = f"（另有 {len(report.errors) - 5} 处）" if len(report.errors) > 5 else ""
        raise ImportRefused(f"未导入：{shown}{more}", report)
    with writing():
        for done, values in enumerate(checked, start=len(records) + 1):
            with db.session.no_autoflush:
                write(lookups, values, report)
            db.session.flush()  # later rows see earlier ones (a township, a community)
            if progress:
                progress(done, 2 * len(records))
        if dry_run:
            db.session.rollback()
            return report
        audit.record(f"import.{kind}", actor=actor, object_type=kind, detail=report.summary)
        db.session.commit()
    return report


class ImportRefused(InvalidInput):
    """A sheet with bad rows: nothing was written; ``report.errors`` lists every problem."""

    def __init__(self, message: str, report: ImportReport):
        super().__init__(message, field="file")
        self.report = report
