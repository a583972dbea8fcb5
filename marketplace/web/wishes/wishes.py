"""微心愿 pages: the public wall and a wish's page; staff post and confirm, claimers act."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.models.wishes import WISH_STATUSES
from marketplace.services.exchange import pages_queries
from marketplace.services.wishes import wishes
from marketplace.web.exchange.marketplace_helpers import act, form_status, page_args, viewer
from marketplace.web.wishes.wish_forms import ConfirmForm, FulfilForm, WishForm

bp = Blueprint("wishes", __name__, url_prefix="/wishes")
desk = Blueprint("wish_desk", __name__, url_prefix="/wishes/desk")
desk.before_request(page_guard("community", "member", "unit"))


def wish_url(wish) -> str:
    return url_for("wishes.detail", wish_id=wish.id)


@bp.route("/")
def wall():
    filters = wishes.WishFilters(
        status=request.args.get("status") or None,
        community_id=request.args.get("community_id", type=int),
    )
    page, per_page = page_args()
    result = wishes.wall_page(filters, page, per_page)
    communities = pages_queries.filter_choices()["communities"]
    return render_template(
        "wishes/wall.html",
        page=result,
        filters=filters,
        statuses=[(k, v) for k, v in WISH_STATUSES.items() if k != "withdrawn"],
        communities=communities,
    )


@bp.route("/<int:wish_id>")
def detail(wish_id: int):
    wish = wishes.get_wish(wish_id)
    return render_template(
        "wishes/detail.html",
        wish=wish,
        user=viewer(),
        fulfil_form=FulfilForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    )


@desk.route("/")
def mine():
    status = request.args.get("status") or None
    page, per_page = page_args()
    result = wishes.mine_page(current_user, status, page, per_page)
    return render_template("wishes/mine.html", page=result, status=status, statuses=WISH_STATUSES)


@desk.route("/new", methods=["GET", "POST"])
def new():
    form = WishForm()
    if form.validate_on_submit():
        return act(
            lambda: wishes.post_wish(current_user, form.data),
            "微心愿已发布到心愿墙。",
            form=form,
            template="wishes/form.html",
            context={"cap": wishes.value_cap()},
            target=wish_url,
        )
    context = {"form": form, "cap": wishes.value_cap()}
    return render_template("wishes/form.html", **context), form_status(form)


@desk.route("/<int:wish_id>/claim", methods=["POST"])
def claim(wish_id: int):
    return act(
        lambda: wishes.claim_wish(current_user, wish_id),
        "认领成功！请在截止日期前兑现这个心愿。",
        target=wish_url,
    )


@desk.route("/<int:wish_id>/fulfil", methods=["POST"])
def fulfil(wish_id: int):
    form = FulfilForm()
    if not form.validate():
        for errors in form.errors.values():
            flash(errors[0], "danger")
        return redirect(url_for("wishes.detail", wish_id=wish_id))
    return act(
        lambda: wishes.fulfil_wish(current_user, wish_id, form.note.data, form.fulfilled_on.data),
        "已记录兑现情况，等待社区确认送达。",
        target=wish_url,
    )


@desk.route("/<int:wish_id>/confirm", methods=["POST"])
def confirm(wish_id: int):
    form = ConfirmForm()
    form.validate()
    return act(
        lambda: wishes.confirm_wish(current_user, wish_id, form.thanks.data or ""),
        "已确认送达，感谢认领人。",
        target=wish_url,
    )


@desk.route("/<int:wish_id>/withdraw", methods=["POST"])
def withdraw(wish_id: int):
    return act(
        lambda: wishes.withdraw_wish(current_user, wish_id),
        "微心愿已撤回。",
        target=lambda _wish: url_for("wish_desk.mine"),
    )
