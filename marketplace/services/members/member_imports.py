"""Import a unit's members from Excel (姓名, 手机, 居住社区, 用户名): all rows or none.

Every row is checked before anything is written; one bad row refuses the file with each
problem named by row and column (第 n 行「手机」：…), as the other imports do. A phone
already registered in the unit is skipped, so importing the same file twice adds nothing.
"""

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import Community, Member, User
from marketplace.services import audit
from marketplace.services.access import require_role
from marketplace.services.ledgers.imports import RowReader
from marketplace.services.ledgers.workbooks import new_workbook, read_rows, to_bytes, write_table
from marketplace.services.members.members import PHONE_PATTERN, USERNAME_PATTERN, new_member_row

COLUMNS = ["姓名", "手机", "居住社区", "用户名"]
EXAMPLE = ["张伟", "13800000000", "示例社区", ""]
MAX_ROWS = 2000


@dataclass
class MemberImport:
    rows: int = 0
    created: list[tuple[str, str, str]] = field(default_factory=list)  # name, username, password
    skipped: int = 0

    @property
    def summary(self) -> str:
        return f"党员名册：共 {self.rows} 行，新增 {len(self.created)}，跳过 {self.skipped}"


def template_workbook() -> bytes:
    """Return an empty member sheet with its header and one example row."""
    workbook, _ = new_workbook()
    write_table(workbook.create_sheet("党员名册"), COLUMNS, [EXAMPLE])
    return to_bytes(workbook)


def _check_rows(records, unit_id: int):
    communities = {c.name: c for c in db.session.scalars(select(Community))}
    known_phones = set(db.session.scalars(select(Member.phone).where(Member.unit_id == unit_id)))
    names_taken = set(db.session.scalars(select(User.username)))
    errors: list[str] = []
    rows, seen_phones, seen_names = [], set(), set()
    for number, record in records:
        row = RowReader(number, record, errors)
        name, phone = row.text("姓名", 40, True), row.text("手机", 30, True)
        home_name, username = row.text("居住社区", 60), row.text("用户名", 40)
        if phone and not PHONE_PATTERN.match(phone):
            row.fail("手机", "格式不正确（11 位手机号或带区号的固定电话）。")
        if phone in seen_phones:
            row.fail("手机", "与前面的行重复。")
        seen_phones.add(phone)
        home = communities.get(home_name) if home_name else None
        if home_name and home is None:
            row.fail("居住社区", f"没有名为「{home_name}」的社区。")
        if username and not USERNAME_PATTERN.match(username):
            row.fail("用户名", "只能由 3–40 个字母、数字、下划线、点或减号组成。")
        elif username and (username in names_taken or username in seen_names):
            row.fail("用户名", f"{username} 已被占用。")
        seen_names.add(username)
        rows.append((name, phone, home, username, phone in known_phones))
    return rows, errors, names_taken


def _free_username(taken: set[str]) -> str:
    number = 1
    while f"member{number:03d}" in taken:
        number += 1
    taken.add(f"member{number:03d}")
    return f"member{number:03d}"


def import_members(actor, content: bytes) -> MemberImport:
    """Register the members of a sheet for the secretary's unit, or refuse the whole file."""
    require_role(actor, "unit")
    header, records = read_rows(content)
    missing = [column for column in ("姓名", "手机") if column not in header]
    if missing:
        raise InvalidInput(f"表头缺少：{'、'.join(missing)}。", field="file")
    if len(records) > MAX_ROWS:
        raise InvalidInput(f"一次最多导入 {MAX_ROWS} 行。", field="file")
    rows, errors, taken = _check_rows(records, actor.unit_id)
    if errors:
        error = InvalidInput("导入失败，未写入任何数据：" + "；".join(errors[:20]), field="file")
        error.errors = {"file": errors}
        raise error
    result = MemberImport(rows=len(rows))
    try:
        for name, phone, home, username, known in rows:
            if known:
                result.skipped += 1
                continue
            username = username or _free_username(taken)
            password = secrets.token_urlsafe(9)
            new_member_row(actor.unit_id, name, phone, username, home, password)
            result.created.append((name, username, password))
        audit.record(
            "member.imported",
            actor=actor,
            object_type="unit",
            object_id=actor.unit_id,
            after={"created": len(result.created), "skipped": result.skipped},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
