"""What the ticket page shows each viewer, and the form → service adapters of its steps."""

from sqlalchemy import select

from marketplace.errors import Forbidden
from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.members import Member
from marketplace.services import audit
from marketplace.services.access import is_dispatcher, serves_in_teams
from marketplace.services.hotline import hotline, hotline_dispatch, hotline_queries
from marketplace.services.hotline.hotline_teams import acts_for
from marketplace.web.hotline.hotline_forms import DeclineForm, DispatchForm, FollowUpForm, ServeForm


def _members_of(team_id: int) -> list[Member]:
    return list(db.session.scalars(select(Member).where(Member.team_id == team_id)))


# step -> the name of its form in the ticket page's context
STEP_FORMS = {
    "dispatch": "dispatch_form",
    "decline": "decline_form",
    "serve": "serve_form",
    "follow-up": "follow_up_form",
}


def ticket_context(actor: User, ticket_id: int, bound: str | None = None) -> dict:
    """Return the ticket, its history and the forms the viewer may use on it; the form of
    step ``bound`` reads the submitted input (to show a refused form again as it was)."""

    def form(step, form_class):
        return form_class() if step == bound else form_class(formdata=None)

    ticket, staff = hotline_queries.ticket_for_viewer(actor, ticket_id)
    if not staff:
        raise Forbidden("您无权查看这张工单。")
    context = {"ticket": ticket, "overdue": hotline.is_overdue(ticket)}
    context["dispatcher"] = is_dispatcher(actor)
    if is_dispatcher(actor) and ticket.status == "received":
        suggestions = hotline_dispatch.suggest_teams(actor, ticket_id)
        dispatch_form = form("dispatch", DispatchForm)
        dispatch_form.team_id.choices = [("", "请选择服务队")] + [
            (str(s.team.id), f"{s.team.community.name} · {s.team.name}（{s.reason}）")
            for s in suggestions
        ]
        context |= {"suggestions": suggestions, "dispatch_form": dispatch_form}
    if is_dispatcher(actor) and ticket.status == "served":
        context["follow_up_form"] = form("follow-up", FollowUpForm)
    team = ticket.team
    if team is not None and serves_in_teams(actor) and acts_for(actor, team):
        context["decline_form"] = form("decline", DeclineForm)
        serve_form = form("serve", ServeForm)
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


STEP_FORM_CLASSES = {
    "dispatch": DispatchForm,
    "decline": DeclineForm,
    "serve": ServeForm,
    "follow-up": FollowUpForm,
}
