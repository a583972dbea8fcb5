"""Forms of the marketplace pages: needs, offers, claims, progress and ratings.

Forms check the shape of the input field by field (in Chinese); the services enforce
the rules (ownership, state, remaining quantity) and may still refuse a value.
"""

from wtforms import (
    BooleanField,
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.models.listings import (
    FACILITY_KINDS,
    MEASURE_UNITS,
    URGENCIES,
    WEEKDAY_NAMES,
    WORKDAYS,
)
from marketplace.services.fields import CLAIM, NEED, OFFER, PROGRESS, RATING

# the hotline pages still import attach_error from here; the lead drops this at merge
from marketplace.web.actions import attach_error as attach_error
from marketplace.web.form_rules import ChineseForm, text_field, whole_field


def choices(pairs) -> list[SelectChoice]:
    """Return select options from (value, label) pairs or {group: pairs} (optgroups)."""
    if isinstance(pairs, dict):
        return [
            SelectChoice(value, label, optgroup=group)
            for group, members in pairs.items()
            for value, label in members
        ]
    return [SelectChoice(value, label) for value, label in pairs]


MarketForm = ChineseForm  # the name the marketplace forms grew up with


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


class NeedForm(MarketForm):
    type_id = SelectField("需求类型", coerce=int, validators=[InputRequired("请选择需求类型。")])
    title = text_field(NEED["title"])
    description = text_field(NEED["description"], TextAreaField, render_kw={"rows": 4})
    quantity = whole_field(NEED["quantity"])
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
    title = text_field(OFFER["title"])
    description = text_field(OFFER["description"], TextAreaField, render_kw={"rows": 3})
    submit = SubmitField("保存")


class FacilityOfferForm(_OfferForm):
    """A shared facility: meeting room, parking, sports ground, activity room, equipment."""

    kind = "facility"
    facility_kind = SelectField(
        "场地类别",
        choices=choices(FACILITY_KINDS.items()),
        validators=[InputRequired("请选择场地类别。")],
    )
    capacity = whole_field(OFFER["capacity"], label="容量（人数 / 车位数 / 件数）")
    address = text_field(OFFER["address"])
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
    monthly_quantity = whole_field(OFFER["monthly_quantity"])

    def __init__(self, *args, type_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_id.choices = choices(type_choices or {})

    def to_data(self) -> dict:
        """Return the service input, with the kind this form stands for."""
        return {**self.data, "kind": self.kind}


class ClaimForm(MarketForm):
    quantity = whole_field(CLAIM["quantity"])
    note = text_field(CLAIM["note"], TextAreaField, label="说明（可选）", render_kw={"rows": 2})
    submit = SubmitField("认领")


class ProgressForm(MarketForm):
    percent = whole_field(PROGRESS["percent"], label="完成进度（%）")
    note = text_field(PROGRESS["note"], TextAreaField, render_kw={"rows": 4})
    submit = SubmitField("提交进展")


class RatingForm(MarketForm):
    # No star count is chosen for the rater: the list starts on 「请选择评分」.
    stars = SelectField(
        "评分",
        coerce=lambda value: int(value) if value not in ("", None) else None,
        choices=choices(
            [("", "请选择评分"), *((n, "★" * n + f" {n} 星") for n in range(5, 0, -1))]
        ),
        validators=[InputRequired("请选择评分。")],
    )
    comment = text_field(RATING["comment"], TextAreaField, render_kw={"rows": 3})
    submit = SubmitField("提交评价")
