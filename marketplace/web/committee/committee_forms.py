"""Forms of the 大党委 pages; their rules are the service's (``fields.COMMITTEE``)."""

from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from marketplace.models.committee import MEMBER_ORIGINS, ORG_KINDS
from marketplace.services.fields import COMMITTEE
from marketplace.web.form_rules import ChineseForm, text_field


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class MemberForm(ChineseForm):
    name = text_field(COMMITTEE["name"])
    origin = SelectField(
        "身份",
        choices=[SelectChoice("", "请选择")]
        + [SelectChoice(k, v) for k, v in MEMBER_ORIGINS.items()],
        validators=[DataRequired("请选择身份。")],
    )
    from_unit_id = SelectField("来自单位", coerce=_optional_int, validators=[Optional()])
    organisation = text_field(
        COMMITTEE["organisation"], description="不是驻区单位时填写，如：城关派出所、某物业公司。"
    )
    post = text_field(COMMITTEE["post"], description="如：平安建设委员、物业协调委员。")
    duties = text_field(COMMITTEE["duties"], TextAreaField, render_kw={"rows": 2})
    secretary_seat = text_field(
        COMMITTEE["secretary_seat"], description="双向进入：社区书记在其单位党组织的职务。"
    )
    joined_on = DateField("任职日期", validators=[Optional()])
    submit = SubmitField("任命兼职委员")

    def fill_units(self, units) -> None:
        self.from_unit_id.choices = [SelectChoice(None, "不是驻区单位")] + [
            SelectChoice(u.id, u.name) for u in units
        ]


class OrgForm(ChineseForm):
    kind = SelectField(
        "组织类别",
        choices=[SelectChoice("", "请选择")] + [SelectChoice(k, v) for k, v in ORG_KINDS.items()],
        validators=[DataRequired("请选择组织类别。")],
    )
    org_name = text_field(COMMITTEE["org_name"])
    submit = SubmitField("加入大党委")
