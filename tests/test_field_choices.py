"""Every enumerated field accepts its code or its Chinese label; a refusal lists both.

The fields are found in the source (every ``reader.choice(key, label, CHOICES)`` of the
services), so a new enumerated field is covered without being listed here.
"""

import ast
import importlib
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.errors import InvalidInput
from marketplace.models import Need
from marketplace.services.fields import FieldReader, read_choice
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_need, make_user, service_type
from tests.helpers.api import Api
from tests.oversight_helpers import PairWorld

SERVICES = Path(__file__).resolve().parent.parent / "marketplace" / "services"


def _choice_fields():
    """(module, key, label, choices) of every ``reader.choice`` call of the services."""
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = importlib.import_module(
            ".".join(path.relative_to(SERVICES.parent.parent).with_suffix("").parts)
        )
        for call in ast.walk(tree):
            func = getattr(call, "func", None)
            if not (isinstance(func, ast.Attribute) and func.attr == "choice"):
                continue
            if len(call.args) < 3 or not all(isinstance(a, ast.Constant) for a in call.args[:2]):
                continue
            choices = eval(compile(ast.Expression(call.args[2]), str(path), "eval"), vars(module))
            found.append((module.__name__, call.args[0].value, call.args[1].value, choices))
    return found


FIELDS = _choice_fields()


def test_the_enumerated_fields_are_found():
    keys = {(module.rsplit(".", 1)[-1], key) for module, key, _label, _choices in FIELDS}
    assert {("pair_activities", "kind"), ("needs", "measure_unit"), ("hotline", "urgency")} <= keys


@pytest.mark.parametrize(("module", "key", "label", "choices"), FIELDS, ids=lambda v: str(v)[:30])
def test_each_enumerated_field_takes_its_code_or_its_label(module, key, label, choices):
    for code, name in choices.items():
        assert FieldReader({key: code}).choice(key, label, choices) == code
        assert FieldReader({key: f" {name} "}).choice(key, label, choices) == code
    reader = FieldReader({key: "不存在的选项"})
    assert reader.choice(key, label, choices, default="") == ""
    code, name = next(iter(choices.items()))
    expected = code if code == name else f"{code}（{name}）"
    assert reader.errors[key].startswith(f"{label}无效，可选：{expected}")


def test_a_filter_refusal_lists_codes_with_labels():
    with pytest.raises(InvalidInput) as refused:
        read_choice("nope", "资源类别", {"facility": "场地设施", "service": "服务项目"}, "kind")
    assert (
        refused.value.message == "资源类别无效，可选：facility（场地设施）、service（服务项目）。"
    )
    assert refused.value.field == "kind"


def test_a_pair_activity_is_logged_by_the_kind_s_chinese_name(app, client, db):
    world = PairWorld()
    api = Api(client, world.unit_user)
    body = {"date": county_today().isoformat(), "title": "结对志愿服务", "kind": "志愿服务"}
    response = api.post("/pair-activities", {**body, "community_id": world.community.id})
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "volunteering"
    refused = api.post(
        "/pair-activities", {**body, "kind": "联欢", "community_id": world.community.id}
    )
    assert refused.status_code == 400 and refused.json["field"] == "kind"
    assert refused.json["error"] == (
        "活动形式无效，可选：party_day（主题党日）、volunteering（志愿服务）、"
        "symposium（座谈）、project（共建项目）。"
    )


def test_lists_filter_by_a_status_s_chinese_name(app, client, db):
    make_need(quantity=4)
    published = db.session.scalars(select(Need.id).where(Need.status == "published")).all()
    anonymous = Api(client)
    by_name = anonymous.get("/needs", status="已发布")
    assert by_name.status_code == 200, by_name.json
    assert sorted(item["id"] for item in by_name.json["results"]) == sorted(published)
    refused = anonymous.get("/needs", status="draft")
    assert refused.status_code == 400 and "published（" in refused.json["error"]


def test_a_need_takes_its_measure_unit_by_name(app, client, db):
    api = Api(client, make_user("community"))
    body = {"type_id": service_type().id, "title": "助老陪诊", "quantity": 3, "urgency": 1}
    response = api.post("/needs", {**body, "measure_unit": "人次"})
    assert response.status_code == 201, response.json
    assert db.session.get(Need, response.json["id"]).measure_unit == "people"
