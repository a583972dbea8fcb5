"""An installed wheel runs without the checkout: templates and static travel inside it.

Builds the wheel from a copy of the sources (offline, with the shared environment's
setuptools), installs it into a fresh virtual environment whose only link to the shared
one is a ``.pth`` line for the third-party dependencies (no network, no checkout on the
path), then migrates a new database, loads the demo county and serves pages through
``flask --app marketplace run``.
"""

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "README.md", "marketplace", "templates", "static")
pytestmark = pytest.mark.slow


def _run(*command, **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> tuple[int, str]:
    """GET ``url``, retrying while the server is still starting (until ``deadline``)."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                return answer.status, answer.read().decode("utf-8")
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Return the python of a fresh venv with the built wheel installed (and no checkout)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    pip = (sys.executable, "-m", "pip")
    _run(*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(work / "dist"), str(source))  # fmt: skip
    (wheel,) = (work / "dist").glob("marketplace-*.whl")
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    purelib = _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib.strip()) / "shared_dependencies.pth").write_text("\n".join(sorted(shared)))
    _run(*pip, "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
         str(wheel))  # fmt: skip
    return python


def test_the_installed_wheel_migrates_loads_the_demo_and_serves_pages(installed, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "DATABASE_URL", "FLASK_APP")
    }
    env |= {
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'county.db'}",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SEARCH_INDEXER": "off",
    }
    run = {"cwd": tmp_path, "env": env}  # not the checkout: nothing imports from it
    where = _run(str(installed), "-c", "import marketplace; print(marketplace.__file__)", **run)
    assert str(installed.parent.parent) in where and str(ROOT) not in where
    flask = (str(installed), "-m", "flask", "--app", "marketplace")
    _run(*flask, "db", "upgrade", **run)
    _run(*flask, "demo", "load", **run)
    port = _free_port()
    server = subprocess.Popen(
        [*flask, "run", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **run,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        status, home = _get(f"http://127.0.0.1:{port}/", deadline)
        assert status == 200 and "社区" in home and "/static/css/app.css" in home
        status, css = _get(f"http://127.0.0.1:{port}/static/css/app.css", deadline)
        assert status == 200 and css.strip()
        status, stats = _get(f"http://127.0.0.1:{port}/api/v1/stats", deadline)
        assert status == 200 and '"units":88' in stats.replace(" ", "")
    finally:
        server.terminate()
        server.wait(timeout=30)
