"""Every audit action code and every field of audit before/after data has a Chinese label.

The codes are collected from the source (``audit.record("need.create", …)`` and the
helpers that pass their ``action`` on to it, f-string prefixes included), so a new code
without a label fails here rather than showing up as ``need.create`` on a staff page.
"""

import ast
from pathlib import Path

from marketplace.services.audit_labels import ACTION_LABELS, FIELD_LABELS, action_label, describe

SOURCE = Path(__file__).resolve().parent.parent / "marketplace"


def _import_kinds():
    from marketplace.services.ledgers.imports import COLUMNS

    return [("kind", kind) for kind in COLUMNS]


def _fund_kinds():
    from marketplace.models.funds import FUND_KINDS

    return [("kind", kind) for kind in FUND_KINDS]


# Codes built at run time from a value that no call site names: pattern → its values.
# (A helper's ``f"hotline.{action}"`` is resolved from its callers instead.)
DYNAMIC_CODES = {"import.{kind}": _import_kinds, "fund.{kind}": _fund_kinds}


def _trees():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_audit_record(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr == "record" and getattr(func.value, "id", "") == "audit"
    return isinstance(func, ast.Name) and func.id == "record"  # inside services/audit.py


def _first_argument(call: ast.Call, position: int = 0):
    return call.args[position] if len(call.args) > position else None


def _helpers(trees) -> dict[str, tuple[int, str]]:
    """Functions passing one of their parameters on as the audit code: name → (index, prefix)."""
    helpers: dict[str, tuple[int, str]] = {}
    changed = True
    while changed:
        changed = False
        for _path, tree in trees:
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef) or function.name in helpers:
                    continue
                params = [arg.arg for arg in function.args.args]
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call):
                        continue
                    position, prefix = (
                        (0, "")
                        if _is_audit_record(call)
                        else helpers.get(_callee(call), (None, ""))
                    )
                    argument = None if position is None else _first_argument(call, position)
                    name, extra = _parameter_of(argument)
                    if name in params:
                        helpers[function.name] = (params.index(name), prefix + extra)
                        changed = True
                        break
    return helpers


def _parameter_of(argument) -> tuple[str | None, str]:
    if isinstance(argument, ast.Name):
        return argument.id, ""
    if isinstance(argument, ast.JoinedStr) and len(argument.values) == 2:
        head, tail = argument.values
        if isinstance(head, ast.Constant) and isinstance(tail, ast.FormattedValue):
            return getattr(tail.value, "id", None), head.value
    return None, ""


def audit_codes() -> dict[str, str]:
    """Every audit code used in the source → where it is used."""
    trees = list(_trees())
    helpers = _helpers(trees)
    codes = {}
    for path, tree in trees:
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            position, prefix = (
                (0, "") if _is_audit_record(call) else helpers.get(_callee(call), (None, ""))
            )
            argument = None if position is None else _first_argument(call, position)
            where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
            for value in _strings(argument):
                helper_made = "{" in value and value not in DYNAMIC_CODES
                if helper_made and position == 0 and _inside_helper(tree, call, helpers):
                    continue  # resolved at the helper's call sites
                codes[prefix + value] = where
    return codes


def _inside_helper(tree, call, helpers) -> bool:
    return any(
        isinstance(node, ast.FunctionDef) and node.name in helpers and call in ast.walk(node)
        for node in ast.walk(tree)
    )


def _strings(argument) -> list[str]:
    """The codes an argument can be: a constant, either branch of ``a if c else b``, or
    an f-string's pattern (``import.{kind}``)."""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value]
    if isinstance(argument, ast.IfExp):
        return _strings(argument.body) + _strings(argument.orelse)
    if isinstance(argument, ast.JoinedStr):
        return ["".join(_pattern_part(part) for part in argument.values)]
    return []


def _pattern_part(part) -> str:
    if isinstance(part, ast.Constant):
        return part.value
    return "{" + ast.unparse(part.value) + "}"


def _expand(codes: dict[str, str]) -> dict[str, str]:
    """Replace each f-string pattern by the codes its values make."""
    expanded = {}
    for code, where in codes.items():
        for pattern, values in DYNAMIC_CODES.items():
            if code == pattern:
                expanded.update({pattern.format(**{key: v}): where for key, v in values()})
                break
        else:
            expanded[code] = where
    return expanded


