"""Joint meetings (联席会议): the list, recording one, its action items, the monthly matrix."""

from flask import Blueprint, Response, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.services.oversight import escalations, meeting_reports, meetings, oversight_exports
from marketplace.services.oversight.oversight_calendar import MONTHS, county_today
from marketplace.web.exchange.marketplace_helpers import act, page_args
from marketplace.web.oversight import meeting_forms
from marketplace.web.oversight.compliance import XLSX
from marketplace.web.oversight.meeting_forms import schedule_context
from marketplace.web.oversight.oversight_charts import status_matrix
from marketplace.web.oversight.oversight_helpers import me, submit, year_arg

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
bp.before_request(page_guard("community", "township", "reviewer", "unit"))
meeting_forms.register(bp)  # announcing ahead, RSVPs, recording once held


@bp.route("/")
def index():
    page, per_page = page_args()
    result = meetings.meetings_page(me(), page, per_page)
    return render_template("meetings/index.html", page=result, hosts=me().role != "unit")


def _new_context() -> dict:
    meetings.check_host(me())
    return {
        "agenda": meetings.draft_agenda(me()),
        "units": meetings.invited_units(me()),
        "today": county_today(),
    }


@bp.route("/new")
def new():
    return render_template(
        "meetings/new.html", errors={}, values={}, present=None, **_new_context()
    )


@bp.route("/new", methods=["POST"])
def create():
    data = {**request.form.to_dict(), "present": request.form.getlist("present")}
    context = {**_new_context(), "present": set(data["present"])}
    return submit(
        lambda: meetings.record_meeting(me(), data),
        "会议记录已保存。",
        url_for(".index"),
        template="meetings/new.html",
        context=context,
    )


@bp.route("/<int:meeting_id>")
def show(meeting_id: int):
    meeting = meetings.get_meeting(me(), meeting_id)
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        host=meetings.is_host(me(), meeting),
        **schedule_context(meeting),
    )


@bp.route("/<int:meeting_id>/items", methods=["POST"])
def add_item(meeting_id: int):
    data = request.form.to_dict()
    return act(
        lambda: meetings.add_action_item(me(), meeting_id, data),
        "会议事项已添加。",
        target=lambda item: url_for(".show", meeting_id=item.meeting_id),
    )


@bp.route("/items/<int:item_id>/done", methods=["POST"])
def item_done(item_id: int):
    return act(
        lambda: meetings.complete_action_item(me(), item_id),
        "事项已办结。",
        target=lambda item: url_for(".show", meeting_id=item.meeting_id),
    )


@bp.route("/items/<int:item_id>/escalate", methods=["POST"])
def item_escalate(item_id: int):
    data = request.form.to_dict()
    return act(
        lambda: escalations.escalate_action_item(me(), item_id, data),
        "事项已上报乡镇（街道）党（工）委。",
        target=lambda _: url_for("escalations.index"),
    )


@bp.route("/matrix")
def matrix():
    year = year_arg()
    rows = meeting_reports.meeting_matrix(me(), year)
    chart = status_matrix(
        rows,
        [(m, f"{m}月") for m in MONTHS],
        row_label=lambda r: r.name if r.kind == "township" else f"　{r.name}",
        status=lambda r, m: r.cells[m],
        labels=meeting_reports.MEETING_CELL_STATUSES,
        title=f"{year} 年乡镇、社区每月联席会议召开情况",
        label_width=130,
    )
    county = meeting_reports.county_meetings_by_quarter(year)
    return render_template(
        "meetings/matrix.html",
        rows=rows,
        chart=chart,
        year=year,
        months=MONTHS,
        county=county,
        labels=meeting_reports.MEETING_CELL_STATUSES,
    )


@bp.route("/matrix.xlsx")
def matrix_export():
    year = year_arg()
    content = oversight_exports.meetings_workbook(me(), year)
    headers = {"Content-Disposition": f"attachment; filename=meetings-{year}.xlsx"}
    return Response(content, mimetype=XLSX, headers=headers)
