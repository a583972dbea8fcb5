"""The one table of Chinese names for audit entries: actions, objects, fields, values.

Entries are stored with codes (``claim.propose``, ``starts_at``, ``superseded``); every
page and export that shows an entry reads it through this module, so nobody reads a
code. ``tests/test_audit_labels.py`` collects every code and field the source writes and
fails when one has no name here.
"""

from datetime import datetime

from marketplace import clock
from marketplace.models.accounts import ROLES
from marketplace.models.bookings import BOOKING_STATUSES
from marketplace.models.claims import CLAIM_STATUSES
from marketplace.models.escalations import ESCALATION_LEVELS, ESCALATION_STATUSES
from marketplace.models.hotline import OVERDUE_STAGES, TICKET_STATUSES
from marketplace.models.listings import NEED_STATUSES, OFFER_KINDS, OFFER_STATUSES
from marketplace.models.meetings import ACTION_STATUSES
from marketplace.models.members import REPORT_STATUSES, SERVICE_KINDS, SERVICE_STATUSES
from marketplace.models.pair_activities import ACTIVITY_KINDS, ACTIVITY_STATUSES
from marketplace.models.pairing import PLAN_STATUSES
from marketplace.models.points import POINT_SOURCES
from marketplace.models.wishes import WISH_STATUSES

ACTION_LABELS = {
    # exchange: needs, offers, claims, bookings
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
    # pairing
    "pairing_plan.create": "生成结对方案",
    "pairing_plan.adjust": "调整结对方案",
    "pairing_plan.submit": "提交审核",
    "pairing_plan.return": "退回修改",
    "pairing_plan.approve": "批准方案",
    "pairing_plan.publish": "发布方案",
    "pairing_plan.supersede": "方案被替代",
    "pairing_plan.discard": "废弃方案",
    "pairing_preference.update": "修改结对意向",
    # accounts and access
    "login.succeeded": "登录",
    "login.failed": "登录失败",
    "login.refused": "登录被拒绝（账号停用）",
    "login.throttled": "登录受限",
    "session.ended.logout": "退出登录",
    "password.changed": "修改密码",
    "password.change_refused": "修改密码被拒绝",
    "api_token.issued": "签发接口令牌",
    "api_token.revoked": "吊销接口令牌",
    "user.created": "创建账号",
    "user.disabled": "停用账号",
    "user.enabled": "启用账号",
    "access.refused": "越权访问被拒绝",
    "import.communities": "导入社区",
    "import.units": "导入单位",
    "import.needs": "导入需求",
    "search.synonyms_add": "添加搜索同义词",
    "search.synonyms_remove": "删除搜索同义词",
    "record_check.run": "数据一致性检查",
    # party members
    "member.registered": "登记在职党员",
    "member.imported": "导入在职党员",
    "member_report.submitted": "提交报到",
    "member_report.confirmed": "确认报到",
    "member_report.returned": "退回报到",
    "post.created": "新增服务岗位",
    "post.updated": "修改服务岗位",
    "post.chosen": "选择服务岗位",
    "team.created": "新建服务队",
    "team.updated": "修改服务队",
    "team.officer": "任命服务队负责人",
    "team.placed": "调整服务队编队",
    "team.defaults": "采纳编队建议",
    "activity.created": "发布党员活动",
    "activity.checked_in": "活动扫码签到",
    "service.logged": "登记志愿服务",
    "service.confirmed": "确认志愿服务",
    "service.returned": "退回志愿服务",
    "point_rules.updated": "修改积分规则",
    "points.corrected": "更正积分",
    "points.redeemed": "兑换积分",
    "shop_item.created": "新增积分超市商品",
    "shop_item.updated": "修改积分超市商品",
    # wishes and the hotline
    "wish.post": "发布微心愿",
    "wish.claim": "认领微心愿",
    "wish.fulfil": "完成微心愿",
    "wish.confirm": "确认微心愿",
    "wish.withdraw": "撤回微心愿",
    "wish.expire": "微心愿过期",
    "hotline.received": "受理求助",
    "hotline.dispatched": "派单",
    "hotline.accepted": "接单",
    "hotline.declined": "退单",
    "hotline.served": "完成服务",
    "hotline.followed_up": "回访",
    "hotline.reopened": "重新办理",
    "hotline.closed": "办结",
    "hotline.overdue": "工单超时",
    # oversight
    "pair_activity.log": "登记对接活动",
    "pair_activity.confirm": "确认对接活动",
    "pair_activity.remind": "提醒开展对接活动",
    "meeting.record": "记录联席会议",
    "action_item.create": "新增会议事项",
    "action_item.done": "完成会议事项",
    "escalation.create": "上报问题",
    "escalation.suggest": "建议上报",
    "escalation.escalate": "继续上报",
    "escalation.assign": "交办",
    "escalation.accept": "受理上报",
    "escalation.refuse": "不予受理",
    "escalation.withdraw": "撤回上报",
    "assessment.weights": "设置考核权重",
    "community.rate": "评价社区",
    "booking.series_requested": "申请重复预约",
    "booking.series_accepted": "接受重复预约",
    "booking.series_declined": "婉拒重复预约",
    "attachment.add": "上传附件",
    "attachment.delete": "删除附件",
    "attachment.publish": "公开展示附件",
    "attachment.unpublish": "撤下公开附件",
    "meeting.announce": "预告会议",
    "meeting.rsvp": "回复会议邀请",
    "meeting.remind": "会前提醒",
    "pairing.published": "结对方案发布",
    "auth.login": "登录",
    "claim.rate_support": "单位评价社区支持",
    "unit.grade": "社区年度评议单位",
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
    "activity.checked_out": "扫码签退",
}

