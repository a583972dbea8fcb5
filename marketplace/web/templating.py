"""Template globals and filters: navigation by role, unread count, local times."""

from urllib.parse import urlencode

from flask import Flask, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from marketplace import privacy
from marketplace.clock import local_time
from marketplace.services import access
from marketplace.services.access import has_role
from marketplace.web.confirmation import init_confirmation

TEMPLATE_POLICIES = (
    "can_manage",
    "can_post_wishes",
    "can_claim_wishes",
    "is_wish_claimer",
    "can_see_resident",
    "is_self",
    "may_see_meeting_matrix",
)

# Entries whose endpoint is not registered are left out, so an area can ship alone. An
# entry is (endpoint, label) or a group (label, [entries]) shown as one menu, which keeps
# a role's bar on one line at 1366 px.
PUBLIC_SERVICES = [
    ("search.facilities", "找场地"),
    ("county_map.index", "亲民地图"),
    ("wishes.wall", "微心愿"),
    ("hotline.intake", "110求助"),
]
NAVIGATION = {
    None: [("main.index", "首页"), *PUBLIC_SERVICES],
    "community": [
        ("community.dashboard", "社区工作台"),
        ("community.needs", "需求清单"),
        ("community.projects", "项目清单"),
        ("pairs.mine", "结对单位"),
        (
            "党员与志愿",
            [
                ("member_desk.ledger", "在职党员"),
                ("wish_desk.mine", "心愿"),
                ("hotline_desk.team_queue", "110派单"),
            ],
        ),
        (
            "共建督导",
            [
                ("pair_activities.index", "对接活动"),
                ("meetings.index", "联席会议"),
                ("escalations.index", "上报事项"),
                ("annual_grades.index", "年度评议单位"),
                ("funds.index", "经费台账"),
                ("committee.index", "大党委"),
            ],
        ),
    ],
    "unit": [
        ("unit.dashboard", "单位工作台"),
        ("unit.browse_needs", "需求大厅"),
        ("unit.offers", "资源清单"),
        ("unit.projects", "项目清单"),
        ("booking_desk.incoming", "预约申请"),
        (
            "结对共建",
            [
                ("pairs.mine", "结对社区"),
                ("pair_activities.index", "对接活动"),
                ("escalations.index", "统筹安排给本单位的事项"),
                ("annual_grades.index", "年度评议社区"),
                ("funds.index", "帮扶经费"),
            ],
        ),
        ("党员与志愿", [("unit_members.index", "在职党员"), ("wish_desk.mine", "我的心愿")]),
    ],
    "reviewer": [
        ("review.dashboard", "结对审核"),
        ("review.plans", "结对方案"),
        (
            "督导考核",
            [
                ("compliance.matrix", "对接达标"),
                ("meetings.index", "联席会议"),
                ("escalations.index", "统筹队列"),
                ("coverage.heatmap", "需求覆盖"),
                ("assessment.index", "年度考核"),
                ("funds.index", "经费台账"),
                ("committee.index", "大党委"),
            ],
        ),
        (
            "党员与志愿",
            [("member_review.index", "党员报到"), ("hotline_desk.dashboard", "110统计")],
        ),
        ("ledgers.index", "台账"),
        ("audit.index", "操作日志"),
    ],
    "admin": [
        ("admin.dashboard", "系统管理"),
        ("ledgers.index", "台账与导入"),
        ("audit.index", "操作日志"),
        ("point_rules.index", "积分规则"),
        ("notify_admin.index", "消息通道"),
    ],
    "member": [
        ("members.home", "我的"),
        ("members.post_list", "选岗"),
        ("members.services", "服务记录"),
        ("members.my_points", "积分"),
        ("wish_desk.mine", "我的心愿"),
        ("hotline_desk.team_queue", "110派单"),
    ],
    # A member whose report the community has not confirmed yet: only what they can do.
    "member_unreported": [("members.home", "我的"), ("members.report", "报到")],
    "township": [
        ("compliance.matrix", "对接达标"),
        ("meetings.index", "联席会议"),
        ("escalations.index", "统筹队列"),
        ("coverage.heatmap", "需求覆盖"),
        ("经费与大党委", [("funds.index", "经费台账"), ("committee.index", "大党委")]),
    ],
    "dispatcher": [
        ("hotline_desk.queue", "110工单"),
        ("hotline_desk.new", "登记来电"),
        ("hotline_desk.batch", "批量派单"),
        ("hotline_desk.dashboard", "110统计"),
    ],
}


def _navigation_key(role: str | None, user) -> str | None:
    """Return the navigation a user sees: their role's, or the not yet reported member's."""
    from marketplace.services.members.members import member_or_none

    if has_role(user, "member"):
        member = member_or_none(user)
        if member is None or member.community_id is None:
            return "member_unreported"
    return role


def navigation_for(role: str | None, registered) -> list[dict]:
    """Return a role's navigation: links ``{"endpoint", "label"}`` and menus ``{"label",
    "children"}``, without entries whose endpoint is not registered or menus left empty."""
    # Signed-in users reach the home page through the brand link; the public services
    # share one menu so that the role's own work fits on the bar.
    entries = (
        NAVIGATION[None] if role is None else [*NAVIGATION[role], ("便民服务", PUBLIC_SERVICES)]
    )
    items = []
    for first, second in entries:
        if isinstance(second, list):
            children = [{"endpoint": e, "label": label} for e, label in second if e in registered]
            if children:
                items.append({"label": first, "children": children})
        elif first in registered:
            items.append({"endpoint": first, "label": second})
    return items


def url_with(**changes) -> str:
    """Return this page's address with some query arguments replaced (e.g. ``page``).

    Built from the path and the query string alone, so no query argument can reach
    ``url_for`` (``community_id=abc`` clashing with a URL part, ``_external=1``).
    """
    args = MultiDict(request.args)
    for key, value in changes.items():
        args.setlist(key, [] if value is None else [str(value)])
    query = urlencode(list(args.items(multi=True)))
    return f"{request.path}?{query}" if query else request.path


def init_templating(app: Flask) -> None:
    """Register the context processor and filters used by the base layout."""
    app.add_template_filter(local_time, "local_time")
    for name in ("mask_name", "mask_phone"):
        app.add_template_filter(getattr(privacy, name), name)
    # the names parallel branches still use; remove once their templates say mask_*
    app.add_template_filter(privacy.mask_name, "masked_name")
    app.add_template_filter(privacy.mask_phone, "masked_phone")
    app.add_template_global(lambda name: name in app.view_functions, "has_endpoint")
    for policy in TEMPLATE_POLICIES:  # templates ask the access module, never compare roles
        app.add_template_global(getattr(access, policy), policy)
    app.add_template_global(url_with, "url_with")
    init_confirmation(app)

    @app.context_processor
    def navigation_context():
        role = current_user.role if current_user.is_authenticated else None
        items = navigation_for(_navigation_key(role, current_user), app.view_functions)
        unread = 0
        if role:
            from marketplace.services.notifications import unread_count

            unread = unread_count(current_user)
        return {"nav_items": items, "unread_notifications": unread}
