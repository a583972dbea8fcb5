"""Helpers for browser tests: sign in, check accessibility and layout, confirm."""

import re

from playwright.sync_api import Error as PlaywrightError


def login(page, username: str, password: str = "demo-pass"):
    """Sign in through the form; returns the page on the role's landing page."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.locator(".alert").all_inner_texts()
    return page


def axe_problems(page, *, impacts=("serious", "critical")) -> list[str]:
    """Return a line per axe-core violation of the given impacts on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in impacts
    ]
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(str(node["target"][0]) for node in violation["nodes"][:5])
        for violation in found
    ]


def axe_check(page, *, impacts=("serious", "critical")) -> None:
    """Fail listing every axe-core violation of the given impacts on the current page."""
    lines = axe_problems(page, impacts=impacts)
    assert not lines, f"accessibility violations on {page.url}:\n" + "\n".join(lines)


def overflow(page) -> int:
    """Return by how many pixels the page is wider than the screen.

    A click that submits a form may still be replacing the page: measure once it has
    loaded, and again if the old page went away under the measurement.
    """
    for _attempt in range(3):
        page.wait_for_load_state()
        try:
            return page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        except PlaywrightError:
            page.wait_for_timeout(200)
    raise AssertionError(f"{page.url} kept navigating; its width could not be measured")


def assert_fits(page) -> None:
    """Fail when the page is wider than the screen (it would scroll sideways)."""
    extra = overflow(page)
    assert extra <= 1, f"{page.url} is {extra}px wider than the screen"


def confirm(page, button_name: str = "确定") -> None:
    """Accept the confirmation dialog that guards an irreversible action."""
    dialog = page.get_by_role("dialog")
    # wait for the page the form posts to: reading the old page's flash meanwhile would
    # race the navigation ("execution context was destroyed")
    with page.expect_navigation():
        dialog.get_by_role("button", name=button_name).click()
    page.wait_for_load_state()


def nav(page, label: str) -> None:
    """Follow a link of the top navigation, opening the collapsed menu on a phone first."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#mainNav.show").wait_for()
    # a link may carry a count after its label (通知 3); grouped links sit in a menu
    name = re.compile(f"^{re.escape(label)}")
    link = page.locator("#mainNav").get_by_role("link", name=name, include_hidden=True).first
    if not link.is_visible():
        inner = page.get_by_role("link", name=name, include_hidden=True)  # relative to a menu
        menu = page.locator("#mainNav .dropdown").filter(has=inner)
        menu.locator(".dropdown-toggle").first.click()
    link.click()
    page.wait_for_load_state()


def flash_text(page) -> str:
    """Return the text of the flashed messages, waiting for the page a click opened."""
    page.wait_for_load_state()
    alerts = page.locator("main .alert")
    alerts.first.wait_for()
    return " ".join(alerts.all_inner_texts())


_OVERLAPS = """
(selector) => {
  const boxes = [...document.querySelectorAll(selector)].map((t) => t.getBoundingClientRect());
  const hits = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 0.5 && h > 0.5) hits.push([i, w, h]);
  }));
  return {count: boxes.length, hits: hits.length};
}
"""


def label_overlaps(page, selector: str) -> dict:
    """Return ``{"count": labels, "hits": overlapping pairs}`` of the elements drawn."""
    return page.evaluate(_OVERLAPS, selector)
