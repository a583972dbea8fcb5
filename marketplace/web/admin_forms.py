"""The administrator's account form."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from marketplace.models import ROLES
from marketplace.security import PASSWORD_MAX_LENGTH


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名。"), Length(max=40)])
    display_name = StringField("姓名", validators=[Length(max=40)])
    phone = StringField("联系电话", validators=[Length(max=30)])
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
