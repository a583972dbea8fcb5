"""The administrator's account form."""

from wtforms import PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from marketplace.models import ROLES
from marketplace.security import PASSWORD_MAX_LENGTH
from marketplace.services.fields import ACCOUNT
from marketplace.web.form_rules import ChineseForm, text_field


class UserForm(ChineseForm):
    username = text_field(ACCOUNT["username"])
    display_name = text_field(ACCOUNT["display_name"])
    phone = text_field(ACCOUNT["phone"])
    role = SelectField("角色", choices=[SelectChoice(k, v) for k, v in ROLES.items()])
    community_id = SelectField("所属社区（社区工作人员）", coerce=int, default=0)
    unit_id = SelectField("所属单位（单位党组织书记）", coerce=int, default=0)
    township_id = SelectField("所属乡镇（街道）（乡镇工作人员）", coerce=int, default=0)
    password = PasswordField(
        "初始密码",
        validators=[DataRequired("请设置初始密码。"), Length(max=PASSWORD_MAX_LENGTH)],
        description="至少 8 个字符，不要使用常见密码；请通知本人登录后修改。",
    )
    confirm = PasswordField("确认密码", validators=[EqualTo("password", "两次输入的密码不一致。")])

    def set_places(self, communities, units, townships=()) -> None:
        """Offer the county's communities, units and townships as bindings."""
        self.community_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(c.id, c.name) for c in communities
        ]
        self.unit_id.choices = [SelectChoice(0, "—")] + [SelectChoice(u.id, u.name) for u in units]
        self.township_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(t.id, t.name) for t in townships
        ]
