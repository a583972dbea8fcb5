"""The audit page (操作日志) for administrators and reviewers: filter, page, read in Chinese.

Entries are stored with codes (``claim.propose``) and user ids; this module gives them
readable names (认领需求) and joins the people's display names, so nobody reads codes.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from marketplace import clock
from marketplace.errors import Forbidden
from marketplace.models import AuditEntry, User
from marketplace.services.access import has_role
from marketplace.services.fields import AUDIT_FILTER, FieldReader, keyword_pattern
from marketplace.services.pagination import Page, paginate

ACTION_LABELS = {
    "need.create": "创建需求",
    "need.update": "修改需求",
    "need.publish": "发布需求",
    "need.withdraw": "撤回需求",
    "need.expire": "需求过期",
    "need.invite": "邀请单位认领",
    "claim.propose": "认领",
    "claim.accept": "接受认领",
    "claim.decline": "婉拒认领",
    "claim.withdraw": "撤回认领",
    "claim.progress": "汇报进展",
    "claim.complete": "标记完成",
    "claim.rate": "评价",
    "offer.create": "新增资源",
    "offer.update": "修改资源",
    "offer.publish": "发布资源",
    "offer.withdraw": "撤回资源",
    "booking.requested": "申请预约场地",
    "booking.accepted": "接受预约",
    "booking.declined": "婉拒预约",
    "booking.cancelled": "取消预约",
    "booking.lookup_failed": "预约查询未找到",
    "booking.series_requested": "申请重复预约",
    "booking.series_accepted": "接受重复预约",
    "booking.series_declined": "婉拒重复预约",
    "attachment.add": "上传附件",
    "attachment.delete": "删除附件",
    "attachment.publish": "公开展示附件",
    "attachment.unpublish": "撤下公开附件",
    "meeting.announce": "预告会议",
    "meeting.rsvp": "回复会议邀请",
    "meeting.record": "记录会议",
    "meeting.remind": "会前提醒",
    "pairing_plan.create": "生成结对方案",
    "pairing_plan.adjust": "调整结对方案",
    "pairing_plan.submit": "提交审核",
    "pairing_plan.return": "退回修改",
    "pairing_plan.approve": "批准方案",
    "pairing_plan.publish": "发布方案",
    "pairing_plan.supersede": "方案被替代",
    "pairing_plan.discard": "废弃方案",
    "pairing.published": "结对方案发布",
    "login.succeeded": "登录",
    "login.failed": "登录失败",
    "login.throttled": "登录受限",
    "auth.login": "登录",
    "password.changed": "修改密码",
    "password.change_refused": "修改密码被拒绝",
    "api_token.issued": "签发接口令牌",
    "user.created": "创建账号",
    "user.disabled": "停用账号",
    "user.enabled": "启用账号",
    "access.refused": "越权访问被拒绝",
    "import.communities": "导入社区",
    "import.units": "导入单位",
    "import.needs": "导入需求",
    "claim.rate_support": "单位评价社区支持",
    "unit.grade": "社区年度评议单位",
    "community.rate": "单位年度评议社区",
    "notify.settings": "修改通知设置",
    "notify.calendar_issued": "生成日历订阅地址",
    "notify.calendar_revoked": "撤销日历订阅地址",
    "notify.webhook_set": "设置群机器人",
    "notify.webhook_removed": "删除群机器人",
    "notify.test": "发送测试消息",
    "notify.retry": "重试失败的投递",
    "notify.sms_opt_out": "短信退订",
    "fund.pledge": "登记帮扶承诺",
    "fund.contribution": "登记帮扶到位",
    "fund.budget": "登记工作经费",
    "fund.spending": "登记经费支出",
    "fund.reverse": "更正经费记录",
    "fund.approve": "批准大额支出",
    "fund.refuse": "不批准大额支出",
    "committee.member_add": "任命兼职委员",
    "committee.member_leave": "兼职委员离任",
    "committee.org_add": "新增大党委成员组织",
    "committee.attendance": "登记兼职委员出席",
}
OBJECT_LABELS = {
    "need": "需求",
    "claim": "认领",
    "offer": "资源",
    "booking": "预约",
    "booking_series": "重复预约",
    "attachment": "附件",
    "joint_meeting": "会议",
    "pairing_plan": "结对方案",
    "user_account": "账号",
    "community": "社区",
    "unit": "单位",
    "delivery": "站外通知投递",
    "fund_entry": "经费记录",
    "committee_member": "兼职委员",
    "committee_org": "大党委组织",
}


def action_label(action: str) -> str:
    """Return the Chinese name of an action; an unknown one names its object, else the code."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    kind, _, verb = action.partition(".")
    return f"{OBJECT_LABELS[kind]} · {verb}" if kind in OBJECT_LABELS and verb else action


def object_label(object_type: str, object_id: int | None) -> str:
    """Return e.g. 需求 #12."""
    if not object_type:
        return ""
    name = OBJECT_LABELS.get(object_type, object_type)
    return f"{name} #{object_id}" if object_id is not None else name


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


def _person(entry: AuditEntry, user: User | None) -> str:
    if user is not None:
        return f"{user.display_name or user.username}（{user.role_label}）"
    if entry.username == "system":
        return "系统"
    return entry.username or "匿名访客"


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
    result.items = [AuditRow(entry, _person(entry, user)) for entry, user in result.items]
    return result


def action_choices() -> list[tuple[str, str]]:
    """Return the action filter's choices: groups by object, then each action."""
    groups = [(f"{kind}.", f"全部{label}操作") for kind, label in OBJECT_LABELS.items()]
    return groups + sorted(ACTION_LABELS.items(), key=lambda item: item[0])
