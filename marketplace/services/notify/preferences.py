"""Who gets what: notice groups, each user's channels, digest, calendar token, group robots.

A notification's ``kind`` (``claim_proposed``, ``booking.accepted`` …) belongs to one
notice group; a user chooses per group which outside channels carry it. Until the user
saves a choice, the defaults hold: with an e-mail address on the profile, claim, booking
and escalation notices also go by e-mail. The in-app notice is always written.
"""

import re
import secrets
from collections.abc import Mapping

from sqlalchemy import select

from marketplace.errors import Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import ROLES, Community, GroupWebhook, NotificationSetting, Township, User
from marketplace.models._common import utcnow
from marketplace.models.deliveries import WEBHOOK_FLAVORS, WEBHOOK_STYLES
from marketplace.services import audit
from marketplace.services.access import (
    can_manage_group_webhook,
    has_role,
    require_role,
    valid_id,
)
from marketplace.services.fields import NOTIFY, FieldReader

NOTICE_GROUPS = {
    "claims": "需求认领",
    "bookings": "场地预约",
    "escalations": "需求上报",
    "meetings": "联席会议",
    "hotline": "志愿服务110",
    "members": "党员报到与服务",
    "wishes": "微心愿",
    "pairing": "结对共建",
    "other": "其他通知",
}
_GROUP_PREFIXES = (
    ("claim", "claims"),
    ("need", "claims"),
    ("booking", "bookings"),
    ("escalation", "escalations"),
    ("action_item", "meetings"),
    ("meeting", "meetings"),
    ("hotline", "hotline"),
    ("member", "members"),
    ("service_record", "members"),
    ("points", "members"),
    ("wish", "wishes"),
    ("pair", "pairing"),
)
USER_CHANNELS = {"email": "电子邮件", "sms": "短信"}
DEFAULT_CHANNELS = {"claims": ["email"], "bookings": ["email"], "escalations": ["email"]}
# What a community's or township's work group hears from its robot.
WEBHOOK_GROUPS = frozenset({"claims", "meetings", "escalations"})
WEBHOOK_KINDS = frozenset({"hotline.overdue"})
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_PATTERN = re.compile(r"^https?://[^\s/]+\S*$")


def group_of(kind: str) -> str:
    """Return the notice group of a notification kind."""
    for prefix, group in _GROUP_PREFIXES:
        if kind.startswith(prefix):
            return group
    return "other"


def goes_to_group_robot(kind: str) -> bool:
    """Tell whether a kind of notice is also posted to the recipients' work group."""
    return group_of(kind) in WEBHOOK_GROUPS or kind in WEBHOOK_KINDS


def setting_of(user: User) -> NotificationSetting | None:
    return db.session.get(NotificationSetting, user.id)


def settings_by_user(user_ids: list[int]) -> dict[int, NotificationSetting]:
    """Return the saved settings of these users, by id (one query)."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id.in_(user_ids))
    )
    return {row.user_id: row for row in rows}


def chosen_channels(setting: NotificationSetting | None) -> dict[str, list[str]]:
    """Return the user's channels per notice group (the defaults until saved)."""
    if setting is None or setting.channels is None:
        return {group: list(channels) for group, channels in DEFAULT_CHANNELS.items()}
    return {group: list(channels) for group, channels in setting.channels.items()}


def settings_view(user: User) -> dict:
    """Return the user's settings as the page and the API show them."""
    setting = setting_of(user)
    return {
        "email": setting.email if setting else "",
        "channels": chosen_channels(setting),
        "digest": bool(setting and setting.digest),
        "calendar_token": setting.calendar_token if setting else None,
        "phone_on_profile": bool(user.phone),
    }


def _read_channels(reader: FieldReader, raw) -> dict[str, list[str]] | None:
    if not isinstance(raw, Mapping):
        reader.fail("channels", "通知方式的格式应为 {类别: [方式, …]}。")
        return None
    chosen = {}
    for group, channels in raw.items():
        if group not in NOTICE_GROUPS:
            reader.fail("channels", f"未知的通知类别：{str(group)[:40]}。")
            return None
        if not isinstance(channels, list | tuple) or any(c not in USER_CHANNELS for c in channels):
            reader.fail("channels", f"「{NOTICE_GROUPS[group]}」的通知方式只能是电子邮件或短信。")
            return None
        if channels:
            chosen[group] = sorted(set(channels))
    return chosen


def _record(action: str, actor: User, detail: str, after: dict | None = None) -> None:
    audit.record(action, actor=actor, obj=actor, detail=detail, after=after)