OBJECT_LABELS = {
    "need": "需求",
    "claim": "认领",
    "offer": "资源",
    "booking": "预约",
    "pairing_plan": "结对方案",
    "pairing_preference": "结对意向",
    "user_account": "账号",
    "api_token": "接口令牌",
    "community": "社区",
    "unit": "单位",
    "member": "在职党员",
    "member_report": "报到",
    "member_post": "服务岗位",
    "member_team": "服务队",
    "member_activity": "党员活动",
    "service_record": "志愿服务记录",
    "point_rule": "积分规则",
    "point_entry": "积分",
    "shop_item": "积分超市商品",
    "wish": "微心愿",
    "hotline_ticket": "志愿服务110工单",
    "pair_activity": "对接活动",
    "pair_reminder": "对接活动提醒",
    "joint_meeting": "联席会议",
    "action_item": "会议事项",
    "escalation": "上报问题",
    "assessment_year": "年度考核",
    "community_rating": "社区评价",
    "search_synonyms": "搜索同义词",
    "record_check": "数据一致性检查",
    "booking_series": "重复预约",
    "attachment": "附件",
    "delivery": "站外通知投递",
    "fund_entry": "经费记录",
    "committee_member": "兼职委员",
    "committee_org": "大党委组织",
}

FIELD_LABELS = {
    "status": "状态",
    "need_status": "需求状态",
    "claimed": "已认领",
    "quantity": "数量",
    "title": "标题",
    "name": "名称",
    "kind": "类型",
    "description": "说明",
    "note": "备注",
    "capacity": "容量",
    "monthly_quantity": "每月数量",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "held_on": "举行日期",
    "version": "版本",
    "pairs": "结对数",
    "total_score": "总分",
    "replaced_by": "被替代为方案",
    "unit_id": "单位",
    "community_id": "社区",
    "other_unit_id": "对调单位",
    "keep": "希望保留",
    "gain": "希望新增",
    "active": "启用",
    "role": "角色",
    "username": "用户名",
    "created": "新增",
    "skipped": "跳过",
    "added": "新加入",
    "dry_run": "仅试导入",
    "progress": "进度",
    "places": "名额",
    "post_id": "服务岗位",
    "team_id": "服务队",
    "leader_user_id": "队长",
    "activity_id": "党员活动",
    "hours": "时长（小时）",
    "amount": "积分",
    "cost": "所需积分",
    "stock": "库存",
    "item_id": "商品",
    "claimer_user_id": "认领人",
    "fulfil_note": "完成说明",
    "fulfilled_at": "完成时间",
    "fulfilled_on": "完成日期",
    "confirmed_at": "确认时间",
    "confirmed_by_id": "确认人",
    "thanks": "感谢语",
    "dispatched_at": "派单时间",
    "first_dispatched_at": "首次派单时间",
    "accepted_at": "接单时间",
    "served_at": "服务时间",
    "service_hours": "服务时长（小时）",
    "service_summary": "服务情况",
    "followed_up_at": "回访时间",
    "followup_note": "回访记录",
    "satisfaction": "满意度",
    "resolved": "问题已解决",
    "closed_at": "办结时间",
    "declines": "退单次数",
    "reopens": "重新办理次数",
    "dispatch_due_at": "派单时限",
    "serve_due_at": "服务时限",
    "overdue_at": "超时时间",
    "overdue_stage": "超时环节",
    "invited": "受邀单位",
    "present": "出席单位",
    "level": "上报层级",
    "stars": "星级",
    "eligible_quarters": "先进单位所需达标季度",
    "day": "日期",
    "differences": "不一致处",
    "record": "所属记录",
    "type": "文件类型",
    "is_public": "公开展示",
    "bytes": "文件大小（字节）",
    "origin": "来源",
    "from_unit_id": "所在单位",
    "organisation": "所在单位或组织",
    "post": "岗位",
    "duties": "职责",
    "secretary_seat": "社区书记在该组织的任职",
    "joined_on": "任职日期",
    "left_on": "离任日期",
    "every": "重复方式",
    "count": "次数",
    "first": "首次日期",
    "occurrences": "各次预约",
    "claim_id": "认领项目",
    "source": "经费来源",
    "amount_fen": "金额（分）",
    "materials": "物资",
    "project": "项目",
    "entry_date": "日期",
    "reverses_id": "更正的记录",
    "reason": "原因",
    "year": "年度",
    "rsvp": "回复",
    "max_changes": "最多变动对数",
    "max_change_share": "最多变动比例",
    "kept": "保留结对",
    "dropped": "撤销结对",
}

