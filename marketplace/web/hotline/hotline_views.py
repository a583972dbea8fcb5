"""What the ticket page shows each viewer, and the form → service adapters of its steps."""

from sqlalchemy import select

from marketplace.errors import Forbidden
from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.members import Member
from marketplace.services import audit
from marketplace.services.hotline import hotline, hotline_dispatch, hotline_queries
from marketplace.services.hotline.hotline_teams import acts_for
from marketplace.web.hotline.hotline_forms import DeclineForm, DispatchForm, FollowUpForm, ServeForm


def _members_of(team_id: int) -> list[Member]:
    return list(db.session.scalars(select(Member).where(Member.team_id == team_id)))


def ticket_context(actor: User, ticket_id: int) -> dict:
    """Return the ticket, its history and the forms the viewer may use on it."""
    ticket, staff = hotline_queries.ticket_for_viewer(actor, ticket_id)
    if not staff:
        raise Forbidden("您无权查看这张工单。")
    context = {"ticket": ticket, "overdue": hotline.is_overdue(ticket)}
    if actor.role == "dispatcher" and ticket.status == "received":
        suggestions = hotline_dispatch.suggest_teams(actor, ticket_id)
        form = DispatchForm(formdata=None)
        form.team_id.choices = [
            (str(s.team.id), f"{s.team.community.name} · {s.team.name}（{s.reason}）")
            for s in suggestions
        ]
        context |= {"suggestions": suggestions, "dispatch_form": form}
    if actor.role == "dispatcher" and ticket.status == "served":
        context["follow_up_form"] = FollowUpForm(formdata=None)
    team = ticket.team
    if team is not None and actor.role in ("community", "member") and acts_for(actor, team):
        context["decline_form"] = DeclineForm(formdata=None)
        serve_form = ServeForm(formdata=None)
        serve_form.member_ids.choices = [(str(m.id), m.name) for m in _members_of(team.id)]
        context["serve_form"] = serve_form
        context["acts_for_team"] = True
    context["history"] = audit.history("hotline_ticket", ticket.id)
    return context


def _dispatch(actor, ticket_id, form):
    return hotline.dispatch_ticket(actor, ticket_id, _int(form.get("team_id")))


def _decline(actor, ticket_id, form):
    return hotline.decline_ticket(actor, ticket_id, form.get("reason", ""))


def _serve(actor, ticket_id, form):
    return hotline.serve_ticket(
        actor, ticket_id, form.get("summary"), form.get("hours"), form.getlist("member_ids")
    )


def _follow_up(actor, ticket_id, form):
    resolved = {"yes": True, "no": False}.get(form.get("resolved"))
    return hotline.follow_up_ticket(
        actor, ticket_id, form.get("satisfaction"), resolved, form.get("note", "")
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


STEPS = {
    "dispatch": (_dispatch, "已派单，并已通知服务队负责人。"),
    "accept": (lambda a, t, f: hotline.accept_ticket(a, t), "已接单，请按时上门服务。"),
    "decline": (_decline, "已退单，工单回到调度中心。"),
    "serve": (_serve, "已登记服务情况，参与队员的服务记录已生成待确认。"),
    "follow-up": (_follow_up, "已记录回访。"),
    "close": (lambda a, t, f: hotline.close_ticket(a, t), "工单已办结。"),
}


def parse_pairs(values: list[str]) -> list[tuple[int, int]]:
    """Read the batch form's "ticket:team" checkboxes; ignore anything malformed."""
    pairs = []
    for value in values:
        ticket_id, _, team_id = value.partition(":")
        if ticket_id.isdigit() and team_id.isdigit():
            pairs.append((int(ticket_id), int(team_id)))
    return pairs
