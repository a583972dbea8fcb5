"""Funds pages: the ledger's overview by year, entering and correcting entries, the
township's decisions on large spending, the Excel export, and the public disclosure."""

from flask import Blueprint, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.models.funds import ENTRY_STATUSES, FUND_KINDS
from marketplace.services import audit
from marketplace.services.funds import disclosure, fund_entries, fund_exports, fund_queries
from marketplace.services.funds.fund_queries import EntryFilters
from marketplace.services.funds.fund_totals import wan, yuan
from marketplace.web.downloads import XLSX, attachment
from marketplace.web.exchange.marketplace_helpers import act, form_status, page_args
from marketplace.web.funds.fund_charts import MAX_UNITS, pledge_chart
from marketplace.web.funds.fund_forms import DecisionForm, FundEntryForm, ReverseForm
from marketplace.web.oversight.oversight_helpers import me, year_arg

bp = Blueprint("funds", __name__, url_prefix="/funds")
bp.before_request(page_guard(*fund_queries.READERS))
public = Blueprint("disclosure", __name__)
bp.add_app_template_filter(yuan, "yuan")
bp.add_app_template_filter(wan, "wan")


def entry_url(entry) -> str:
    return url_for("funds.entry", entry_id=entry.id)


@bp.route("/")
def index():
    year = year_arg()
    filters = EntryFilters(
        year=year,
        kind=request.args.get("kind") or None,
        status=request.args.get("status") or None,
        community_id=request.args.get("community_id", type=int),
    )
    page, per_page = page_args()
    view = fund_queries.overview(me(), year)
    return render_template(
        "funds/index.html",
        view=view,
        year=year,
        chart=pledge_chart(view.pairs, title=f"{year} 年各单位帮扶经费：承诺与到位"),
        chart_limit=MAX_UNITS,
        page=fund_queries.entries_page(me(), filters, page, per_page),
        filters=filters,
        kinds=FUND_KINDS,
        statuses=ENTRY_STATUSES,
        pending=fund_entries.pending_spending(me()),
        threshold=fund_entries.approval_threshold_fen(),
        may_enter=fund_queries.may_enter(me()),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = FundEntryForm()
    choices = fund_queries.entry_choices(me())
    form.fill_choices(choices)
    context = {
        "choices": choices,
        "pledge_yuan": fund_entries.pledge_yuan(),
        "threshold_yuan": fund_entries.approval_threshold_fen() // 100,
    }
    if form.validate_on_submit():
        return act(
            lambda: fund_entries.enter_entry(me(), form.data),
            "已登记入账。",
            form=form,
            template="funds/form.html",
            context=context,
            target=entry_url,
        )
    return render_template("funds/form.html", form=form, **context), form_status(form)


@bp.route("/entries/<int:entry_id>")
def entry(entry_id: int):
    found = fund_entries.get_entry(me(), entry_id)
    return render_template(
        "funds/entry.html",
        entry=found,
        receipts=fund_entries.receipts(me(), found),
        history=audit.history("fund_entry", found.id),
        reverse_form=ReverseForm(formdata=None),
        decision_form=DecisionForm(formdata=None),
    )


@bp.route("/entries/<int:entry_id>/reverse", methods=["POST"])
def reverse(entry_id: int):
    data = request.form.to_dict()
    return act(
        lambda: fund_entries.correct_entry(me(), entry_id, data),
        "已登记更正记录，原记录与更正记录相互冲销。",
        target=entry_url,
    )


@bp.route("/entries/<int:entry_id>/approve", methods=["POST"])
def approve(entry_id: int):
    data = request.form.to_dict()
    return act(
        lambda: fund_entries.decide_spending(me(), entry_id, True, data),
        "已批准，这笔支出从现在起计入台账。",
        target=entry_url,
    )


@bp.route("/entries/<int:entry_id>/refuse", methods=["POST"])
def refuse(entry_id: int):
    data = request.form.to_dict()
    return act(
        lambda: fund_entries.decide_spending(me(), entry_id, False, data),
        "已退回，这笔支出不计入台账。",
        target=entry_url,
    )


@bp.route("/export.xlsx")
def export():
    year = year_arg()
    content = fund_exports.funds_workbook(me(), year)
    return attachment(content, XLSX, f"经费台账-{year}.xlsx", f"funds-{year}.xlsx")


@public.route("/communities/<int:community_id>/disclosure")
def community_disclosure(community_id: int):
    year = year_arg()
    return render_template(
        "funds/disclosure.html", report=disclosure.disclosure(community_id, year), year=year
    )
