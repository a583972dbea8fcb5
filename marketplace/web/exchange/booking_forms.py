"""The form a resident fills in to ask for a facility, and the unit's answer form."""

import contextlib
from datetime import date

from wtforms import DateField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from marketplace import clock
from marketplace.services.fields import BOOKING
from marketplace.web.form_rules import ChineseForm, text_field, whole_field

REPEAT_CHOICES = [
    SelectChoice("", "不重复"),
    SelectChoice("week", "每周同一时间"),
    SelectChoice("month_weekday", "每月同一周的同一天（如每月第一个周五）"),
]
HALF_HOURS = [SelectChoice(f"{h:02d}:{m:02d}") for h in range(6, 23) for m in (0, 30)]


class BookingForm(ChineseForm):
    day = DateField("日期", validators=[DataRequired("请选择日期。")], default=clock.today)
    start = SelectField("开始时间", choices=HALF_HOURS, default="09:00")
    end = SelectField("结束时间", choices=HALF_HOURS, default="10:00")
    quantity = whole_field(BOOKING["quantity"], label="数量（车位/台套）")
    requester_name = text_field(BOOKING["requester_name"])
    requester_phone = text_field(BOOKING["requester_phone"])
    purpose = text_field(BOOKING["purpose"], TextAreaField, render_kw={"rows": 3})
    repeat_every = SelectField("重复", choices=REPEAT_CHOICES, default="")
    repeat_count = IntegerField(
        "重复次数（含首次，2 到 12 次）",
        validators=[Optional(), NumberRange(2, 12, "重复次数应在 2 到 12 之间。")],
    )
    submit = SubmitField("提交预约申请")

    def to_request(self) -> dict:
        """Return the service's input: China-time moments and the contact fields."""
        day: date = self.day.data
        return {
            "starts_at": f"{day:%Y-%m-%d} {self.start.data}",
            "ends_at": f"{day:%Y-%m-%d} {self.end.data}",
            "quantity": self.quantity.data or 1,
            "requester_name": self.requester_name.data,
            "requester_phone": self.requester_phone.data,
            "purpose": self.purpose.data,
            **self._repeat(),
        }

    def _repeat(self) -> dict:
        if not self.repeat_every.data:
            return {}
        return {"repeat": {"every": self.repeat_every.data, "count": self.repeat_count.data}}

    def attach(self, field: str | None, message: str) -> None:
        """Show a service's refusal next to the field it concerns."""
        target = {"starts_at": self.start, "ends_at": self.end, "repeat": self.repeat_every}.get(
            field or ""
        )
        target = target or getattr(self, field or "", None) or self.day
        target.errors = [*target.errors, message]


class LookupForm(ChineseForm):
    """A resident's look-up of a request: its number and the phone given with it."""

    number = text_field(BOOKING["lookup_number"])
    phone = text_field(BOOKING["requester_phone"], description="预约时留下的联系电话")
    submit = SubmitField("查询")


class AnswerForm(ChineseForm):
    note = text_field(BOOKING["answer_note"], label="答复说明（选填）")


def prefill(args, default_day: date) -> dict:
    """Return the form's day, start and end taken from a link (?day=&start=&end=)."""
    values = {"day": default_day}
    with contextlib.suppress(ValueError):
        values["day"] = date.fromisoformat(args.get("day", ""))
    slots = {choice.value for choice in HALF_HOURS}
    for key in ("start", "end"):
        if args.get(key) in slots:
            values[key] = args[key]
    return values
