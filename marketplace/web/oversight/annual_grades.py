"""The yearly two-way grading pages (履职双向考核评议): a community grades its paired units,
a unit its paired communities; a refused grade comes back in place with its input."""

from flask import Blueprint, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.services.access import has_role
from marketplace.services.oversight import annual_grades
from marketplace.services.oversight.oversight_calendar import county_today
from marketplace.web.exchange.marketplace_helpers import act
from marketplace.web.oversight.oversight_forms import GradeForm
from marketplace.web.oversight.oversight_helpers import me, year_arg

bp = Blueprint("annual_grades", __name__, url_prefix="/annual-grades")
bp.before_request(page_guard("community", "unit"))


def _prefix(other_id) -> str:
    return f"g{other_id}"


def _context(year: int, bound: GradeForm | None = None) -> dict:
    rows = annual_grades.grade_rows(me(), year)
    forms = {}
    for row in rows:
        if row.grade is not None:
            continue
        if bound is not None and bound._prefix == _prefix(row.other_id) + "-":
            forms[row.other_id] = bound
        else:
            forms[row.other_id] = GradeForm(formdata=None, prefix=_prefix(row.other_id))
    return {
        "year": year,
        "this_year": county_today().year,
        "rows": rows,
        "forms": forms,
        "grades_units": has_role(me(), "community"),
    }


@bp.route("/")
def index():
    return render_template("annual_grades/index.html", **_context(year_arg()))


@bp.route("/", methods=["POST"])
def grade():
    year = request.form.get("year", type=int) or county_today().year
    other_id = request.form.get("other_id", "")
    form = GradeForm(prefix=_prefix(other_id))
    context = _context(year, form)
    if not form.validate_on_submit():
        return render_template("annual_grades/index.html", **context), 400
    key = "unit_id" if context["grades_units"] else "community_id"
    data = {"year": year, key: other_id, "stars": form.stars.data}
    data["comment"] = form.comment.data or ""
    return act(
        lambda: annual_grades.grade(me(), data),
        "评议已记录，感谢您的认真评价。",
        form=form,
        template="annual_grades/index.html",
        context=context,
        target=lambda _: url_for(".index", year=year),
    )
