"""Texts to residents without an account, at their request's status changes.

Each goes to the phone the resident gave, says only what concerns their own request
(no one else's name or number) and is skipped when SMS is off or the phone opted out.
"""

from marketplace import clock
from marketplace.models import Booking, Team, Ticket
from marketplace.services.notify.outbox import text_phone


def ticket_dispatched(ticket: Ticket, team: Team) -> None:
    """Tell the caller their hotline ticket went to a team (urgent ones even at night)."""
    text_phone(
        ticket.caller_phone,
        "hotline.dispatched",
        f"您的求助（工单{ticket.id}，{ticket.service_name}）已派给{team.name}，将尽快联系您。",
        urgent=ticket.urgency == "urgent",
    )


def ticket_served(ticket: Ticket) -> None:
    """Tell the caller the team has served their ticket."""
    text_phone(
        ticket.caller_phone,
        "hotline.served",
        f"您的求助（工单{ticket.id}）已完成服务，稍后将回访，感谢信任。",
    )


def booking_answered(booking: Booking, verb: str) -> None:
    """Tell a requester without an account that their booking was answered."""
    if booking.requester_user_id is not None or not booking.requester_phone:
        return
    when = clock.local(booking.starts_at).strftime("%m-%d %H:%M")
    text = f"您预约的{booking.offer.title[:16]}（{when}）{verb}。"
    text_phone(booking.requester_phone, "booking.answered", text)
