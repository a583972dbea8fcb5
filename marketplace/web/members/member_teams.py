"""Community staff: posts (岗位), teams (服务队), placement, and the points shop."""

from functools import partial

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.members import member_queries, member_stats, points, posts, teams
from marketplace.services.notifications import staff_of
from marketplace.web.confirmation import confirm_first
from marketplace.web.members.member_helpers import submit

bp = Blueprint("member_teams", __name__, url_prefix="/community/teams")
bp.before_request(page_guard("community"))


def _to(endpoint: str, **values):
    return lambda _result=None: url_for(endpoint, **values)


def _team_choices():
    return [(t.id, t.name) for t in teams.community_teams(current_user.community_id)]


@bp.route("/posts")
def post_list():
    items = posts.community_posts(current_user.community_id)
    return render_template("members/desk_posts.html", posts=items)


@bp.route("/posts/new", methods=["GET", "POST"], defaults={"post_id": None})
@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id):
    post = posts.own_post(current_user, post_id) if post_id else None
    context = {"post": post, "team_choices": _team_choices()}
    if request.method == "POST":
        action = (
            partial(posts.update_post, current_user, post_id, request.form)
            if post
            else partial(posts.create_post, current_user, request.form)
        )
        return submit(
            action, "岗位已保存。", _to("member_teams.post_list"), "members/post_form.html",
            **context,
        )  # fmt: skip
    values = {"places": 10}
    if post:
        values = {k: getattr(post, k) or "" for k in ("name", "description", "places", "team_id")}
    return render_template("members/post_form.html", errors={}, values=values, **context)


@bp.route("/")
def team_list():
    return render_template(
        "members/teams.html",
        teams=teams.community_teams(current_user.community_id),
        sizes=member_stats.team_sizes(current_user.community_id),
    )


@bp.route("/new", methods=["GET", "POST"], defaults={"team_id": None})
@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
def edit_team(team_id):
    team = teams.own_team(current_user, team_id) if team_id else None
    leaders = [(u.id, u.name) for u in staff_of(community_id=current_user.community_id)]
    context = {"team": team, "leaders": leaders}
    if request.method == "POST":
        action = partial(teams.save_team, current_user, request.form, team_id)
        return submit(
            action, "服务队已保存。", _to("member_teams.team_list"), "members/team_form.html",
            **context,
        )  # fmt: skip
    values = {"capacity": 20}
    if team:
        keys = ("name", "description", "capacity", "leader_user_id")
        values = {k: getattr(team, k) or "" for k in keys}
    return render_template("members/team_form.html", errors={}, values=values, **context)


@bp.post("/<int:team_id>/officer")
def set_officer(team_id: int):
    action = partial(
        teams.set_officer,
        current_user,
        team_id,
        request.form.get("member_id", type=int),
        request.form.get("role", ""),
    )
    return submit(action, "已任命。", _to("member_teams.team_list"))


@bp.post("/defaults")
def add_defaults():
    action = partial(teams.add_defaults, current_user)
    return submit(action, "已载入默认的 12 个岗位和 7 支服务队。", _to("member_teams.team_list"))


def _changed_rows(form) -> dict[int, int | None]:
    """Return the rows whose team the user changed ({member_id: team_id or None}).

    Each row posts its team (``m<id>``) and the team it showed (``was<id>``): a row left
    as it was is not sent on, so saving never places anyone the user did not touch.
    """
    changed = {}
    for key in form:
        if key.startswith("m") and key[1:].isdigit():
            chosen, shown = form.get(key, ""), form.get(f"was{key[1:]}", "")
            if chosen != shown:
                changed[int(key[1:])] = form.get(key, type=int)
    return changed


@bp.route("/placement", methods=["GET", "POST"])
def placement():
    if request.method == "POST":
        action = partial(teams.apply_placement, current_user, _changed_rows(request.form))
        return submit(
            action,
            lambda count: f"编队已保存：调整了 {count} 名党员。",
            _to("member_teams.placement"),
        )
    suggestion = teams.suggest_placement(current_user)
    waiting_first = sorted(
        member_queries.community_members(current_user), key=lambda m: m.id not in suggestion
    )
    return render_template(
        "members/placement.html",
        suggestion=suggestion,
        members=waiting_first,
        team_choices=_team_choices(),
        team_names=dict(_team_choices()),
    )


@bp.post("/placement/accept")
@confirm_first
def accept_suggestions():
    action = partial(teams.accept_suggestions, current_user)
    return submit(
        action,
        lambda count: f"已采纳全部建议：{count} 名党员编入服务队。",
        _to("member_teams.placement"),
    )


@bp.route("/shop")
def shop():
    return render_template(
        "members/shop.html",
        items=points.shop_items(current_user.community_id),
        members=member_queries.community_members(current_user),
    )


@bp.route("/shop/new", methods=["GET", "POST"])
def new_shop_item():
    if request.method == "POST":
        action = partial(points.save_shop_item, current_user, request.form)
        return submit(action, "物品已上架。", _to("member_teams.shop"), "members/shop_form.html")
    return render_template("members/shop_form.html", errors={}, values={"stock": 10})


@bp.post("/shop/redeem")
def redeem():
    action = partial(
        points.redeem_item,
        current_user,
        request.form.get("member_id", type=int),
        request.form.get("item_id", type=int),
    )
    return submit(action, "兑换成功，积分已扣除。", _to("member_teams.shop"))
