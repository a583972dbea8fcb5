"""Record check of the funds ledger: every total equals the sum of its entries."""

from marketplace.services.funds.fund_totals import check_funds
from marketplace.services.record_check import register_check

register_check("funds.totals", "经费台账合计", check_funds)
