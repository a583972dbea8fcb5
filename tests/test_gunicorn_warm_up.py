"""A new gunicorn worker loads jieba and opens the index before its first request."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HOOK = """
import runpy, sys
settings = runpy.run_path("gunicorn.conf.py")
assert "jieba" not in sys.modules  # importing the app stays light
settings["post_worker_init"](None)
from marketplace.search import analyzer
print("warm" if analyzer._initialised and "jieba" in sys.modules else "cold")
"""


def test_post_worker_init_warms_the_worker(tmp_path):
    env = {
        **os.environ,
        "INSTANCE_DIR": str(tmp_path),
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),  # no index yet: warming must not fail
        "DATABASE_URL": f"sqlite:///{tmp_path / 'warm.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", HOOK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "warm"
