"""Public search pages: results with facets, and the facility finder."""

from flask import Blueprint, render_template, request
from wtforms import BooleanField, IntegerField, SelectField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from marketplace import search
from marketplace.models.listings import FACILITY_KINDS, WEEKDAY_NAMES
from marketplace.services import facility_finder, search_index
from marketplace.web.form_rules import ChineseForm

bp = Blueprint("search", __name__)

KIND_LABELS = {
    "need": "社区需求",
    "facility": "场地设施",
    "service": "服务项目",
    "unit": "驻区单位",
    "community": "社区",
}
FACET_LABELS = {"kind": "类型", "category": "类别", "township": "乡镇/街道"}


def _page_arg() -> int:
    page = request.args.get("page", "1")
    return min(int(page), search_index.MAX_PAGE) if page.isdigit() and int(page) > 0 else 1


@bp.route("/search")
def results():
    """Show one page of search hits with facets, or say the index is being rebuilt."""
    text = request.args.get("q", "").strip()
    kind = request.args.get("kind") or None
    filters = search.Filters(
        kind=kind if kind in KIND_LABELS else None,
        category=request.args.get("category") or None,
        township=request.args.get("township") or None,
    )
    result, unavailable = None, None
    try:
        result = search_index.search_listings(text, filters, page=_page_arg())
    except search_index.SearchUnavailable as error:
        unavailable = str(error)
    return render_template(
        "search/results.html",
        text=text,
        filters=filters,
        result=result,
        unavailable=unavailable,
        kind_labels=KIND_LABELS,
        facet_labels=FACET_LABELS,
    )


def _choices(*pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class _ChoiceField(SelectField):
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


class _NumberField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请输入整数。") from None


class _TimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请输入时刻，例如 14:30。") from None


class FacilityFinderForm(ChineseForm):
    class Meta(ChineseForm.Meta):
        csrf = False  # a GET filter form changes nothing

    kind = _ChoiceField(
        "场地类型", choices=_choices(("", "全部"), *FACILITY_KINDS.items()), default=""
    )
    min_capacity = _NumberField(
        "最少容纳（人/个）",
        validators=[Optional(), NumberRange(min=1, max=100000, message="请输入 1 以上的整数。")],
    )
    township = _ChoiceField("乡镇/街道", coerce=int, default=0)
    free_only = BooleanField("只看免费")
    weekday = _ChoiceField(
        "开放日",
        default="",
        choices=_choices(("", "不限"), *((str(i), n) for i, n in enumerate(WEEKDAY_NAMES))),
    )
    at = _TimeField("开放时刻", validators=[Optional()])


@bp.route("/facilities")
def facilities():
    """Show the public facility finder and the facilities matching its filters."""
    form = FacilityFinderForm(request.args)
    form.township.choices = _choices((0, "全部"), *facility_finder.township_choices())
    page = None
    if form.validate():
        weekday = form.weekday.data
        filters = facility_finder.FacilityFilters(
            facility_kind=form.kind.data or None,
            min_capacity=form.min_capacity.data,
            township_id=form.township.data or None,
            free_only=form.free_only.data,
            weekday=int(weekday) if weekday and weekday.isdigit() else None,
            at=form.at.data,
        )
        page = facility_finder.find_facilities(filters, _page_arg())
    return render_template("search/facilities.html", form=form, page=page)
