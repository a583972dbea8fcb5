"""Start-up stays light: creating the app (every `flask` command does) imports no SciPy,
HiGHS, jieba or openpyxl; they load where they are used, so every command starts fast."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ["scipy", "highspy", "jieba", "openpyxl"]

PROBE = """
import json, sys
import marketplace
from marketplace import create_app
app = create_app()
app.cli.list_commands(None)
for name in ("jobs", "db", "search", "pairing", "excel"):
    app.cli.get_command(None, name)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    env = {
        **os.environ,
        "INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}",
        "MARKETPLACE_ENV": "development",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_create_app_imports_no_heavy_library(tmp_path):
    loaded = _modules_after(PROBE, tmp_path)
    assert "flask" in loaded and "marketplace" in loaded
    assert not loaded & set(HEAVY), f"imported at start-up: {sorted(loaded & set(HEAVY))}"


def test_the_heavy_libraries_still_load_where_used(tmp_path):
    code = """
import json, sys
from marketplace.pairing import pricing  # the LP path: SciPy and HiGHS (a tiny solve needs neither)
from marketplace.search.analyzer import query_words
from marketplace.services.ledgers.workbooks import new_workbook
assert query_words("社区会议室")
new_workbook()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""
    assert _modules_after(code, tmp_path) >= set(HEAVY)
