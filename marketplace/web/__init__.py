"""Server-rendered pages, one blueprint per area."""

from marketplace.web.admin import bp as admin_bp
from marketplace.web.assessment import bp as assessment_bp
from marketplace.web.auth import bp as auth_bp
from marketplace.web.bookings import bp as bookings_bp
from marketplace.web.bookings import desk as booking_desk_bp
from marketplace.web.community import bp as community_bp
from marketplace.web.compliance import bp as compliance_bp
from marketplace.web.coverage import bp as coverage_bp
from marketplace.web.escalations import bp as escalations_bp
from marketplace.web.ledgers import bp as ledgers_bp
from marketplace.web.listings import bp as listings_bp
from marketplace.web.main import bp as main_bp
from marketplace.web.meetings import bp as meetings_bp
from marketplace.web.notifications import bp as notifications_bp
from marketplace.web.pair_activities import bp as pair_activities_bp
from marketplace.web.pairs import bp as pairs_bp
from marketplace.web.review import bp as review_bp
from marketplace.web.search import bp as search_bp
from marketplace.web.unit import bp as unit_bp

blueprints = [
    main_bp,
    auth_bp,
    search_bp,
    listings_bp,
    bookings_bp,
    notifications_bp,
    community_bp,
    unit_bp,
    booking_desk_bp,
    pairs_bp,
    review_bp,
    ledgers_bp,
    admin_bp,
    pair_activities_bp,
    compliance_bp,
    meetings_bp,
    escalations_bp,
    coverage_bp,
    assessment_bp,
]
