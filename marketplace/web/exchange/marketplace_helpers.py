"""Helpers shared by the community, unit and listing pages."""

from flask import current_app, render_template, request, url_for
from flask_login import current_user

from marketplace.models import Claim, Evaluation, Need, ProgressReport
from marketplace.services.exchange import claims, pages_queries
from marketplace.web.actions import act
from marketplace.web.actions import back_url as back_url  # re-exported, see below
from marketplace.web.exchange.marketplace_forms import ClaimForm, ProgressForm
from marketplace.web.exchange.project_charts import latest_percent
from marketplace.web.navigation import home_for

# ``act`` and ``back_url`` live in marketplace.web.actions; the pages of other areas
# still import them from here until the lead's merge.


def page_args() -> tuple[int, int]:
    """Return the requested page number and page size (bounded by the paginator)."""
    page = request.args.get("page", 1, type=int)
    per_page = request.args.get("per_page", current_app.config["PAGE_SIZE"], type=int)
    return page, per_page


def form_status(form) -> int:
    """Answer 400 when a submitted form is shown again with errors, else 200."""
    return 400 if form.errors else 200


def viewer():
    """Return the signed-in user, or None for anonymous visitors."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def need_url(record) -> str:
    """Return the need page a need, claim, progress report or rating belongs to."""
    if isinstance(record, Need):
        return url_for("listings.need", need_id=record.id)
    if isinstance(record, Claim):
        return url_for("listings.need", need_id=record.need_id)
    if isinstance(record, ProgressReport | Evaluation):
        return url_for("listings.need", need_id=record.claim.need_id)
    return home_for(current_user)


def progress_view(claim_id: int):
    """Show and handle the progress report form of a claim (unit or community side)."""
    context = pages_queries.claim_page(current_user, claim_id)
    form = ProgressForm(percent=latest_percent(context["claim"]))  # start from the last report
    if form.validate_on_submit():
        return act(
            lambda: claims.report_progress(
                current_user, claim_id, form.note.data, form.percent.data
            ),
            "进展已记录，并已通知对方。",
            form=form,
            template="listings/claim_progress.html",
            context=context,
            target=need_url,
        )
    return render_template("listings/claim_progress.html", form=form, **context), form_status(form)


def render_need_page(need_id: int, *, claim_form: ClaimForm | None = None, status: int = 200):
    """Render the need page for the current viewer (optionally with a bound claim form)."""
    context = pages_queries.need_page(viewer(), need_id)
    if claim_form is None:
        claim_form = ClaimForm(formdata=None, quantity=context["need"].remaining or None)
    return (
        render_template("listings/need.html", claim_form=claim_form, **context),
        status,
    )