def update_settings(actor: User, data: Mapping) -> NotificationSetting:
    """Save the user's e-mail address, channels per notice group and digest choice."""
    require_role(actor, *ROLES)
    reader = FieldReader(data)
    setting = setting_of(actor) or NotificationSetting(user_id=actor.id)
    email = reader.read("email", NOTIFY["email"]) if reader.has("email") else setting.email or ""
    if email and not EMAIL_PATTERN.match(email):
        reader.fail("email", "电子邮箱格式不正确。")
    channels = setting.channels
    if "channels" in data:
        channels = _read_channels(reader, data["channels"])
    digest = data.get("digest", bool(setting.digest))
    if not isinstance(digest, bool):
        reader.fail("digest", "每日汇总应为是或否。")
    reader.raise_if_invalid()
    if channels == DEFAULT_CHANNELS:
        channels = None  # the defaults, kept as defaults
    setting.email, setting.channels, setting.digest = email, channels, digest
    setting.updated_at = utcnow()
    db.session.add(setting)
    _record(
        "notify.settings",
        actor,
        "通知设置",
        {"email_set": bool(email), "channels": channels, "digest": digest},
    )
    db.session.commit()
    return setting


def issue_calendar_token(actor: User) -> str:
    """Give the user a new private calendar address (the old one stops working)."""
    require_role(actor, *ROLES)
    setting = setting_of(actor) or NotificationSetting(user_id=actor.id)
    setting.calendar_token = secrets.token_urlsafe(24)
    db.session.add(setting)
    _record("notify.calendar_issued", actor, "生成日历订阅地址")
    db.session.commit()
    return setting.calendar_token


def revoke_calendar_token(actor: User) -> None:
    """Revoke the user's calendar address: it answers 404 from now on."""
    require_role(actor, *ROLES)
    setting = setting_of(actor)
    if setting is None or setting.calendar_token is None:
        return
    setting.calendar_token = None
    _record("notify.calendar_revoked", actor, "撤销日历订阅地址")
    db.session.commit()


def user_for_calendar(token: str) -> User:
    """Return the active user whose calendar address this is; NotFound otherwise."""
    if not token or len(token) > 64:
        raise NotFound("日历不存在。")
    setting = db.session.scalar(
        select(NotificationSetting).where(NotificationSetting.calendar_token == token)
    )
    user = db.session.get(User, setting.user_id) if setting else None
    if user is None or not user.active:
        raise NotFound("日历不存在。")
    return user


def _group(community_id, township_id) -> tuple[str, int]:
    if valid_id(community_id) and db.session.get(Community, community_id) is not None:
        return "community", community_id
    if valid_id(township_id) and db.session.get(Township, township_id) is not None:
        return "township", township_id
    raise InvalidInput("请选择社区或乡镇（街道）。", field="community_id")


def group_webhook(community_id: int | None = None, township_id: int | None = None):
    """Return the robot of a community's or a township's group, if one is set."""
    column = GroupWebhook.community_id if community_id else GroupWebhook.township_id
    return db.session.scalar(select(GroupWebhook).where(column == (community_id or township_id)))


def own_group(user: User) -> dict | None:
    """Return the group whose robot ``user`` (community or township staff) may set."""
    if has_role(user, "community"):
        return {"community_id": user.community_id}
    if has_role(user, "township"):
        return {"township_id": user.township_id}
    return None


def all_group_webhooks() -> list[GroupWebhook]:
    """Return every group's robot (for the admin page; the URL is never shown whole)."""
    return list(db.session.scalars(select(GroupWebhook).order_by(GroupWebhook.id)))


def set_group_webhook(actor: User, data: Mapping) -> GroupWebhook | None:
    """Set (or with an empty URL remove) a group's robot: admin, or the group's own staff."""
    level, group_id = _group(data.get("community_id"), data.get("township_id"))
    ids = {"community_id": group_id} if level == "community" else {"township_id": group_id}
    if not can_manage_group_webhook(actor, **ids):
        raise Forbidden("只有系统管理员或本社区（乡镇）工作人员可以设置群机器人。")
    reader = FieldReader(data)
    url = reader.read("url", NOTIFY["webhook_url"])
    flavor = reader.choice("flavor", "机器人类型", WEBHOOK_FLAVORS, default="wecom")
    style = reader.choice("style", "消息格式", WEBHOOK_STYLES, default="text")
    if url and not URL_PATTERN.match(url):
        reader.fail("url", "机器人地址应以 http:// 或 https:// 开头。")
    reader.raise_if_invalid()
    hook = group_webhook(**ids)
    if not url:
        if hook is not None:
            db.session.delete(hook)
            _record("notify.webhook_removed", actor, f"{level}:{group_id}")
            db.session.commit()
        return None
    hook = hook or GroupWebhook(**ids)
    hook.url, hook.flavor, hook.style, hook.updated_at = url, flavor, style, utcnow()
    db.session.add(hook)
    # the URL carries the robot's key: the audit names the group and flavor only
    _record("notify.webhook_set", actor, f"{level}:{group_id}", {"flavor": flavor, "style": style})
    db.session.commit()
    return hook
