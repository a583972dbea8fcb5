"""Template globals and filters: navigation by role, unread count, local times."""

from flask import Flask
from flask_login import current_user

from marketplace.models._common import local_time

# Entries whose endpoint is not registered are left out, so an area can ship alone.
NAVIGATION = {
    None: [("main.index", "首页"), ("search.facilities", "找场地")],
    "community": [
        ("community.dashboard", "社区工作台"),
        ("community.needs", "需求清单"),
        ("community.projects", "项目清单"),
        ("pairs.mine", "结对单位"),
        ("pair_activities.index", "对接活动"),
        ("meetings.index", "联席会议"),
        ("escalations.index", "上报事项"),
    ],
    "unit": [
        ("unit.dashboard", "单位工作台"),
        ("unit.browse_needs", "需求大厅"),
        ("unit.offers", "资源清单"),
        ("unit.projects", "项目清单"),
        ("booking_desk.incoming", "预约申请"),
        ("pairs.mine", "结对社区"),
        ("pair_activities.index", "对接活动"),
    ],
    "reviewer": [
        ("review.dashboard", "结对审核"),
        ("review.plans", "结对方案"),
        ("ledgers.index", "台账"),
        ("compliance.matrix", "对接达标"),
        ("meetings.index", "联席会议"),
        ("escalations.index", "统筹队列"),
        ("coverage.heatmap", "需求覆盖"),
        ("assessment.index", "年度考核"),
    ],
    "admin": [("admin.dashboard", "系统管理"), ("ledgers.index", "台账与导入")],
    "member": [],
    "township": [
        ("compliance.matrix", "对接达标"),
        ("meetings.index", "联席会议"),
        ("escalations.index", "统筹队列"),
        ("coverage.heatmap", "需求覆盖"),
    ],
    "dispatcher": [],
}


def init_templating(app: Flask) -> None:
    """Register the context processor and filters used by the base layout."""
    app.add_template_filter(local_time, "local_time")
    app.add_template_global(lambda name: name in app.view_functions, "has_endpoint")

    @app.context_processor
    def navigation_context():
        role = current_user.role if current_user.is_authenticated else None
        items = [
            (endpoint, label)
            # signed-in users reach the home page through the brand link
            for endpoint, label in (
                NAVIGATION[None][1:] + NAVIGATION[role] if role else NAVIGATION[None]
            )
            if endpoint in app.view_functions
        ]
        unread = 0
        if role:
            from marketplace.services.notifications import unread_count

            unread = unread_count(current_user)
        return {"nav_items": items, "unread_notifications": unread}
