"""Forms of the 微心愿 pages; the limits come from the service (one rule, one place)."""

from wtforms import DateField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from marketplace.services.wishes import NAME_MAX, TEXT_MAX, TITLE_MAX
from marketplace.web.form_rules import ChineseForm


class WishForm(ChineseForm):
    title = StringField(
        "心愿内容", validators=[DataRequired("请填写心愿内容。"), Length(max=TITLE_MAX)]
    )
    description = TextAreaField(
        "心愿说明（为什么需要）", validators=[Length(max=TEXT_MAX)], render_kw={"rows": 3}
    )
    value_yuan = IntegerField(
        "价值（元）", validators=[DataRequired("请填写价值（元）。")]
    )  # the cap is a setting: the service checks it
    resident_name = StringField(
        "居民姓名",
        validators=[DataRequired("请填写居民姓名。"), Length(max=NAME_MAX)],
        description="仅本社区工作人员可见；公开时显示为“李**”，不显示住址。",
    )
    deadline = DateField("截止日期", validators=[DataRequired("请选择截止日期。")])
    submit = SubmitField("发布微心愿")


class FulfilForm(ChineseForm):
    note = TextAreaField(
        "兑现说明",
        validators=[DataRequired("请填写兑现说明。"), Length(max=TEXT_MAX)],
        render_kw={"rows": 3},
    )
    fulfilled_on = DateField("兑现日期", validators=[Optional()])
    submit = SubmitField("确认已兑现")


class ConfirmForm(ChineseForm):
    thanks = TextAreaField(
        "居民的感谢（选填）", validators=[Length(max=TEXT_MAX)], render_kw={"rows": 2}
    )
    submit = SubmitField("确认已送达居民")
