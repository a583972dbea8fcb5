"""Forms of the notify pages: a user's settings, a group's robot, a test message."""

from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField

from marketplace.models.deliveries import DELIVERY_CHANNELS, WEBHOOK_FLAVORS, WEBHOOK_STYLES
from marketplace.services.fields import NOTIFY
from marketplace.services.notify.preferences import NOTICE_GROUPS, USER_CHANNELS
from marketplace.web.exchange.marketplace_forms import choices
from marketplace.web.form_rules import ChineseForm, text_field


def channel_key(group: str, channel: str) -> str:
    return f"{group}__{channel}"


class NotifySettingsForm(ChineseForm):
    """The e-mail address, one box per notice group × channel, and the digest."""

    email = text_field(
        NOTIFY["email"], EmailField, description="填写后，认领、预约、上报通知默认同时发邮件。"
    )
    digest = BooleanField("每日汇总：电子邮件通知合并为每天早上一封")
    submit = SubmitField("保存设置")

    def fill(self, view: dict) -> None:
        """Show the saved (or default) settings."""
        self.email.data = view["email"]
        self.digest.data = view["digest"]
        for group, channels in view["channels"].items():
            for channel in channels:
                field = self._fields.get(channel_key(group, channel))
                if field is not None:
                    field.data = True

    def grid(self) -> list[tuple[str, list]]:
        """Return ``(group label, [box per channel])`` rows for the template."""
        return [
            (label, [self[channel_key(group, channel)] for channel in USER_CHANNELS])
            for group, label in NOTICE_GROUPS.items()
        ]

    def payload(self) -> dict:
        """Return what the service takes: the same keys as the API's body."""
        chosen = {
            group: [c for c in USER_CHANNELS if self[channel_key(group, c)].data]
            for group in NOTICE_GROUPS
        }
        return {
            "email": self.email.data or "",
            "digest": bool(self.digest.data),
            "channels": {group: channels for group, channels in chosen.items() if channels},
        }


for _group, _label in NOTICE_GROUPS.items():
    for _channel, _channel_label in USER_CHANNELS.items():
        setattr(
            NotifySettingsForm,
            channel_key(_group, _channel),
            BooleanField(f"{_label}：{_channel_label}"),
        )


class GroupWebhookForm(ChineseForm):
    """A group's robot: its address (with its key), type and message style."""

    url = text_field(
        NOTIFY["webhook_url"], description="企业微信或钉钉群机器人的 Webhook 地址；留空则删除。"
    )
    flavor = SelectField("机器人类型", choices=choices(WEBHOOK_FLAVORS.items()))
    style = SelectField("消息格式", choices=choices(WEBHOOK_STYLES.items()))
    submit = SubmitField("保存群机器人")


class AdminGroupWebhookForm(GroupWebhookForm):
    """An administrator's robot form: it names the group too."""

    group = SelectField("群", choices=[])

    def set_groups(self, communities, townships) -> None:
        self.group.choices = choices(
            [(f"community:{c.id}", f"社区 · {c.name}") for c in communities]
            + [(f"township:{t.id}", f"乡镇（街道） · {t.name}") for t in townships]
        )

    def group_ids(self) -> dict:
        level, _, group_id = (self.group.data or "").partition(":")
        key = "community_id" if level == "community" else "township_id"
        return {key: int(group_id) if group_id.isdigit() else None}


class TestMessageForm(ChineseForm):
    """Send a test message on one channel."""

    channel = SelectField("通道", choices=choices(DELIVERY_CHANNELS.items()))
    address = text_field(
        NOTIFY["test_address"],
        StringField,
        description="电子邮箱、手机号码，或群（如 community:3）。",
    )
    submit = SubmitField("发送测试消息")


class OptOutForm(ChineseForm):
    """Put a phone on the SMS opt-out list (it answered 「TD」)."""

    phone = text_field(NOTIFY["phone"])
    submit = SubmitField("加入退订名单")
