"""Meetings announced ahead: announce, read, RSVP (an invited unit), record once held."""

from flask import jsonify

from marketplace.api import api_bp
from marketplace.api.common import json_body
from marketplace.auth import api_login_required, api_user
from marketplace.models import JointMeeting
from marketplace.services.oversight import meeting_schedule, meetings


def meeting_json(meeting: JointMeeting) -> dict:
    """Return a meeting with its invitations and answers."""
    return {
        "id": meeting.id,
        "level": meeting.level,
        "kind": meeting.kind,
        "kind_label": meeting.kind_label,
        "status": meeting.status,
        "status_label": meeting.status_label,
        "date": meeting.held_on.isoformat(),
        "theme": meeting.theme,
        "agenda_draft": meeting.agenda_draft,
        "host": meeting.host_name,
        "place_offer_id": meeting.place_offer_id,
        "booking_id": meeting.booking_id,
        "series_first_id": meeting.series_first_id,
        "minutes": meeting.minutes,
        "invited": [
            {
                "unit_id": row.unit_id,
                "unit": row.unit.name,
                "rsvp": row.rsvp,
                "rsvp_note": row.rsvp_note,
                "present": row.present if meeting.status == "held" else None,
            }
            for row in meeting.attendance
        ],
    }


@api_bp.post("/meetings")
@api_login_required("community", "township", "reviewer")
def announce_meeting():
    body = json_body()
    created = meeting_schedule.announce_meeting(api_user(), body)
    return jsonify({**meeting_json(created[0]), "series": [m.id for m in created]}), 201


@api_bp.get("/meetings/<int:meeting_id>")
@api_login_required("community", "township", "reviewer", "unit")
def meeting(meeting_id: int):
    return jsonify(meeting_json(meetings.get_meeting(api_user(), meeting_id)))


@api_bp.post("/meetings/<int:meeting_id>/rsvp")
@api_login_required("unit")
def rsvp(meeting_id: int):
    row = meeting_schedule.answer_invitation(api_user(), meeting_id, json_body())
    return jsonify(meeting_json(row.meeting))


@api_bp.post("/meetings/<int:meeting_id>/record")
@api_login_required("community", "township", "reviewer")
def record_meeting(meeting_id: int):
    held = meeting_schedule.record_held(api_user(), meeting_id, json_body())
    return jsonify(meeting_json(held))
