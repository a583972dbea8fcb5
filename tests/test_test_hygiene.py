"""Tests that can hang are refused: every barrier and thread join in tests has a timeout.

(A deadlocked race test would hang the suite instead of failing.)
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def test_barriers_and_joins_have_timeouts():
    offenders = []
    for path in sorted(TESTS.glob("*.py")):
        for call in _calls(path):
            keywords = {keyword.arg for keyword in call.keywords}
            name = call.func.attr
            if name == "Barrier" and "timeout" not in keywords and len(call.args) < 3:
                offenders.append(f"{path.name}:{call.lineno} Barrier without timeout")
            if name == "join" and not call.args and "timeout" not in keywords:
                offenders.append(f"{path.name}:{call.lineno} join() without timeout")
    assert offenders == []
