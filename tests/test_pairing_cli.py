"""The command lines: ``python -m marketplace.pairing solve FILE`` and ``flask pairing run``."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def _solve_cli(instance: dict, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "marketplace.pairing", "solve", "-", *extra],
        input=json.dumps(instance),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_a_pair_list_instance_is_solved_like_its_matrix():
    pairs = [
        [unit["id"], community["id"], score]
        for unit, row in zip(FEASIBLE["units"], FEASIBLE["scores"], strict=True)
        for community, score in zip(FEASIBLE["communities"], row, strict=True)
        if score is not None
    ]
    sparse = {key: value for key, value in FEASIBLE.items() if key != "scores"}
    done = _solve_cli({**sparse, "pairs": pairs})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(_solve_cli(FEASIBLE).stdout)


def test_a_dense_capacity_two_instance_is_solved_and_a_tight_budget_refuses_it_in_one_line():
    # 100 communities × 800 units, every unit capacity 2: once a MemoryError traceback.
    rng = np.random.default_rng(9)
    instance = {
        "units": [{"id": f"u{i}", "capacity": 2} for i in range(800)],
        "communities": [{"id": f"c{j}", "min": 16, "max": 16} for j in range(100)],
        "scores": rng.random((800, 100)).round(4).tolist(),
    }
    done = _solve_cli(instance)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["pairs"]) == 1600
    done = _solve_cli(instance, "--memory-budget", "5")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "实例太大" in done.stderr and "超过预算 5 MB" in done.stderr
