"""Parsing helpers shared by the API route modules."""

from datetime import date

from flask import request

from marketplace.errors import InvalidInput
from marketplace.services.fields import in_calendar
from marketplace.services.pagination import Page


def json_body() -> dict:
    """Return the request's JSON object, or refuse with a readable 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体必须是 JSON 对象（Content-Type: application/json）。")
    return data


def optional_json_body() -> dict:
    """Return the request's JSON object, ``{}`` when there is no body; refuse anything else."""
    if not request.get_data(cache=True):
        return {}
    return json_body()


def date_arg(name: str, default: date) -> date:
    """Return a YYYY-MM-DD query argument within the product's calendar."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"参数 {name} 的格式应为 YYYY-MM-DD。") from None
    if not in_calendar(day):
        raise InvalidInput(f"参数 {name} 超出可用的日期范围。")
    return day


def int_arg(name: str, default: int | None = None, *, minimum: int | None = None) -> int | None:
    """Return an integer query argument, refusing text that is not a number."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"参数 {name} 必须是整数。") from None
    if minimum is not None and value < minimum:
        raise InvalidInput(f"参数 {name} 不能小于 {minimum}。")
    if abs(value) > 2**31 - 1:  # beyond the databases' INTEGER: refuse, do not crash
        raise InvalidInput(f"参数 {name} 过大。")
    return value


def page_json(page: Page, serialize) -> dict:
    """Return a page of items as the API's list envelope."""
    return {
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "results": [serialize(item) for item in page.items],
    }
