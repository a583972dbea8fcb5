"""Joint meetings (联席会议): the list, recording one, its action items, the monthly matrix."""

from flask import Blueprint, Response, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.services.access import may_escalate, may_finish_action_item
from marketplace.services.oversight import escalations, meeting_reports, meetings, oversight_exports
from marketplace.services.oversight.oversight_calendar import MONTHS, county_today
from marketplace.web.exchange.marketplace_helpers import act, page_args
from marketplace.web.oversight import meeting_forms
from marketplace.web.oversight.compliance import XLSX
from marketplace.web.oversight.meeting_forms import schedule_context
from marketplace.web.oversight.oversight_charts import status_matrix
from marketplace.web.oversight.oversight_forms import ActionItemForm, EscalateForm
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
        "meetings/new.html", errors={}, values={}, present=set(), **_new_context()
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


def _show_context(meeting_id: int, bound: str | None = None, item_id: int | None = None):
    """Return the meeting and its forms; the form named ``bound`` reads the submitted input
    (for an item's escalation, ``item_id`` says which item's form it was)."""
    meeting = meetings.get_meeting(me(), meeting_id)
    item_form = ActionItemForm() if bound == "item" else ActionItemForm(formdata=None)
    item_form.with_units([row.unit for row in meeting.attendance])
    escalate_form = EscalateForm() if bound == "escalate" else None
    return {
        "meeting": meeting,
        "host": meetings.is_host(me(), meeting),
        "item_form": item_form,
        "escalate_form": escalate_form,
        "escalate_item_id": item_id,
        "can_finish": may_finish_action_item,
        "may_escalate": may_escalate(me()),
        **schedule_context(meeting),
    }


def _show_url(item) -> str:
    return url_for(".show", meeting_id=item.meeting_id)


@bp.route("/<int:meeting_id>")
def show(meeting_id: int):
    return render_template("meetings/show.html", **_show_context(meeting_id))


@bp.route("/<int:meeting_id>/items", methods=["POST"])
def add_item(meeting_id: int):
    context = _show_context(meeting_id, bound="item")
    form = context["item_form"]
    if not form.validate_on_submit():
        return render_template("meetings/show.html", **context), 400
    return act(
        lambda: meetings.add_action_item(me(), meeting_id, form.to_request()),
        "会议事项已添加。",
        form=form,
        template="meetings/show.html",
        context=context,
        target=_show_url,
    )


@bp.route("/items/<int:item_id>/done", methods=["POST"])
def item_done(item_id: int):
    return act(
        lambda: meetings.complete_action_item(me(), item_id), "事项已办结。", target=_show_url
    )


@bp.route("/items/<int:item_id>/escalate", methods=["POST"])
def item_escalate(item_id: int):
    item = meetings.get_action_item(me(), item_id)
    context = _show_context(item.meeting_id, bound="escalate", item_id=item.id)
    form = context["escalate_form"]
    if not form.validate_on_submit():
        return render_template("meetings/show.html", **context), 400
    return act(
        lambda: escalations.escalate_action_item(me(), item_id, {"reason": form.reason.data}),
        "事项已上报乡镇（街道）党（工）委。",
        form=form,
        template="meetings/show.html",
        context=context,
        target=lambda escalation: url_for("escalations.show", escalation_id=escalation.id),
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
