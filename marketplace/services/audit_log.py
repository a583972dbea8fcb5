"""The audit page (操作日志) for administrators and reviewers: filter, page, read in Chinese.

Entries are stored with codes (``claim.propose``) and user ids; the names come from
``services/audit_labels.py`` and this module joins the people's display names, so nobody
reads codes.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from marketplace import clock
from marketplace.errors import Forbidden
from marketplace.models import AuditEntry, User
from marketplace.services.access import has_role
from marketplace.services.audit_labels import (
    ACTION_LABELS,
    OBJECT_LABELS,
    action_label,
    describe,
    object_label,
    person,
)
from marketplace.services.fields import AUDIT_FILTER, FieldReader, keyword_pattern
from marketplace.services.pagination import Page, paginate


@dataclass
class AuditFilters:
    who: str = ""  # a display name or username, partly
    action: str = ""  # a code, or a prefix such as "claim."
    object_type: str = ""
    object_id: int | None = None
    since: date | None = None  # county dates, both inclusive
    until: date | None = None


@dataclass
class AuditRow:
    entry: AuditEntry
    person: str  # display name (role), or 系统 / 匿名访客

    @property
    def action_label(self) -> str:
        return action_label(self.entry.action)

    @property
    def object_label(self) -> str:
        return object_label(self.entry.object_type, self.entry.object_id)

    @property
    def before(self) -> list[tuple[str, str]]:
        return describe(self.entry.before, self.entry.object_type)

    @property
    def after(self) -> list[tuple[str, str]]:
        return describe(self.entry.after, self.entry.object_type)


def read_filters(args) -> AuditFilters:
    """Parse the audit page's filters; raise InvalidInput in Chinese."""
    reader = FieldReader(args)
    filters = AuditFilters(
        who=reader.read("who", AUDIT_FILTER["who"]),
        action=reader.read("action", AUDIT_FILTER["action"]),
        object_type=reader.read("object_type", AUDIT_FILTER["object_type"]),
        object_id=reader.integer("object_id", "对象编号", minimum=1, maximum=2**31 - 1),
        since=reader.day("since", "开始日期"),
        until=reader.day("until", "结束日期"),
    )
    if filters.action and filters.action not in dict(action_choices()):
        reader.fail("action", "未知的操作类型。")
    if filters.since and filters.until and filters.until < filters.since:
        reader.fail("until", "结束日期不能早于开始日期。")
    reader.raise_if_invalid()
    return filters


def audit_page(actor: User, filters: AuditFilters, page: int = 1, per_page: int = 50) -> Page:
    """Return one page of audit entries, newest first (administrators and reviewers)."""
    if not has_role(actor, "admin", "reviewer"):
        raise Forbidden("只有系统管理员和组织部审核员可以查看操作日志。")
    query = select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.user_id)
    if filters.who:
        pattern = keyword_pattern(filters.who)
        query = query.where(
            or_(
                User.display_name.ilike(pattern),
                User.username.ilike(pattern),
                AuditEntry.username.ilike(pattern),
            )
        )
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(AuditEntry.action.startswith(filters.action))
        else:
            query = query.where(AuditEntry.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.since:
        query = query.where(AuditEntry.at >= clock.day_bounds(filters.since)[0])
    if filters.until:
        query = query.where(AuditEntry.at < clock.day_bounds(filters.until)[1])
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    result = paginate(query, page, per_page, scalars=False)
    result.items = [AuditRow(entry, person(user, entry.username)) for entry, user in result.items]
    return result


def action_choices() -> list[tuple[str, str]]:
    """Return the action filter's choices: groups by object, then each action."""
    groups = [(f"{kind}.", f"全部{label}操作") for kind, label in OBJECT_LABELS.items()]
    return groups + sorted(ACTION_LABELS.items(), key=lambda item: item[0])
