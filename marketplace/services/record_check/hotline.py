"""Record check of the 志愿服务110 tickets: their counters against their events."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Ticket, TicketEvent
from marketplace.services.record_check import register_check

COUNTERS = {"declines": ("declined", "退单"), "reopens": ("reopened", "重新派单")}


def ticket_counter_differences() -> list[str]:
    """Each ticket's decline and reopen counts against its recorded steps."""
    counted = {
        (ticket_id, action): count
        for ticket_id, action, count in db.session.execute(
            select(TicketEvent.ticket_id, TicketEvent.action, func.count())
            .where(TicketEvent.action.in_([action for action, _ in COUNTERS.values()]))
            .group_by(TicketEvent.ticket_id, TicketEvent.action)
        )
    }
    lines = []
    for ticket in db.session.scalars(select(Ticket).order_by(Ticket.id)):
        for column, (action, label) in COUNTERS.items():
            stored, steps = getattr(ticket, column), counted.get((ticket.id, action), 0)
            if stored != steps:
                lines.append(f"工单 #{ticket.id}：记录{label} {stored} 次，办理记录中 {steps} 次")
    return lines


register_check("hotline.counters", "工单退单与重办次数", ticket_counter_differences)
