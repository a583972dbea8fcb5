"""The rows of an import sheet: typed cells with 第 n 行 messages, and the import's report."""

from dataclasses import dataclass, field
from datetime import date, datetime

from marketplace.services.fields import in_calendar

LABELS = {"communities": "社区", "units": "驻区单位", "needs": "需求"}


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{LABELS[self.kind]}：共 {self.rows} 行，新增 {self.created}，更新 {self.updated}，"
            f"跳过 {self.skipped}"
        )


class RowReader:
    """Typed access to one row's cells; problems are collected as 第 n 行 messages."""

    def __init__(self, number: int, record: dict, errors: list[str]):
        self.row_number, self.record, self.errors = number, record, errors

    def fail(self, column: str, message: str) -> None:
        self.errors.append(f"第 {self.row_number} 行「{column}」：{message}")

    def text(self, column: str, limit: int, required: bool = False) -> str:
        value = self.record.get(column)
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.fail(column, "不能为空。")
        if len(text) > limit:
            self.fail(column, f"不能超过 {limit} 个字。")
        return text[:limit]

    def number(
        self, column: str, low: float, high: float, integer: bool = False, required: bool = False
    ):
        value = self.record.get(column)
        if value in (None, ""):
            if required:
                self.fail(column, "不能为空。")
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(column, "必须是数字。")
            return None
        if not low <= number <= high or (integer and not number.is_integer()):
            kind = "整数" if integer else "数字"
            self.fail(column, f"应为 {low:g} 到 {high:g} 之间的{kind}。")
            return None
        return int(number) if integer else number

    def label(self, column: str, choices: dict, default=None, required: bool = False):
        text = self.text(column, 20, required)
        if not text:
            return default
        for code, label in choices.items():
            if text in (label, str(code)):
                return code
        self.fail(column, f"无效，可选：{'、'.join(map(str, choices.values()))}。")
        return default

    def day(self, column: str) -> date | None:
        value = self.record.get(column)
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value).strip().replace("/", "-"))
            except ValueError:
                self.fail(column, "日期格式应为 YYYY-MM-DD。")
                return None
        if not in_calendar(value):
            self.fail(column, "日期超出可用范围（2000 年到 2099 年）。")
            return None
        return value