_VALUES_BY_OBJECT = {
    "need": NEED_STATUSES,
    "claim": CLAIM_STATUSES,
    "offer": OFFER_STATUSES,
    "booking": BOOKING_STATUSES,
    "pairing_plan": PLAN_STATUSES,
    "member_report": REPORT_STATUSES,
    "service_record": SERVICE_STATUSES,
    "wish": WISH_STATUSES,
    "hotline_ticket": TICKET_STATUSES,
    "pair_activity": ACTIVITY_STATUSES,
    "action_item": ACTION_STATUSES,
    "escalation": ESCALATION_STATUSES,
}
_VALUES_BY_FIELD = {
    "need_status": NEED_STATUSES,
    "role": ROLES,
    "level": ESCALATION_LEVELS,
    "overdue_stage": OVERDUE_STAGES,
}
_KINDS_BY_OBJECT = {
    "offer": OFFER_KINDS,
    "pair_activity": ACTIVITY_KINDS,
    "member_activity": SERVICE_KINDS,
    "service_record": SERVICE_KINDS,
}
_ALL_STATUSES = {
    **OFFER_STATUSES,
    **CLAIM_STATUSES,
    **NEED_STATUSES,
    **PLAN_STATUSES,
    **TICKET_STATUSES,
    **WISH_STATUSES,
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


def field_label(key: str) -> str:
    """Return the Chinese name of a field of before/after data (a part or source by its name)."""
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    if key in POINT_SOURCES:  # the point rules' entries are keyed by source
        return POINT_SOURCES[key]
    from marketplace.services.oversight.assessment_parts import PARTS

    return PARTS[key].label if key in PARTS else key  # assessment weights by part


def value_label(object_type: str, key: str, value) -> str:
    """Return a stored value as a person reads it: a status by its name, 是/否, a local time."""
    if value is None:
        return "—"  # no value yet (a record's first state)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value_label(object_type, key, item) for item in value)
    table = _VALUES_BY_FIELD.get(key)
    if table is None and key == "status":
        table = _VALUES_BY_OBJECT.get(object_type, _ALL_STATUSES)
    if table is None and key == "kind":
        table = _KINDS_BY_OBJECT.get(object_type, {})
    if table and value in table:
        return table[value]
    if isinstance(value, str) and key.endswith("_at") and len(value) >= 19:
        try:
            return clock.local_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def describe(values: dict | None, object_type: str = "") -> list[tuple[str, str]]:
    """Return before/after data as (label, readable value) pairs."""
    return [
        (field_label(key), value_label(object_type, key, value))
        for key, value in (values or {}).items()
    ]


def person(user, username: str = "") -> str:
    """Return who did it: the display name (role), else 系统 / 匿名访客 / the name typed."""
    if user is not None:
        return f"{user.display_name or user.username}（{user.role_label}）"
    if username == "system":
        return "系统"
    return username or "匿名访客"
