"""Real-browser tests: Playwright for Python driving the system's Chromium.

Nothing is downloaded: the browser is Debian's ``/usr/bin/chromium`` (or ``$CHROMIUM``),
started once per test session (per xdist worker). Without it the tests skip with a reason,
and with ``REQUIRE_BROWSER=1`` (CI) they fail instead.

Fixtures and helpers for new browser tests (see also tests/browser/README.md):

``live_server``
    The app serving a fresh demo county (SQLite, search index built, CSRF on) on a free
    localhost port, in a thread, once per worker. ``live_server.url`` is its base URL,
    ``live_server.app`` the Flask app (use ``with live_server.app.app_context():`` to look
    at rows). Tests share it: each test works on its own demo accounts and rows (pick a
    community or unit no other test uses, e.g. by ``width``), so order never matters.
``width``
    Parametrises a test over the two screen widths, 1366 (desktop) and 390 (phone).
``page_at(width)``
    A new page in its own browser context (own cookies) at that width, base URL set.
``login(page, username, password="demo-pass")``
    Signs in through the login form and waits for the role's landing page.
``axe_check(page)``
    Runs axe-core on the current page; fails listing every serious or critical violation.
``assert_fits(page)``
    Fails when the page scrolls sideways (something wider than the screen).
``confirm(page)``
    Accepts the in-page confirmation dialog that guards irreversible actions.
"""

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

HEIGHTS = {1366: 900, 390: 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "browser-test-secret-key-that-is-long-enough-0123456789"


def chromium_path() -> str | None:
    """Return the system Chromium to drive, or None when it is not installed."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in ("chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _missing(reason: str):
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (per worker)."""
    path = chromium_path()
    if path is None:
        _missing("Chromium is not installed (apt-get install chromium): browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    url: str
    app: object


def _prepare_database(app) -> None:
    from flask_migrate import upgrade

    from marketplace.demo.county import load_demo_county
    from marketplace.extensions import db
    from marketplace.services.search import search_index

    upgrade()
    load_demo_county()
    search_index.rebuild()
    db.session.remove()


@pytest.fixture(scope="session")
def live_server(browser, tmp_path_factory):
    """The app with a fresh demo county on a free localhost port, in a thread."""
    from werkzeug.serving import make_server

    from marketplace import create_app

    workdir = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'live.db'}",
            "SEARCH_INDEX_DIR": str(workdir / "search-index"),
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        _prepare_database(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(params=[1366, 390], ids=["desktop", "phone"])
def width(request) -> int:
    return request.param


def _note_failed_resource(response, errors: list[str]) -> None:
    """Remember a stylesheet, script, image or icon that failed to load."""
    if response.status >= 400 and response.request.resource_type != "document":
        errors.append(f"{response.status} {response.url}")


@pytest.fixture
def page_at(browser, live_server):
    """Return a factory of pages, each in its own context, at a given screen width."""
    contexts = []

    def _page_at(screen_width: int, *, javascript: bool = True):
        context = browser.new_context(
            viewport={"width": screen_width, "height": HEIGHTS.get(screen_width, 900)},
            base_url=live_server.url,
            locale="zh-CN",
            java_script_enabled=javascript,
            is_mobile=screen_width < 576,
            has_touch=screen_width < 576,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda response: _note_failed_resource(response, errors))
        return page

    errors: list[str] = []
    yield _page_at
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors or missing files on the page: {errors}"
