"""The command lines: ``python -m marketplace.pairing solve FILE`` and ``flask pairing run``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEASIBLE = {
    "units": [{"id": "u1", "capacity": 1}, {"id": "u2"}, {"id": "u3"}],
    "communities": [{"id": "c1", "min": 1, "max": 2}, {"id": "c2", "min": 1, "max": 1}],
    "scores": [[0.7, None], [0.6, 0.2], [0.5, 0.9]],
    "pinned": [["u1", "c1"]],
}


def test_optimal_instance_prints_the_answer_and_exits_0(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "marketplace.pairing", "solve", str(tmp_path / "i.json")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        input="",
        timeout=60,
    )
    assert done.returncode == 2  # not written yet: unreadable file
    (tmp_path / "i.json").write_text(json.dumps(FEASIBLE), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "marketplace.pairing", "solve", str(tmp_path / "i.json")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "optimal"
    assert answer["pairs"] == [["u1", "c1"], ["u2", "c1"], ["u3", "c2"]]
    assert answer["total_score"] == pytest.approx(0.7 + 0.6 + 0.9)


def test_solving_does_not_import_flask_or_sqlalchemy(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(FEASIBLE), "utf-8")
    code = (
        "import sys; from marketplace.pairing.__main__ import main; "
        "status = main(['solve', sys.argv[1]]); "
        "loaded = sorted({'flask', 'sqlalchemy'} & set(sys.modules)); "
        "print('LOADED', loaded, file=sys.stderr); sys.exit(status or (3 if loaded else 0))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"


def test_infeasible_instance_prints_status_and_reason_and_exits_1(tmp_path):
    communities = [{"id": "c1", "min": 3, "max": 3}, {"id": "c2", "min": 1, "max": 1}]
    instance = {**FEASIBLE, "communities": communities}
    done = subprocess.run(
        [sys.executable, "-m", "marketplace.pairing", "solve", "-"],
        input=json.dumps(instance),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1
    answer = json.loads(done.stdout)
    assert answer["status"] == "infeasible" and set(answer) == {"status", "reason"}
    assert "最少结对数合计 4" in answer["reason"]


@pytest.mark.parametrize(
    "content",
    ["{not json", json.dumps({"units": []}), json.dumps({**FEASIBLE, "pinned": [["u9", "c1"]]})],
)
def test_malformed_file_gets_one_line_on_stderr_and_exit_2(tmp_path, content):
    done = subprocess.run(
        [sys.executable, "-m", "marketplace.pairing", "solve", "-"],
        input=content,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("错误")


def test_flask_pairing_run_prints_a_summary_per_community(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["pairing", "run", "--min", "8", "--max", "8"])
    assert result.exit_code == 0, result.output
    assert "11 个社区，88 家单位，共 88 个结对" in result.output
    assert result.output.count("（8 家，得分") == 11
    assert "覆盖" in result.output and "未覆盖需求" in result.output


def test_flask_pairing_run_exits_1_with_one_line_when_infeasible(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["pairing", "run", "--min", "9", "--max", "9"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "无法结对：各社区最少结对数合计 99，但单位最多只能提供 88 个结对"
    ]
