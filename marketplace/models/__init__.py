"""Database models, one module per concept; imported here so Alembic sees them all."""

from marketplace.models.accounts import ROLES, ApiToken, LoginFailure, User
from marketplace.models.assessment import AssessmentWeight, AssessmentYear, CommunityRating
from marketplace.models.audit import AuditEntry
from marketplace.models.bookings import Booking, BookingSlot
from marketplace.models.claims import Claim, Evaluation, ProgressReport
from marketplace.models.escalations import Escalation
from marketplace.models.listings import Need, Offer
from marketplace.models.meetings import ActionItem, JointMeeting, MeetingAttendance
from marketplace.models.notifications import Notification
from marketplace.models.pair_activities import PairActivity, PairReminder
from marketplace.models.pairing import PairingPlan, PlanAdjustment, PlanPair
from marketplace.models.places import Community, County, Township, Unit
from marketplace.models.search_outbox import SearchOutbox
from marketplace.models.taxonomy import Category, ServiceType

__all__ = [
    "ROLES",
    "ActionItem",
    "ApiToken",
    "AssessmentWeight",
    "AssessmentYear",
    "AuditEntry",
    "Booking",
    "BookingSlot",
    "Category",
    "Claim",
    "Community",
    "CommunityRating",
    "County",
    "Escalation",
    "Evaluation",
    "JointMeeting",
    "LoginFailure",
    "MeetingAttendance",
    "Need",
    "Notification",
    "Offer",
    "PairActivity",
    "PairReminder",
    "PairingPlan",
    "PlanAdjustment",
    "PlanPair",
    "ProgressReport",
    "SearchOutbox",
    "ServiceType",
    "Township",
    "Unit",
    "User",
]
