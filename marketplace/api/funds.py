"""Funds API: enter a ledger entry, correct it, decide a large spending, read the totals."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.common import int_arg, json_body, optional_json_body
from marketplace.auth import api_login_required, api_user
from marketplace.errors import InvalidInput
from marketplace.models import FundEntry
from marketplace.services.funds import fund_entries, fund_queries
from marketplace.services.funds.fund_totals import yuan_plain
from marketplace.services.oversight.oversight_calendar import check_year

FIGURES = ("pledged", "contributed", "budget", "spent", "balance")


def entry_json(entry: FundEntry) -> dict:
    """Return an entry as its unit, community and overseers see it."""
    return {
        "id": entry.id,
        "kind": entry.kind,
        "kind_label": entry.kind_label,
        "community_id": entry.community_id,
        "unit_id": entry.unit_id,
        "claim_id": entry.claim_id,
        "source": entry.source,
        "amount_yuan": yuan_plain(entry.amount_fen),
        "amount_fen": entry.amount_fen,
        "materials": entry.materials,
        "project": entry.project,
        "note": entry.note,
        "date": entry.entry_date.isoformat(),
        "status": entry.status,
        "status_label": entry.status_label,
        "reverses_id": entry.reverses_id,
        "created_by": entry.created_by_id,
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
    }


@api_bp.post("/funds/entries")
@api_login_required("unit", "community")
def enter_fund_entry():
    return jsonify(entry_json(fund_entries.enter_entry(api_user(), json_body()))), 201


@api_bp.get("/funds/entries/<int:entry_id>")
@api_login_required(*fund_queries.READERS)
def show_fund_entry(entry_id: int):
    return jsonify(entry_json(fund_entries.get_entry(api_user(), entry_id)))


@api_bp.post("/funds/entries/<int:entry_id>/reverse")
@api_login_required("unit", "community")
def reverse_fund_entry(entry_id: int):
    reversal = fund_entries.correct_entry(api_user(), entry_id, json_body())
    return jsonify(entry_json(reversal)), 201


@api_bp.post("/funds/entries/<int:entry_id>/approve")
@api_login_required("township")
def approve_fund_entry(entry_id: int):
    entry = fund_entries.decide_spending(api_user(), entry_id, True, optional_json_body())
    return jsonify(entry_json(entry))


@api_bp.post("/funds/entries/<int:entry_id>/refuse")
@api_login_required("township")
def refuse_fund_entry(entry_id: int):
    entry = fund_entries.decide_spending(api_user(), entry_id, False, optional_json_body())
    return jsonify(entry_json(entry))


@api_bp.get("/funds/summary")
@api_login_required(*fund_queries.READERS)
def funds_summary():
    year = check_year(request.args.get("year"))
    community_id = int_arg("community_id", minimum=1)
    unit_id = int_arg("unit_id", minimum=1)
    if community_id and unit_id:
        raise InvalidInput("community_id 与 unit_id 只能选一个。", field="unit_id")
    totals, scope = fund_queries.summary(api_user(), year, community_id, unit_id)
    figures = {name: getattr(totals, name) for name in FIGURES}
    return jsonify(
        {
            **{name: yuan_plain(fen) for name, fen in figures.items()},
            "fen": figures,
            "year": year,
            "scope": scope,
            "pledge_rate": totals.pledge_rate,
            "by_source": {s: yuan_plain(f) for s, f in totals.by_source.items()},
        }
    )
