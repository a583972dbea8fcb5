"""Server-rendered pages, one blueprint per area."""

from marketplace.web.admin import bp as admin_bp
from marketplace.web.attachments import bp as attachments_bp
from marketplace.web.audit import bp as audit_bp
from marketplace.web.auth import bp as auth_bp
from marketplace.web.committee.committee import bp as committee_bp
from marketplace.web.exchange.bookings import bp as bookings_bp
from marketplace.web.exchange.bookings import desk as booking_desk_bp
from marketplace.web.exchange.community import bp as community_bp
from marketplace.web.exchange.listings import bp as listings_bp
from marketplace.web.exchange.search import bp as search_bp
from marketplace.web.exchange.unit import bp as unit_bp
from marketplace.web.funds.funds import bp as funds_bp
from marketplace.web.funds.funds import public as disclosure_bp
from marketplace.web.hotline.hotline import bp as hotline_bp
from marketplace.web.hotline.hotline import desk as hotline_desk_bp
from marketplace.web.ledgers.books import bp as books_bp
from marketplace.web.ledgers.ledgers import bp as ledgers_bp
from marketplace.web.main import bp as main_bp
from marketplace.web.members.member_desk import bp as member_desk_bp
from marketplace.web.members.member_review import bp as member_review_bp
from marketplace.web.members.member_teams import bp as member_teams_bp
from marketplace.web.members.members import bp as members_bp
from marketplace.web.members.point_rules import bp as point_rules_bp
from marketplace.web.members.unit_members import bp as unit_members_bp
from marketplace.web.notifications import bp as notifications_bp
from marketplace.web.notify import bp as notify_bp
from marketplace.web.notify import calendar as calendar_bp
from marketplace.web.notify_admin import bp as notify_admin_bp
from marketplace.web.oversight.annual_grades import bp as annual_grades_bp
from marketplace.web.oversight.assessment import bp as assessment_bp
from marketplace.web.oversight.compliance import bp as compliance_bp
from marketplace.web.oversight.coverage import bp as coverage_bp
from marketplace.web.oversight.escalations import bp as escalations_bp
from marketplace.web.oversight.meetings import bp as meetings_bp
from marketplace.web.oversight.pair_activities import bp as pair_activities_bp
from marketplace.web.pairing.county_map import bp as county_map_bp
from marketplace.web.pairing.pairing_preferences import bp as pairing_preferences_bp
from marketplace.web.pairing.pairs import bp as pairs_bp
from marketplace.web.pairing.review import bp as review_bp
from marketplace.web.wishes.wishes import bp as wishes_bp
from marketplace.web.wishes.wishes import desk as wish_desk_bp

blueprints = [
    main_bp,
    auth_bp,
    search_bp,
    listings_bp,
    bookings_bp,
    notifications_bp,
    notify_bp,
    calendar_bp,
    notify_admin_bp,
    community_bp,
    unit_bp,
    booking_desk_bp,
    pairs_bp,
    pairing_preferences_bp,
    review_bp,
    ledgers_bp,
    admin_bp,
    audit_bp,
    books_bp,
    county_map_bp,
    wishes_bp,
    wish_desk_bp,
    hotline_bp,
    hotline_desk_bp,
    members_bp,
    member_desk_bp,
    member_teams_bp,
    unit_members_bp,
    member_review_bp,
    point_rules_bp,
    pair_activities_bp,
    compliance_bp,
    meetings_bp,
    escalations_bp,
    coverage_bp,
    assessment_bp,
    annual_grades_bp,
    attachments_bp,
    funds_bp,
    disclosure_bp,
    committee_bp,
]
