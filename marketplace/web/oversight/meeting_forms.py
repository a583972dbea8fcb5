"""Meetings announced ahead, on the meetings blueprint: announce, RSVP, record once held."""

from flask import render_template, request, url_for

from marketplace.models.meetings import MEETING_KINDS
from marketplace.services.attachments.attachments import gallery
from marketplace.services.oversight import meeting_schedule, meetings
from marketplace.services.oversight.oversight_calendar import county_today
from marketplace.web.exchange.marketplace_helpers import act
from marketplace.web.oversight.oversight_helpers import me, submit


def schedule_context(meeting) -> dict:
    """Return what the meeting page adds for announcements: RSVP, photos, today."""
    actor = me()
    return {
        "my_invitation": meeting_schedule.open_invitation(actor, meeting),
        "photos": gallery(actor, "meeting", meeting.id),
        "today": county_today(),
    }


def _announce_context() -> dict:
    meetings.check_host(me())
    return {
        "units": meetings.invited_units(me()),
        "rooms": meeting_schedule.bookable_rooms(),
        "kinds": MEETING_KINDS,
        "today": county_today(),
    }


def register(bp) -> None:
    """Add the announcement routes to the meetings blueprint."""

    @bp.route("/announce")
    def announce():
        return render_template(
            "meetings/announce.html", errors={}, values={}, invited=set(), **_announce_context()
        )

    @bp.route("/announce", methods=["POST"])
    def announce_create():
        data = {**request.form.to_dict(), "invited_unit_ids": request.form.getlist("invited")}
        context = {**_announce_context(), "invited": set(data["invited_unit_ids"])}
        return submit(
            lambda: meeting_schedule.announce_meeting(me(), data),
            "会议预告已发出，受邀单位会收到通知。",
            url_for(".index"),
            template="meetings/announce.html",
            context=context,
        )

    @bp.route("/<int:meeting_id>/rsvp", methods=["POST"])
    def rsvp(meeting_id: int):
        data = request.form.to_dict()
        return act(
            lambda: meeting_schedule.answer_invitation(me(), meeting_id, data),
            "已回复会议邀请。",
            target=lambda row: url_for(".show", meeting_id=row.meeting_id),
        )

    @bp.route("/<int:meeting_id>/record", methods=["POST"])
    def record_held(meeting_id: int):
        data = {**request.form.to_dict(), "present": request.form.getlist("present")}
        return act(
            lambda: meeting_schedule.record_held(me(), meeting_id, data),
            "会议记录已保存。",
            target=lambda meeting: url_for(".show", meeting_id=meeting.id),
        )
