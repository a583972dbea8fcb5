"""Forms of the funds pages; their rules are the service's (``fields.FUNDS``)."""

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from marketplace.models.funds import BUDGET_SOURCES, FUND_KINDS
from marketplace.services.fields import FUNDS
from marketplace.web.form_rules import ChineseForm, text_field


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class FundEntryForm(ChineseForm):
    kind = SelectField("类别", validators=[DataRequired("请选择类别。")])
    community_id = SelectField("社区", coerce=_optional_int, validators=[Optional()])
    claim_id = SelectField("认领项目（选填）", coerce=_optional_int, validators=[Optional()])
    source = SelectField("经费来源（登记工作经费时选择）", validators=[Optional()])
    amount_yuan = StringField(
        "金额（元）",
        description="精确到分，例如 2500 或 1234.50；物资请填折合金额。",
        render_kw={"inputmode": "decimal"},
    )  # the range is the service's: it reads yuan into whole fen
    materials = text_field(
        FUNDS["materials"], description="捐赠物资时填写品名和数量，如：冬衣 40 件。"
    )
    project = text_field(FUNDS["project"], description="将在三必须公开页面显示，请勿填写个人信息。")
    note = text_field(FUNDS["note"], TextAreaField, render_kw={"rows": 2})
    date = DateField("日期", validators=[Optional()])
    submit = SubmitField("登记")

    def fill_choices(self, choices) -> None:
        """Offer the actor's kinds, communities and claims (``fund_queries.entry_choices``)."""
        self.kind.choices = [SelectChoice("", "请选择")] + [
            SelectChoice(k, FUND_KINDS[k]) for k in choices.kinds
        ]
        self.community_id.choices = [SelectChoice(None, "请选择")] + [
            SelectChoice(c.id, c.name) for c in choices.communities
        ]
        self.claim_id.choices = [SelectChoice(None, "不指定")] + [
            SelectChoice(claim.id, f"{claim.need.community.name}：{claim.need.title}")
            for claim in choices.claims
        ]
        self.source.choices = [SelectChoice("", "请选择")] + [
            SelectChoice(k, v) for k, v in BUDGET_SOURCES.items()
        ]


class ReverseForm(ChineseForm):
    reason = text_field(FUNDS["reason"], label="更正原因")
    submit = SubmitField("登记更正（冲销本条）")


class DecisionForm(ChineseForm):
    decision_note = text_field(FUNDS["decision_note"])
