"""Read typed values out of a form or JSON mapping, collecting Chinese messages per field.

Services validate their input here so pages and the API refuse the same things with the
same words. A ``FieldReader`` gathers every problem; ``raise_if_invalid`` turns them into
one ``InvalidInput`` whose ``field`` is the first bad key and whose ``errors`` holds all.
"""

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import ServiceType
from marketplace.services.access import valid_id

_MISSING = object()


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
        value = self._raw(key)
        if value is _MISSING:
            if default is None:
                self.fail(key, f"请选择{label}。")
            return default
        if not isinstance(value, str) or value not in choices:
            self.fail(key, f"{label}无效，可选：{'、'.join(str(v) for v in choices.values())}。")
            return default
        return value

    def day(self, key: str, label: str) -> date | None:
        value = self._raw(key)
        if value is _MISSING:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(key, f"{label}格式应为 YYYY-MM-DD。")
            return None

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
