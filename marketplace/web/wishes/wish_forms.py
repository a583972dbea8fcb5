"""Forms of the 微心愿 pages; their rules are the service's (``fields.WISH``)."""

from wtforms import DateField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Optional

from marketplace.services.fields import WISH
from marketplace.web.form_rules import ChineseForm, text_field


class WishForm(ChineseForm):
    title = text_field(WISH["title"])
    description = text_field(
        WISH["description"], TextAreaField, label="心愿说明（为什么需要）", render_kw={"rows": 3}
    )
    value_yuan = IntegerField(
        "价值（元）", validators=[DataRequired("请填写价值（元）。")]
    )  # the cap is a setting: the service checks it
    resident_name = text_field(
        WISH["resident_name"],
        description="仅本社区工作人员可见；公开时显示为“李**”，不显示住址。",
    )
    deadline = DateField("截止日期", validators=[DataRequired("请选择截止日期。")])
    submit = SubmitField("发布微心愿")


class FulfilForm(ChineseForm):
    note = text_field(WISH["note"], TextAreaField, render_kw={"rows": 3})
    fulfilled_on = DateField("兑现日期", validators=[Optional()])
    submit = SubmitField("确认已兑现")


class ConfirmForm(ChineseForm):
    thanks = text_field(
        WISH["thanks"], TextAreaField, label="居民的感谢（选填）", render_kw={"rows": 2}
    )
    submit = SubmitField("确认已送达居民")
