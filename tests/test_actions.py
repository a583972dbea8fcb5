"""The one "run a service and answer" helper, and the error handler's rollback."""

import pytest
from flask import get_flashed_messages
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, select
from wtforms import StringField

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.models import AuditEntry, ThrottleCounter
from marketplace.web.actions import act
from marketplace.web.form_rules import ChineseForm


class TitleForm(ChineseForm):
    title = StringField("标题")


def _half_made_change(key: str = "half-made") -> None:
    """Add a row the way a service would before it refuses (flushed, not committed)."""
    from marketplace.extensions import db

    db.session.add(ThrottleCounter(key=key, count=0, window_started=0.0, blocked_until=0.0))
    db.session.flush()


def _refuse(error):
    def action():
        _half_made_change()
        raise error

    return action


def _rows() -> int:
    from marketplace.extensions import db

    return db.session.scalar(select(func.count()).select_from(ThrottleCounter))


def test_success_flashes_and_redirects_to_the_target_of_the_result(app):
    with app.test_request_context("/", method="POST"):
        answer = act(lambda: 7, lambda n: f"已处理 {n} 条。", target=lambda n: f"/done/{n}")
        assert (answer.status_code, answer.location) == (302, "/done/7")
        assert get_flashed_messages() == ["已处理 7 条。"]


def test_bad_input_re_renders_the_form_in_place_with_the_message_beside_its_field(app):
    with app.test_request_context("/", method="POST", data={"title": "typed"}):
        form = TitleForm(meta={"csrf": False})
        page, status = act(
            _refuse(InvalidInput("标题太长。", field="title")),
            "不应出现",
            form=form,
            page=lambda: ("again", 400),
            target="/never",
        )
        assert (page, status) == ("again", 400)
        assert form.title.errors == ["标题太长。"] and form.title.data == "typed"
        assert _rows() == 0, "the refused change was rolled back"


def test_a_hand_written_form_gets_errors_and_the_values_typed(app):
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"t.html": "{{ errors['_'] }}|{{ values.get('x') }}"}), app.jinja_env.loader]
    )
    with app.test_request_context("/", method="POST", data={"x": "留着"}):
        page, status = act(
            _refuse(InvalidInput("请检查。")), "不应出现", template="t.html", target="/never"
        )
        assert (page, status) == ("请检查。|留着", 400) and _rows() == 0


def test_a_conflict_is_flashed_and_the_user_sent_back(app):
    with app.test_request_context("/", method="POST"):
        answer = act(_refuse(Conflict("已被认领。")), "不应出现", target="/never", back="/need/1")
        assert (answer.status_code, answer.location) == (302, "/need/1")
        assert get_flashed_messages() == ["已被认领。"] and _rows() == 0


def test_a_refusal_goes_on_to_the_error_handler(app):
    with app.test_request_context("/", method="POST"), pytest.raises(Forbidden):
        act(_refuse(Forbidden("不行。")), "不应出现", target="/never")


@pytest.fixture
def refusing_app(app):
    def refused():
        _half_made_change()
        raise Forbidden("只能管理本社区的需求。")

    app.add_url_rule("/_test/refused", "test_refused", refused, methods=["GET"])
    return app


def test_the_error_handler_rolls_back_before_it_audits_the_refusal(refusing_app, db):
    answer = refusing_app.test_client().get("/_test/refused")
    assert answer.status_code == 403 and "只能管理本社区的需求" in answer.get_data(as_text=True)
    db.session.remove()
    assert _rows() == 0, "the audit entry's commit must not carry the half-made change"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1
