"""Forms of the escalation and joint-meeting pages, built from the rule tables.

Nothing is chosen for the user: every unit, need or owner list starts on a placeholder
that is refused with a message when submitted as it is.
"""

from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from marketplace.services.fields import ESCALATION, MEETING, RATING
from marketplace.web.form_rules import ChineseForm, text_field

PICK_UNIT = SelectChoice("", "请选择单位")


def placeholder_choices(placeholder: SelectChoice, rows) -> list[SelectChoice]:
    """Return ``rows`` ((value, label) pairs) as choices after a placeholder."""
    return [placeholder, *(SelectChoice(str(value), label) for value, label in rows)]


class EscalateForm(ChineseForm):
    """The reason a community (or a township, to the county) gives for escalating."""

    reason = text_field(ESCALATION["reason"], label="上报理由")
    submit = SubmitField("上报")


class EscalateNeedForm(EscalateForm):
    need_id = SelectField(
        "上报本社区的待认领需求", validators=[DataRequired("请选择要上报的需求。")]
    )

    def with_needs(self, needs) -> "EscalateNeedForm":
        rows = [(need.id, need.title) for need in needs]
        self.need_id.choices = placeholder_choices(SelectChoice("", "请选择需求"), rows)
        return self


class AssignForm(ChineseForm):
    unit_id = SelectField("承接单位", validators=[DataRequired("请选择承接单位。")])
    submit = SubmitField("统筹安排")

    def with_suggestions(self, suggestions) -> "AssignForm":
        rows = [
            (row.unit.id, f"{row.unit.name}（{row.reason}，在办 {row.open_load} 项）")
            if row.suggested
            else (row.unit.id, f"{row.unit.name}（在办 {row.open_load} 项）")
            for row in suggestions
        ]
        self.unit_id.choices = placeholder_choices(PICK_UNIT, rows)
        return self


class AnswerForm(ChineseForm):
    note = text_field(
        ESCALATION["note"], TextAreaField, label="说明（不能承接时必填）", render_kw={"rows": 2}
    )


class ActionItemForm(ChineseForm):
    title = text_field(MEETING["item_title"])
    owner_unit_id = SelectField("责任单位", validators=[Optional()])
    owner_name = text_field(MEETING["owner_name"], description="未选择责任单位时必填。")
    due_on = DateField(
        "完成期限", validators=[Optional()], format="%Y-%m-%d", render_kw={"type": "date"}
    )
    submit = SubmitField("添加事项")

    def with_units(self, units) -> "ActionItemForm":
        rows = [(unit.id, unit.name) for unit in units]
        self.owner_unit_id.choices = placeholder_choices(
            SelectChoice("", "（不指定，填写责任人）"), rows
        )
        return self

    def to_request(self) -> dict:
        return {
            "title": self.title.data,
            "owner_unit_id": self.owner_unit_id.data or None,
            "owner_name": self.owner_name.data or "",
            "due_on": self.due_on.data.isoformat() if self.due_on.data else None,
        }


STAR_CHOICES = [SelectChoice(str(n), "★" * n + f" {n} 星") for n in (5, 4, 3, 2, 1)]


class GradeForm(ChineseForm):
    """A yearly grade of one paired unit or community: no star count chosen beforehand.

    One form per pair on the page, told apart by the prefix ``g<id>`` of its fields."""

    stars = SelectField(
        "评分",
        choices=[SelectChoice("", "请选择评分"), *STAR_CHOICES],
        validators=[DataRequired("请选择评分。")],
    )
    comment = text_field(RATING["comment"], TextAreaField, render_kw={"rows": 2})
    submit = SubmitField("提交评议")
