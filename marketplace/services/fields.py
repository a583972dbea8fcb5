"""Field rules, defined once, and reading typed values out of a form or JSON mapping.

The rule tables below (``NEED``, ``OFFER``, ``CLAIM`` …) are the only place a field's
label, length or range is written: the WTForms forms are built from them
(``marketplace.web.form_rules``), the services read their input with them through a
``FieldReader``, and the API therefore refuses exactly what the pages refuse, in the same
words. A ``FieldReader`` gathers every problem; ``raise_if_invalid`` turns them into one
``InvalidInput`` whose ``field`` is the first bad key and whose ``errors`` holds all.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import ServiceType
from marketplace.services.access import valid_id

_MISSING = object()


@dataclass(frozen=True)
class TextRule:
    """A text field: its Chinese label, maximum length and whether it must be filled."""

    label: str
    max_length: int
    required: bool = False


@dataclass(frozen=True)
class WholeRule:
    """A whole-number field: its Chinese label and inclusive range."""

    label: str
    minimum: int
    maximum: int
    required: bool = True
    default: int | None = None


MAX_QUANTITY = 100_000
# Dates the product can work with; year 1 or 9999 overflow as soon as a time zone is added.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def in_calendar(day: date) -> bool:
    """Tell whether ``day`` lies within the dates the product accepts."""
    return EARLIEST_DAY <= day <= LATEST_DAY


NEED = {
    "title": TextRule("标题", 100, required=True),
    "description": TextRule("详细说明", 5000),
    "quantity": WholeRule("数量", 1, MAX_QUANTITY),
    "urgency": WholeRule("紧急程度", 1, 3, required=False, default=1),
}
OFFER = {
    "title": TextRule("名称", 100, required=True),
    "description": TextRule("说明", 5000),
    "address": TextRule("地址", 200),
    "capacity": WholeRule("容量", 1, 100_000),
    "monthly_quantity": WholeRule("每月可提供数量", 1, 100_000),
}
CLAIM = {
    "quantity": WholeRule("认领数量", 1, MAX_QUANTITY),
    "note": TextRule("说明", 1000),
    "reason": TextRule("婉拒理由", 500),
}
PROGRESS = {
    "note": TextRule("进展情况", 2000, required=True),
    "percent": WholeRule("完成进度", 0, 100, required=False, default=0),
}
RATING = {
    "stars": WholeRule("评分", 1, 5),
    "comment": TextRule("评价", 1000),
}
BOOKING = {
    "quantity": WholeRule("数量", 1, 500, required=False, default=1),
    "requester_name": TextRule("联系人", 40, required=True),
    "requester_phone": TextRule("联系电话", 30, required=True),
    "purpose": TextRule("用途", 500, required=True),
    "answer_note": TextRule("答复说明", 500),
    "lookup_number": TextRule("预约编号", 12, required=True),
}
ACCOUNT = {
    "username": TextRule("用户名", 40, required=True),
    "display_name": TextRule("姓名", 40),
    "phone": TextRule("联系电话", 30),
    "token_label": TextRule("令牌用途", 60),
}
PLAN = {
    "title": TextRule("方案名称", 100),
    "note": TextRule("意见", 2000),
    "change_reason": TextRule("放宽调整上限的理由", 500),
}

AUDIT_FILTER = {
    "who": TextRule("操作人", 40),
    "action": TextRule("操作", 60),
    "object_type": TextRule("对象类型", 40),
}
MEMBER = {
    "name": TextRule("姓名", 40, required=True),
    "phone": TextRule("手机号码", 30),
    "username": TextRule("用户名", 40),
    "note": TextRule("备注", 500),
    "reason": TextRule("退回原因", 500, required=True),
}
POST = {
    "name": TextRule("岗位名称", 40, required=True),
    "description": TextRule("岗位说明", 500),
    "places": WholeRule("岗位名额", 1, 500),
}
TEAM = {
    "name": TextRule("服务队名称", 40, required=True),
    "description": TextRule("服务内容", 500),
}
SERVICE_RECORD = {
    "summary": TextRule("服务内容", 1000, required=True),
    "reason": TextRule("退回原因", 500, required=True),
}
TEAM_ACTIVITY = {
    "title": TextRule("活动名称", 100, required=True),
    "place": TextRule("地点", 100),
}
POINTS = {
    "reason": TextRule("更正原因", 500, required=True),
    "item_name": TextRule("物品名称", 60, required=True),
    "item_description": TextRule("说明", 500),
}
WISH = {
    "title": TextRule("心愿内容", 60, required=True),
    "description": TextRule("心愿说明", 1000),
    "resident_name": TextRule("居民姓名", 20, required=True),
    "note": TextRule("兑现说明", 1000, required=True),
    "thanks": TextRule("居民感谢", 1000),
}
HOTLINE = {
    "description": TextRule("求助内容", 2000, required=True),
    "phone": TextRule("联系电话", 30, required=True),
    "first_name": TextRule("称呼", 40),
    "address_string": TextRule("地址", 200),
    "reason": TextRule("退单原因", 500, required=True),
    "summary": TextRule("服务情况", 2000, required=True),
    "note": TextRule("回访记录", 1000),
}
PAIR_ACTIVITY = {
    "title": TextRule("活动主题", 100, required=True),
    "notes": TextRule("活动情况", 2000),
}
MEETING = {
    "theme": TextRule("会议主题", 100, required=True),
    "minutes": TextRule("会议纪要", 10_000),
    "next_theme": TextRule("下次会议主题", 100),
    "item_title": TextRule("事项内容", 200, required=True),
    "owner_name": TextRule("责任人", 60),
    "agenda_draft": TextRule("议程草案", 5000),
    "rsvp_note": TextRule("回复说明", 200),
}
ESCALATION = {
    "reason": TextRule("上报原因", 1000, required=True),
    "note": TextRule("说明", 1000),
}

NOTIFY = {
    "email": TextRule("电子邮箱", 120),
    "webhook_url": TextRule("机器人地址", 500),
    "phone": TextRule("手机号码", 30, required=True),
    "test_address": TextRule("测试接收地址", 200),
}
FUNDS = {
    "note": TextRule("事由", 500, required=True),
    "materials": TextRule("物资", 200),
    "project": TextRule("项目", 100),
    "decision_note": TextRule("审批意见", 500),
    "reason": TextRule("更正原因", 500, required=True),
}
MAX_FUND_YUAN = 100_000_000  # one entry of at most 1 亿元
COMMITTEE = {
    "name": TextRule("姓名", 40, required=True),
    "post": TextRule("岗位", 40, required=True),
    "duties": TextRule("职责", 1000, required=True),
    "organisation": TextRule("所在单位或组织", 80),
    "secretary_seat": TextRule("社区书记在该组织的任职", 60),
    "org_name": TextRule("组织名称", 80, required=True),
}


def choice_code(value, choices: Mapping) -> str | None:
    """Return the code ``value`` names in ``choices`` (code → label): the code or its label."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value in choices:
        return value
    for code, label in choices.items():
        if value == str(label):
            return code
    return None


