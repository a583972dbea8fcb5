"""大党委 pages: a community's committee (organisations, 兼职委员, both-way seats) and
the attendance of its members at the community's joint meetings."""

from flask import Blueprint, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.models.committee import ORG_KINDS
from marketplace.services.committee import committee, committee_attendance
from marketplace.services.oversight.oversight_calendar import county_today
from marketplace.web.committee.committee_forms import MemberForm, OrgForm
from marketplace.web.exchange.marketplace_helpers import act, form_status
from marketplace.web.oversight.oversight_helpers import me

bp = Blueprint("committee", __name__, url_prefix="/committee")
bp.before_request(page_guard("community", "township", "reviewer"))


def _home(_result=None) -> str:
    return url_for("committee.index")


def _context(community_id=None, member_form=None, org_form=None) -> dict:
    communities = committee.communities_for(me())
    chosen = community_id or (communities[0].id if communities else None)
    found = committee.read_committee(me(), chosen)
    member_form = member_form or MemberForm(formdata=None)
    member_form.fill_units(committee.unit_choices())
    return {
        "committee": found,
        "communities": communities,
        "may_manage": committee.may_manage(me(), found.community.id),
        "org_kinds": ORG_KINDS,
        "member_form": member_form,
        "org_form": org_form or OrgForm(formdata=None),
        "year": county_today().year,
        "rates": committee_attendance.attendance_rates(county_today().year, by="member"),
    }


@bp.route("/")
def index():
    context = _context(request.args.get("community_id", type=int))
    return render_template("committee/index.html", **context)


@bp.route("/members", methods=["POST"])
def add_member():
    form = MemberForm()
    form.fill_units(committee.unit_choices())
    if form.validate():
        return act(
            lambda: committee.add_member(me(), form.data),
            "已任命兼职委员。",
            form=form,
            template="committee/index.html",
            context=_context(member_form=form),
            target=_home,
        )
    return render_template("committee/index.html", **_context(member_form=form)), form_status(form)


@bp.route("/members/<int:member_id>/leave", methods=["POST"])
def end_member(member_id: int):
    data = request.form.to_dict()
    return act(lambda: committee.end_member(me(), member_id, data), "已登记离任。", target=_home)


@bp.route("/orgs", methods=["POST"])
def add_org():
    form = OrgForm()
    if form.validate():
        return act(
            lambda: committee.add_org(me(), form.data),
            "已加入大党委。",
            target=_home,
        )
    return render_template("committee/index.html", **_context(org_form=form)), form_status(form)


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
def meeting_attendance(meeting_id: int):
    if request.method == "POST":
        present = request.form.getlist("present")
        return act(
            lambda: committee_attendance.record_attendance(me(), meeting_id, present),
            "已登记兼职委员出席情况。",
            target=lambda meeting: url_for(".meeting_attendance", meeting_id=meeting.id),
        )
    meeting, rows = committee_attendance.attendance_of(me(), meeting_id)
    return render_template(
        "committee/attendance.html",
        meeting=meeting,
        rows=rows,
        may_record=committee.may_manage(me(), meeting.community_id),
    )
