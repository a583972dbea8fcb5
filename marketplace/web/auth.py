"""Login, logout and password change."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.errors import DomainError
from marketplace.services import accounts, api_tokens
from marketplace.services.audit import client_address
from marketplace.web.forms import LoginForm, PasswordChangeForm, TokenForm
from marketplace.web.navigation import home_for, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data, client_address())
        except DomainError as error:
            flash(error.message, "danger")
            status = error.status
        else:
            session.clear()  # a fresh session at login: nothing planted before survives
            login_user(user, remember=form.remember.data)
            flash(f"欢迎，{user.name}。", "success")
            return redirect(safe_next(request.args.get("next")) or home_for(user))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    accounts.end_sessions(current_user._get_current_object(), "logout")
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("main.index"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form, new_token = TokenForm(), None
    user = current_user._get_current_object()
    if form.validate_on_submit():
        new_token = api_tokens.issue_api_token(user, form.label.data)
        form.label.data = ""  # the next token gets its own label
    listed = [(token, api_tokens.is_live(token)) for token in api_tokens.tokens_of(user)]
    return render_template("auth/tokens.html", form=form, tokens=listed, new_token=new_token)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    api_tokens.revoke_token(current_user._get_current_object(), token_id)
    flash("令牌已吊销，使用它的程序将无法再访问。", "success")
    return redirect(url_for("auth.tokens"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            getattr(form, error.field or "new_password").errors.append(error.message)
        else:
            login_user(user)  # keep this session alive under the rotated token
            flash("密码已修改，其他设备上的登录已失效。", "success")
            return redirect(home_for(user))
    return render_template("auth/password.html", form=form)
