"""The facility finder's filter form: a day, a time range, kind, size, place, price."""

from wtforms import BooleanField, DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from marketplace.models.listings import FACILITY_KINDS
from marketplace.web.exchange.booking_forms import HALF_HOURS
from marketplace.web.form_rules import ChineseForm

TIMES = [choice.value for choice in HALF_HOURS]


def choices(*pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ChoiceField(SelectField):
    """A select box whose refusal reads in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("请从列表中选择。") from None

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("请从列表中选择。")


class NumberField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请输入整数。") from None


class DayField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请选择日期，格式如 2026-12-05。") from None


class FacilityFinderForm(ChineseForm):
    """Field names are the API's (``GET /api/v1/facilities``), so one parser reads both."""

    class Meta(ChineseForm.Meta):
        csrf = False  # a GET filter form changes nothing

    date = DayField("日期", validators=[Optional()])
    start = ChoiceField("开始", choices=choices(("", "不限"), *((h, h) for h in TIMES)), default="")
    end = ChoiceField("结束", choices=choices(("", "不限"), *((h, h) for h in TIMES)), default="")
    kind = ChoiceField(
        "场地类型", choices=choices(("", "全部"), *FACILITY_KINDS.items()), default=""
    )
    min_capacity = NumberField(
        "最少容纳（人/个）",
        validators=[Optional(), NumberRange(min=1, max=100000, message="请输入 1 以上的整数。")],
    )
    township_id = ChoiceField("乡镇/街道", coerce=int, default=0)
    near = ChoiceField("离哪个社区近", coerce=int, default=0)
    free_only = BooleanField("只看免费")

    def attach(self, field: str | None, message: str) -> None:
        """Show a service's refusal next to the field it concerns."""
        target = getattr(self, field or "", None) or self.date
        target.errors = [*target.errors, message]
