"""``python -m marketplace.pairing solve FILE``: solve a JSON instance, no database needed.

Prints ``{"status": "optimal", "total_score": …, "pairs": […]}`` (exit 0) or
``{"status": "infeasible", "reason": "…"}`` (exit 1); a file that cannot be read or is
malformed, or an instance too large for ``--memory-budget`` (MB, default 1024), gets
one line on stderr and exit 2. FILE ``-`` reads standard input. The instance gives
its scores as a matrix (``"scores"``) or as a list of allowed pairs (``"pairs"``).
"""

from __future__ import annotations

import argparse
import json
import sys

from marketplace.pairing.problem import (
    InvalidProblem,
    ProblemTooLarge,
    SolverFailed,
    problem_from_instance,
    result_to_json,
)
from marketplace.pairing.routing import DEFAULT_BUDGET, MIB
from marketplace.pairing.solver import solve


def _read(path: str) -> dict:
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m marketplace.pairing", description="单位与社区结对优化"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    solve_command = commands.add_parser("solve", help="求解一个 JSON 实例文件")
    solve_command.add_argument("file", help="实例文件路径（- 表示标准输入）")
    solve_command.add_argument(
        "--memory-budget",
        type=int,
        default=DEFAULT_BUDGET // MIB,
        metavar="MB",
        help="求解可用的内存上限（MB，默认 %(default)s）",
    )
    arguments = parser.parse_args(argv)
    if arguments.memory_budget <= 0:
        print("错误：--memory-budget 必须是正整数（MB）", file=sys.stderr)
        return 2
    try:
        problem = problem_from_instance(_read(arguments.file))
    except OSError as error:
        print(f"错误：无法读取 {arguments.file}：{error.strerror or error}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        print(f"错误：{arguments.file} 不是有效的 JSON：{error}", file=sys.stderr)
        return 2
    except InvalidProblem as error:
        print(f"错误：实例格式不正确：{error}", file=sys.stderr)
        return 2
    try:
        result = solve(problem, memory_budget=arguments.memory_budget * MIB)
    except (ProblemTooLarge, SolverFailed) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    print(json.dumps(result_to_json(result), ensure_ascii=False))
    return 0 if result.status == "optimal" else 1


if __name__ == "__main__":
    sys.exit(main())
