"""志愿服务110 API in the shape of Open311 GeoReport v2, plus the staff's workflow steps.

Public: the service list, posting a request (no token), reading a request's status
(never the caller's phone or name). Staff (Bearer token): suggestions, dispatch, accept,
decline, serve, follow-up, close — each checked by role and state in the services.
"""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.common import int_arg, json_body
from marketplace.auth import api_login_required, api_user
from marketplace.clock import local_time
from marketplace.models.hotline import HOTLINE_SERVICES, Ticket
from marketplace.services.hotline import hotline, hotline_dispatch, hotline_queries


def _iso(value):
    return value.isoformat() if value else None


def _notes(ticket: Ticket) -> str:
    """Return the public history: each step's time and name (no personal data)."""
    return "；".join(f"{local_time(event.at)} {event.action_label}" for event in ticket.events)


def request_json(ticket: Ticket, *, staff: bool = False) -> dict:
    """Return a ticket as an Open311 service request; the caller only for staff."""
    data = {
        "service_request_id": str(ticket.id),
        "status": "closed" if ticket.status == "closed" else "open",
        "status_label": ticket.status_label,
        "status_notes": _notes(ticket),
        "service_code": ticket.service_code,
        "service_name": ticket.service_name,
        "requested_datetime": _iso(ticket.received_at),
        "updated_datetime": _iso(ticket.updated_at),
        "agency_responsible": ticket.team.name if ticket.team is not None else "志愿服务指挥中心",
        "overdue": hotline.is_overdue(ticket),
    }
    if staff:
        data |= {
            "description": ticket.description,
            "first_name": ticket.caller_name,
            "phone": ticket.caller_phone,
            "community_id": ticket.community_id,
            "address_string": ticket.address,
            "urgency": ticket.urgency,
            "workflow_status": ticket.status,
            "team_id": ticket.team_id,
            "satisfaction": ticket.satisfaction,
            "resolved": ticket.resolved,
        }
    return data


@api_bp.get("/hotline/services")
def hotline_services():
    return jsonify(
        [
            {"service_code": code, "service_name": name, "description": description}
            for code, (name, description, _words) in HOTLINE_SERVICES.items()
        ]
    )


@api_bp.post("/hotline/requests")
def post_request():
    ticket = hotline.receive_ticket(api_user(), json_body())
    return jsonify([{"service_request_id": str(ticket.id)}]), 201


@api_bp.get("/hotline/requests/<int:ticket_id>")
def show_request(ticket_id: int):
    ticket, staff = hotline_queries.ticket_for_viewer(api_user(), ticket_id)
    return jsonify([request_json(ticket, staff=staff)])


@api_bp.get("/hotline/requests/<int:ticket_id>/suggestions")
@api_login_required("dispatcher")
def suggestions(ticket_id: int):
    return jsonify(
        [
            {
                "team_id": s.team.id,
                "name": s.team.name,
                "community_id": s.team.community_id,
                "community": s.team.community.name,
                "open_load": s.open_load,
                "reason": s.reason,
            }
            for s in hotline_dispatch.suggest_teams(api_user(), ticket_id)
        ]
    )


def _staff_answer(ticket: Ticket):
    return jsonify(request_json(ticket, staff=True))


@api_bp.post("/hotline/requests/<int:ticket_id>/dispatch")
@api_login_required("dispatcher")
def dispatch(ticket_id: int):
    body = json_body()
    return _staff_answer(hotline.dispatch_ticket(api_user(), ticket_id, body.get("team_id")))


@api_bp.post("/hotline/requests/<int:ticket_id>/accept")
@api_login_required("community", "member")
def accept(ticket_id: int):
    return _staff_answer(hotline.accept_ticket(api_user(), ticket_id))


@api_bp.post("/hotline/requests/<int:ticket_id>/decline")
@api_login_required("community", "member")
def decline(ticket_id: int):
    reason = json_body().get("reason")
    return _staff_answer(hotline.decline_ticket(api_user(), ticket_id, reason))


@api_bp.post("/hotline/requests/<int:ticket_id>/serve")
@api_login_required("community", "member")
def serve(ticket_id: int):
    body = json_body()
    member_ids = body.get("member_ids") or []
    if not isinstance(member_ids, list):
        member_ids = [member_ids]
    ticket = hotline.serve_ticket(
        api_user(), ticket_id, body.get("summary"), body.get("hours"), member_ids
    )
    return _staff_answer(ticket)


@api_bp.post("/hotline/requests/<int:ticket_id>/follow-up")
@api_login_required("dispatcher")
def follow_up(ticket_id: int):
    body = json_body()
    ticket = hotline.follow_up_ticket(
        api_user(),
        ticket_id,
        body.get("satisfaction"),
        body.get("resolved"),
        body.get("note") or "",
    )
    return _staff_answer(ticket)


@api_bp.post("/hotline/requests/<int:ticket_id>/close")
@api_login_required("dispatcher")
def close(ticket_id: int):
    return _staff_answer(hotline.close_ticket(api_user(), ticket_id))


@api_bp.get("/hotline/requests")
@api_login_required("dispatcher", "reviewer")
def list_requests():
    filters = hotline_queries.TicketFilters(
        status=request.args.get("status") or None,
        service_code=request.args.get("service_code") or None,
        overdue_only=request.args.get("overdue") in ("1", "true"),
    )
    page = hotline_queries.queue_page(
        api_user(), filters, int_arg("page", 1, minimum=1), int_arg("per_page", 20, minimum=1)
    )
    return jsonify([request_json(ticket, staff=True) for ticket in page.items])
