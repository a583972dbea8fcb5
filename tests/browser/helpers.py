"""Helpers for browser tests: sign in, check accessibility and layout, confirm."""

import re


def login(page, username: str, password: str = "demo-pass"):
    """Sign in through the form; returns the page on the role's landing page."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator(".alert").all_inner_texts()
    return page


def axe_check(page, *, impacts=("serious", "critical")) -> None:
    """Fail listing every axe-core violation of the given impacts on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in impacts
    ]
    lines = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in found
    ]
    assert not found, f"accessibility violations on {page.url}:\n" + "\n".join(lines)


def assert_fits(page) -> None:
    """Fail when the page is wider than the screen (it would scroll sideways)."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


def confirm(page, button_name: str = "确定") -> None:
    """Accept the confirmation dialog that guards an irreversible action."""
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name=button_name).click()
    page.wait_for_load_state()


def nav(page, label: str) -> None:
    """Follow a link of the top navigation, opening the collapsed menu on a phone first."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#mainNav.show").wait_for()
    # a link may carry a count after its label (通知 3)
    page.locator("#mainNav").get_by_role("link", name=re.compile(f"^{re.escape(label)}")).click()
    page.wait_for_load_state()


def flash_text(page) -> str:
    """Return the text of the flashed messages, waiting for the page a click opened."""
    page.wait_for_load_state()
    alerts = page.locator("main .alert")
    alerts.first.wait_for()
    return " ".join(alerts.all_inner_texts())