def choices_hint(choices: Mapping) -> str:
    """List the choices as codes with their labels: ``party_day（主题党日）、…``."""
    return "、".join(
        str(code) if str(code) == str(label) else f"{code}（{label}）"
        for code, label in choices.items()
    )


def read_choice(value, label: str, choices: Mapping, field: str) -> str:
    """Return the code ``value`` names (code or label), or raise InvalidInput listing them."""
    code = choice_code(value, choices)
    if code is None:
        raise InvalidInput(f"{label}无效，可选：{choices_hint(choices)}。", field=field)
    return code


class FieldReader:
    """Parse the known keys of ``data``; unknown keys are never looked at."""

    def __init__(self, data: Mapping[str, Any] | None):
        self.data = data or {}
        self.errors: dict[str, str] = {}

    def has(self, key: str) -> bool:
        return key in self.data

    def _raw(self, key: str):
        value = self.data.get(key, _MISSING)
        if isinstance(value, str):
            value = value.strip()
        return _MISSING if value in (_MISSING, None, "") else value

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def read(
        self,
        key: str,
        rule: TextRule | WholeRule,
        *,
        label: str | None = None,
        required: bool | None = None,
    ):
        """Read ``key`` by its rule from one of the tables above.

        ``label`` and ``required`` override the rule's where one rule serves several
        cases (the same reason field asked by different actions, optional on one path).
        """
        label = label or rule.label
        required = rule.required if required is None else required
        if isinstance(rule, TextRule):
            return self.text(key, label, max_length=rule.max_length, required=required)
        return self.integer(
            key,
            label,
            minimum=rule.minimum,
            maximum=rule.maximum,
            required=required,
            default=rule.default,
        )

    def text(self, key: str, label: str, *, max_length: int, required: bool = False) -> str:
        value = self._raw(key)
        if value is _MISSING:
            if required:
                self.fail(key, f"请填写{label}。")
            return ""
        if not isinstance(value, str):
            self.fail(key, f"{label}必须是文字。")
            return ""
        if len(value) > max_length:
            self.fail(key, f"{label}不能超过 {max_length} 个字。")
        return value

    def integer(
        self,
        key: str,
        label: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        required: bool = False,
        default: int | None = None,
    ) -> int | None:
        value = self._raw(key)
        if value is _MISSING:
            if required:
                self.fail(key, f"请填写{label}。")
            return default
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            self.fail(key, f"{label}必须是整数。")
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(key, f"{label}必须是整数。")
            return default
        too_small = minimum is not None and number < minimum
        too_large = maximum is not None and number > maximum
        if too_small or too_large:
            if minimum is not None and maximum is not None:
                self.fail(key, f"{label}应在 {minimum} 到 {maximum} 之间。")
            elif too_small:
                self.fail(key, f"{label}不能小于 {minimum}。")
            else:
                self.fail(key, f"{label}不能大于 {maximum}。")
            return default
        return number

    def choice(self, key: str, label: str, choices: Mapping, *, default: str | None = None):
        """Read one of ``choices`` (code → label), given by its code or its Chinese label."""
        value = self._raw(key)
        if value is _MISSING:
            if default is None:
                self.fail(key, f"请选择{label}。")
            return default
        code = choice_code(value, choices)
        if code is None:
            self.fail(key, f"{label}无效，可选：{choices_hint(choices)}。")
            return default
        return code

    def day(self, key: str, label: str) -> date | None:
        value = self._raw(key)
        if value is _MISSING:
            return None
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                self.fail(key, f"{label}格式应为 YYYY-MM-DD。")
                return None
        if not in_calendar(day):
            self.fail(key, f"{label}应在 {EARLIEST_DAY.year} 年到 {LATEST_DAY.year} 年之间。")
            return None
        return day

    def clock(self, key: str, label: str) -> time | None:
        value = self._raw(key)
        if value is _MISSING:
            return None
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0)
        try:
            hours, minutes = str(value).split(":")[:2]
            return time(int(hours), int(minutes))
        except ValueError:
            self.fail(key, f"{label}格式应为 HH:MM。")
            return None

    def flag(self, key: str, label: str, *, default: bool) -> bool:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on", "y", "是"):
            return True
        if text in ("0", "false", "no", "off", "n", "否", ""):
            return False
        self.fail(key, f"{label}应为是或否。")
        return default

    def money(self, key: str, label: str, *, maximum_yuan: int) -> int | None:
        """Read an amount in yuan (at most two decimals) and return it in whole fen."""
        value = self._raw(key)
        if value is _MISSING:
            self.fail(key, f"请填写{label}。")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, f"{label}必须是数字（元）。")
            return None
        try:
            yuan = Decimal(str(value))
        except InvalidOperation:
            self.fail(key, f"{label}必须是数字（元）。")
            return None
        if not yuan.is_finite() or yuan <= 0 or yuan > maximum_yuan:
            self.fail(key, f"{label}应大于 0 且不超过 {maximum_yuan} 元。")
            return None
        if yuan != yuan.quantize(Decimal("0.01"), rounding=ROUND_DOWN):
            self.fail(key, f"{label}最多精确到分（两位小数）。")
            return None
        return int(yuan * 100)

    def raise_if_invalid(self) -> None:
        if self.errors:
            field, message = next(iter(self.errors.items()))
            error = InvalidInput(message, field=field)
            error.errors = dict(self.errors)
            raise error


def read_service_type(reader: FieldReader, label: str) -> int | None:
    """Read ``type_id`` and check that it names a service type of the taxonomy."""
    type_id = reader.integer("type_id", label, required=True)
    if type_id is not None and (
        not valid_id(type_id) or db.session.get(ServiceType, type_id) is None
    ):
        reader.fail("type_id", f"请选择有效的{label}。")
    return type_id


def keyword_pattern(text: str) -> str:
    """Return a LIKE pattern for a keyword: 50 characters at most, no wildcards of its own."""
    return "%" + text.strip()[:50].replace("%", "").replace("_", "") + "%"
