"""A resident finds a room and asks for it; the unit sees the count and answers."""

from datetime import timedelta

from sqlalchemy import select

from tests.browser.helpers import assert_fits, axe_check, confirm, flash_text, login

CARD = {1366: 0, 390: 1}  # each width books a different facility


def _owner_and_day(live_server, offer_id: int) -> tuple[str, str]:
    """Return the owning unit's login and an open day after today (today may be over)."""
    from marketplace import clock
    from marketplace.extensions import db
    from marketplace.models import Offer, User
    from marketplace.services.exchange.bookings import next_open_day

    with live_server.app.app_context():
        offer = db.session.get(Offer, offer_id)
        day = next_open_day(offer, clock.today() + timedelta(days=1))
        username = db.session.scalar(select(User.username).where(User.unit_id == offer.unit_id))
        return username, day.isoformat()


def _ask(page, day: str, name: str, start: str, end: str) -> None:
    page.get_by_label("日期", exact=True).fill(day)
    page.get_by_label("开始时间").select_option(start)
    page.get_by_label("结束时间").select_option(end)
    page.get_by_label("联系人").fill(name)
    page.get_by_label("联系电话").fill("13800001234")
    page.get_by_label("用途").fill("社区党员学习会")
    page.get_by_role("button", name="提交预约申请").click()
    problems = page.locator(".invalid-feedback, .alert").all_inner_texts()
    assert "预约申请已提交" in page.locator("h1").inner_text(), problems


def test_resident_books_a_room_and_the_unit_answers(page_at, width, live_server):
    resident = page_at(width)
    resident.goto("/")
    resident.goto("/facilities")
    resident.get_by_label("场地类型").select_option("meeting_room")
    with resident.expect_navigation():
        resident.get_by_role("button", name="查找").click()
    assert_fits(resident)
    axe_check(resident)
    card = resident.locator(".card", has=resident.get_by_role("link", name="预约使用")).nth(
        CARD[width]
    )
    card.get_by_role("link", name="预约使用").click()
    offer_id = int(resident.url.rstrip("/").split("/")[-1])
    axe_check(resident)
    owner, day = _owner_and_day(live_server, offer_id)
    _ask(resident, day, f"王一{width}", "09:00", "10:00")
    resident.go_back()
    _ask(resident, day, f"李二{width}", "14:00", "15:00")

    unit = login(page_at(width), owner)
    waiting = unit.get_by_role("status")
    assert "2 条场地预约申请等待答复" in waiting.inner_text()
    waiting.get_by_role("link", name="去答复").click()
    assert_fits(unit)
    axe_check(unit)

    row = unit.locator("tr", has_text=f"王一{width}")
    accept = row.get_by_role("button", name="接受")
    if width < 576:  # a card per booking: header hidden, every action on screen
        assert not unit.locator("thead").first.is_visible()
        box = accept.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
    with unit.expect_navigation():
        accept.click()
    assert "已接受预约" in flash_text(unit)

    unit.goto("/unit/bookings/?status=requested")
    unit.locator("tr", has_text=f"李二{width}").get_by_role("button", name="婉拒").click()
    confirm(unit)
    assert "已婉拒预约" in flash_text(unit)
    unit.goto("/unit/")
    assert unit.get_by_role("status").count() == 0  # nothing left waiting
