"""Account forms (login, password change)."""

from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from marketplace.security import PASSWORD_MAX_LENGTH
from marketplace.services.fields import ACCOUNT
from marketplace.web.form_rules import ChineseForm, text_field


class LoginForm(ChineseForm):
    username = text_field(ACCOUNT["username"])
    password = PasswordField(
        "密码", validators=[DataRequired("请输入密码。"), Length(max=PASSWORD_MAX_LENGTH)]
    )
    remember = BooleanField("7 天内保持登录")
    submit = SubmitField("登录")


class PasswordChangeForm(ChineseForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。")])
    new_password = PasswordField(
        "新密码",
        validators=[DataRequired("请输入新密码。"), Length(max=PASSWORD_MAX_LENGTH)],
        description="至少 8 个字符，不要使用常见密码。",
    )
    confirm = PasswordField(
        "确认新密码",
        validators=[
            DataRequired("请再次输入新密码。"),
            EqualTo("new_password", "两次输入的新密码不一致。"),
        ],
    )
    submit = SubmitField("修改密码")


class TokenForm(ChineseForm):
    label = text_field(ACCOUNT["token_label"], description="例如：台账同步脚本")
    submit = SubmitField("签发新令牌")
