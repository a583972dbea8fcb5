"""Database models, one module per concept; imported here so Alembic sees them all."""

from marketplace.models.accounts import ROLES, ApiToken, User
from marketplace.models.assessment import (
    AssessmentWeight,
    AssessmentYear,
    CommunityRating,
    UnitGrade,
)
from marketplace.models.attachments import Attachment
from marketplace.models.audit import AuditEntry
from marketplace.models.bookings import Booking, BookingSeries, BookingSlot
from marketplace.models.claims import Claim, Evaluation, ProgressReport, SupportRating
from marketplace.models.committee import CommitteeAttendance, CommitteeMember, CommitteeOrg
from marketplace.models.deliveries import (
    Delivery,
    GroupWebhook,
    NotificationSetting,
    ReminderSent,
    SmsOptOut,
)
from marketplace.models.escalations import Escalation
from marketplace.models.funds import FundEntry
from marketplace.models.hotline import Ticket, TicketEvent
from marketplace.models.listings import Need, NeedInvitation, Offer
from marketplace.models.meetings import ActionItem, JointMeeting, MeetingAttendance
from marketplace.models.members import (
    Activity,
    Member,
    MemberReport,
    Post,
    ServiceRecord,
    Team,
)
from marketplace.models.notifications import Notification
from marketplace.models.pair_activities import PairActivity, PairReminder
from marketplace.models.pairing import PairingPlan, PlanAdjustment, PlanPair
from marketplace.models.pairing_preferences import PairingPreference
from marketplace.models.places import Community, County, Township, Unit
from marketplace.models.points import PointEntry, PointRule, ShopItem
from marketplace.models.search_outbox import SearchOutbox, SearchReplica
from marketplace.models.taxonomy import Category, ServiceType
from marketplace.models.throttle import ThrottleCounter
from marketplace.models.wishes import Wish

__all__ = [
    "ROLES",
    "ActionItem",
    "Activity",
    "ApiToken",
    "AssessmentWeight",
    "AssessmentYear",
    "Attachment",
    "AuditEntry",
    "Booking",
    "BookingSeries",
    "BookingSlot",
    "Category",
    "Claim",
    "CommitteeAttendance",
    "CommitteeMember",
    "CommitteeOrg",
    "Community",
    "CommunityRating",
    "County",
    "Delivery",
    "Escalation",
    "Evaluation",
    "FundEntry",
    "GroupWebhook",
    "JointMeeting",
    "MeetingAttendance",
    "Member",
    "MemberReport",
    "Need",
    "NeedInvitation",
    "Notification",
    "NotificationSetting",
    "Offer",
    "PairActivity",
    "PairReminder",
    "PairingPlan",
    "PairingPreference",
    "PlanAdjustment",
    "PlanPair",
    "PointEntry",
    "PointRule",
    "Post",
    "ProgressReport",
    "ReminderSent",
    "SearchOutbox",
    "SearchReplica",
    "ServiceRecord",
    "ServiceType",
    "ShopItem",
    "SmsOptOut",
    "SupportRating",
    "Team",
    "ThrottleCounter",
    "Ticket",
    "TicketEvent",
    "Township",
    "Unit",
    "UnitGrade",
    "User",
    "Wish",
]
