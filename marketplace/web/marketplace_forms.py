"""Forms of the marketplace pages: needs, offers, claims, progress and ratings.

Forms check the shape of the input field by field (in Chinese); the services enforce
the rules (ownership, state, remaining quantity) and may still refuse a value.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.i18n import get_translations
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.models.listings import (
    FACILITY_KINDS,
    MEASURE_UNITS,
    URGENCIES,
    WEEKDAY_NAMES,
    WORKDAYS,
)

_ZH = get_translations(["zh"])


def choices(pairs) -> list[SelectChoice]:
    """Return select options from (value, label) pairs or {group: pairs} (optgroups)."""
    if isinstance(pairs, dict):
        return [
            SelectChoice(value, label, optgroup=group)
            for group, members in pairs.items()
            for value, label in members
        ]
    return [SelectChoice(value, label) for value, label in pairs]


class MarketForm(FlaskForm):
    """A Flask-WTF form whose built-in messages (bad number, bad date…) are Chinese."""

    class Meta:
        def get_translations(self, form):
            return _ZH


class WeekdaysField(SelectMultipleField):
    """Checkboxes for Monday..Sunday; accepts the stored bitmask as initial data."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        days = choices(enumerate(WEEKDAY_NAMES))
        super().__init__(label, validators, coerce=int, choices=days, **kwargs)

    def process_data(self, value):
        if isinstance(value, int):  # the model keeps a bitmask, the form a list of days
            value = [day for day in range(7) if value & (1 << day)]
        super().process_data(value)


def _positive(label: str, maximum: int = 100_000):
    return [
        InputRequired(f"请填写{label}。"),
        NumberRange(1, maximum, f"{label}须为 1 到 {maximum} 之间的整数。"),
    ]


class NeedForm(MarketForm):
    type_id = SelectField("需求类型", coerce=int, validators=[InputRequired("请选择需求类型。")])
    title = StringField(
        "标题",
        validators=[DataRequired("请填写标题。"), Length(max=100, message="标题不超过 100 个字。")],
    )
    description = TextAreaField(
        "详细说明",
        validators=[Length(max=2000, message="说明不超过 2000 个字。")],
        render_kw={"rows": 4},
    )
    quantity = IntegerField("数量", validators=_positive("数量"))
    measure_unit = SelectField("计量单位", choices=choices(MEASURE_UNITS.items()))
    starts_on = DateField("开始日期", validators=[Optional()])
    ends_on = DateField("截止日期", validators=[Optional()])
    urgency = SelectField("紧急程度", coerce=int, choices=choices(URGENCIES.items()), default=1)
    save_draft = SubmitField("保存草稿")
    publish = SubmitField("保存并发布")

    def __init__(self, *args, type_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_id.choices = choices(type_choices or {})

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("截止日期不能早于开始日期。")


class _OfferForm(MarketForm):
    title = StringField(
        "名称",
        validators=[DataRequired("请填写名称。"), Length(max=100, message="名称不超过 100 个字。")],
    )
    description = TextAreaField(
        "说明",
        validators=[Length(max=2000, message="说明不超过 2000 个字。")],
        render_kw={"rows": 3},
    )
    submit = SubmitField("保存")


class FacilityOfferForm(_OfferForm):
    """A shared facility: meeting room, parking, sports ground, activity room, equipment."""

    kind = "facility"
    facility_kind = SelectField(
        "场地类别",
        choices=choices(FACILITY_KINDS.items()),
        validators=[InputRequired("请选择场地类别。")],
    )
    capacity = IntegerField("容量（人数 / 车位数 / 件数）", validators=_positive("容量"))
    address = StringField("地址", validators=[Length(max=200, message="地址不超过 200 个字。")])
    open_weekdays = WeekdaysField("开放日", default=WORKDAYS)
    open_from = TimeField("开放时间（起）", validators=[Optional()])
    open_until = TimeField("开放时间（止）", validators=[Optional()])
    is_free = BooleanField("免费使用", default=True)
    is_public = BooleanField("向群众开放查询", default=True)

    def validate_open_until(self, field):
        if field.data and self.open_from.data and field.data <= self.open_from.data:
            raise ValidationError("结束时间须晚于开始时间。")

    def to_data(self) -> dict:
        """Return the service input, with the kind this form stands for."""
        return {**self.data, "kind": self.kind}


class ServiceOfferForm(_OfferForm):
    """A service item of one of the 53 types, with a monthly quantity."""

    kind = "service"
    type_id = SelectField("服务类型", coerce=int, validators=[InputRequired("请选择服务类型。")])
    monthly_quantity = IntegerField("每月可提供数量", validators=_positive("每月数量", 10_000))

    def __init__(self, *args, type_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_id.choices = choices(type_choices or {})

    def to_data(self) -> dict:
        """Return the service input, with the kind this form stands for."""
        return {**self.data, "kind": self.kind}


class ClaimForm(MarketForm):
    quantity = IntegerField("认领数量", validators=_positive("认领数量"))
    note = TextAreaField(
        "说明（可选）",
        validators=[Length(max=500, message="说明不超过 500 个字。")],
        render_kw={"rows": 2},
    )
    submit = SubmitField("认领")


class ProgressForm(MarketForm):
    percent = IntegerField(
        "完成进度（%）",
        validators=[
            InputRequired("请填写完成进度。"),
            NumberRange(0, 100, "进度须为 0 到 100 之间的整数。"),
        ],
    )
    note = TextAreaField(
        "进展情况",
        validators=[
            DataRequired("请填写进展情况。"),
            Length(max=2000, message="进展情况不超过 2000 个字。"),
        ],
        render_kw={"rows": 4},
    )
    submit = SubmitField("提交进展")


class RatingForm(MarketForm):
    stars = SelectField(
        "评分",
        coerce=int,
        choices=choices((n, "★" * n + f" {n} 星") for n in range(5, 0, -1)),
        validators=[InputRequired("请选择评分。")],
    )
    comment = TextAreaField(
        "评价",
        validators=[Length(max=1000, message="评价不超过 1000 个字。")],
        render_kw={"rows": 3},
    )
    submit = SubmitField("提交评价")


def attach_error(form: FlaskForm, error) -> None:
    """Show a service's InvalidInput next to its fields (or on the form when unknown)."""
    problems = getattr(error, "errors", None) or {error.field: error.message}
    for key, message in problems.items():
        field = form._fields.get(key) if key else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
