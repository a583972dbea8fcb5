"""The oversight calendar: quarters, months and the years a record may be asked about.

The date itself comes from the county clock (``marketplace.clock.today``).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from marketplace import clock
from marketplace.errors import InvalidInput

QUARTERS = (1, 2, 3, 4)
MONTHS = tuple(range(1, 13))
# The years any page, export or API answer accepts: from the first year the county could
# have a record to next year (next year's plans and weights are prepared in advance).
MIN_YEAR = 2000
# Every pair acts at least once a quarter (每季度至少开展一次对接活动); the reminder goes
# out this many days before a quarter ends.
REMIND_DAYS_BEFORE_QUARTER_END = 15


# An alias kept while parallel work still imports it; new code calls ``clock.today``.
county_today = clock.today


def latest_year() -> int:
    """Return the last year a record may be asked about: next year, in county time."""
    return clock.today().year + 1


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def ends_on(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year} 年第 {self.number} 季度"

    def is_over(self, today: date) -> bool:
        return self.ends_on < today

    def has_started(self, today: date) -> bool:
        return self.starts_on <= today


def quarter_of(day: date) -> Quarter:
    """Return the quarter ``day`` falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def year_quarters(year: int) -> list[Quarter]:
    """Return the four quarters of ``year``."""
    return [Quarter(year, number) for number in QUARTERS]


def month_over(year: int, month: int, today: date) -> bool:
    """Tell whether the month has ended by ``today``."""
    return (year, month) < (today.year, today.month)


def check_year(value, default: int | None = None) -> int:
    """Return ``value`` as a year the product accepts, or refuse in Chinese."""
    if value in (None, ""):
        return default if default is not None else clock.today().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("年份必须是整数。", field="year") from None
    if not MIN_YEAR <= year <= latest_year():
        raise InvalidInput(f"年份应在 {MIN_YEAR} 到 {latest_year()} 之间。", field="year")
    return year


def check_quarter(value) -> int | None:
    """Return ``value`` as a quarter 1–4 (None when not given), or refuse in Chinese."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("季度必须是 1 到 4 的整数。", field="quarter") from None
    if number not in QUARTERS:
        raise InvalidInput("季度必须是 1 到 4 的整数。", field="quarter")
    return number