def test_the_collector_sees_direct_helper_and_prefixed_codes():
    codes = audit_codes()
    assert "service.confirmed" in codes  # audit.record("service.confirmed", …)
    assert "claim.propose" in codes  # _record("claim.propose", …) → audit.record(action, …)
    assert "hotline.dispatched" in codes  # _event(…, "dispatched") → f"hotline.{action}"
    assert "user.disabled" in codes and "user.enabled" in codes  # a if c else b
    assert len(codes) > 60


def test_every_audit_code_has_a_label():
    codes = _expand(audit_codes())
    missing = {code: where for code, where in codes.items() if code not in ACTION_LABELS}
    assert not missing, missing


def _module_constants(tree) -> dict[str, list[str]]:
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Tuple, ast.List)):
            items = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = items
    return constants


def _dict_keys(node) -> list[str]:
    if isinstance(node, ast.Dict):
        return [key.value for key in node.keys if isinstance(key, ast.Constant)]
    return []


def _made_keys(function, constants) -> list[str]:
    """Keys of the dicts a function returns or assigns (``values = {…}``, a snapshot)."""
    keys = []
    for node in ast.walk(function):
        if isinstance(node, (ast.Return, ast.Assign)) and node.value is not None:
            keys += _dict_keys(node.value)
            if isinstance(node.value, ast.Call) and _callee(node.value) == "snapshot":
                keys += _snapshot_keys(node.value, constants)
    return keys


def _snapshot_keys(call, constants) -> list[str]:
    keys = []
    for arg in call.args[1:]:
        if isinstance(arg, ast.Constant):
            keys.append(arg.value)
        elif isinstance(arg, ast.Starred):
            keys += constants.get(getattr(arg.value, "id", ""), [])
    return keys


def _expression_keys(node, function, functions, constants, seen=None) -> list[str]:
    seen = set() if seen is None else seen  # ``after = {**after, …}`` refers to itself
    if id(node) in seen:
        return []
    seen.add(id(node))
    keys = _dict_keys(node)
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            name = _callee(inner)
            if name == "snapshot":
                keys += _snapshot_keys(inner, constants)
            elif name in functions:
                keys += _made_keys(functions[name], constants)
        elif (isinstance(inner, ast.Name) and inner is not node) or isinstance(node, ast.Name):
            target = inner.id if isinstance(inner, ast.Name) else ""
            for assign in ast.walk(function):
                named = isinstance(assign, ast.Assign) and any(
                    getattr(t, "id", None) == target for t in assign.targets
                )
                if named and assign.value is not node:
                    keys += _expression_keys(assign.value, function, functions, constants, seen)
    return keys


def audit_fields() -> dict[str, str]:
    """Every field name written into an entry's before/after data → where."""
    trees = list(_trees())
    helpers = _helpers(trees)
    fields = {}
    for path, tree in trees:
        constants = _module_constants(tree)
        functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        for function in functions.values():
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                where = f"{path.relative_to(SOURCE.parent)}:{call.lineno}"
                if _is_audit_record(call):
                    for keyword in call.keywords:
                        if keyword.arg in ("before", "after"):
                            for key in _expression_keys(
                                keyword.value, function, functions, constants
                            ):
                                fields.setdefault(key, where)
                elif _callee(call) in helpers:
                    for keyword in call.keywords:  # a helper's **extra lands in "after"
                        if keyword.arg and keyword.arg not in ("detail", "actor"):
                            fields.setdefault(keyword.arg, where)
    return fields


def test_every_audit_field_has_a_label():
    fields = audit_fields()
    assert {"status", "claimed", "starts_at", "replaced_by"} <= set(fields)
    missing = {key: where for key, where in fields.items() if key not in FIELD_LABELS}
    assert not missing, missing


def test_values_are_shown_in_words():
    assert action_label("claim.accept") == "接受认领"
    assert action_label("something.new") == "something.new"
    assert describe(
        {"status": "proposed", "need_status": "partly_claimed", "claimed": 3}, "claim"
    ) == [
        ("状态", "待确认"),
        ("需求状态", "部分认领"),
        ("已认领", "3"),
    ]
    assert describe({"status": "superseded", "total_score": 41.5}, "pairing_plan") == [
        ("状态", "已被替代"),
        ("总分", "41.5"),
    ]
    assert describe({"starts_at": "2026-03-01T02:00:00+00:00", "active": False}) == [
        ("开始时间", "2026-03-01 10:00"),
        ("启用", "否"),
    ]
    assert describe({"service": 12, "quarters_compliant": 10.0}) == [
        ("志愿服务", "12"),
        ("对接活动达标季度", "10.0"),
    ]
    assert describe(None) == []
