"""Forms of the 志愿服务110 pages; their rules are the service's (``fields.HOTLINE``)."""

from wtforms import (
    DecimalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.models.hotline import HOTLINE_SERVICES, URGENCIES
from marketplace.services.fields import HOTLINE
from marketplace.web.form_rules import ChineseForm, text_field


def _choices(mapping) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in mapping.items()]


class IntakeForm(ChineseForm):
    service_code = SelectField(
        "服务类别", choices=_choices({k: v[0] for k, v in HOTLINE_SERVICES.items()})
    )
    description = text_field(HOTLINE["description"], TextAreaField, render_kw={"rows": 4})
    community_id = SelectField("所在社区", coerce=str, validators=[Optional()])
    address_string = text_field(HOTLINE["address_string"], label="地址（不在列表中的社区请填写）")
    first_name = text_field(HOTLINE["first_name"], description="如：李阿姨")
    phone = text_field(HOTLINE["phone"], description="只给调度员和上门的服务队使用，不会公开。")
    urgency = SelectField("紧急程度", choices=_choices(URGENCIES), default="normal")
    submit = SubmitField("提交求助")

    def with_communities(self, communities: list[tuple[int, str]]) -> "IntakeForm":
        self.community_id.choices = [SelectChoice("", "（请选择）")] + [
            SelectChoice(str(cid), name) for cid, name in communities
        ]
        return self

    def to_request(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()}
        data["community_id"] = self.community_id.data or None
        return data


class DispatchForm(ChineseForm):
    team_id = SelectField("派给服务队", coerce=str, validators=[DataRequired("请选择服务队。")])
    submit = SubmitField("派单")


class DeclineForm(ChineseForm):
    reason = text_field(HOTLINE["reason"])
    submit = SubmitField("退单")


class ServeForm(ChineseForm):
    summary = text_field(HOTLINE["summary"], TextAreaField, render_kw={"rows": 3})
    hours = DecimalField(
        "服务时长（小时）", places=1, validators=[DataRequired("请填写服务时长（小时）。")]
    )
    member_ids = SelectMultipleField(
        "参与服务的队员",
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )
    submit = SubmitField("登记服务")


class FollowUpForm(ChineseForm):
    satisfaction = SelectField(
        "满意度",
        choices=[SelectChoice(str(n), f"{n} 星") for n in (5, 4, 3, 2, 1)],
        default="5",
    )
    resolved = RadioField(
        "问题是否解决",
        choices=[SelectChoice("yes", "已解决"), SelectChoice("no", "未解决（重新派单）")],
        default="yes",
    )
    note = text_field(HOTLINE["note"], TextAreaField, render_kw={"rows": 2})
    submit = SubmitField("记录回访")
