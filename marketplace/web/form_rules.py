"""The base of every form: Chinese built-in messages, and fields built from the rule tables.

Every page form derives from ``ChineseForm`` (sub-forms inside a ``FieldList`` from
``ChineseSubForm``), so WTForms' own messages ("Not a valid choice", "Field cannot be
longer than …") are Chinese in one place. Lengths and ranges come from
``marketplace.services.fields`` — the same rules the services read their input with.
"""

from flask_wtf import FlaskForm
from wtforms import Form, IntegerField, StringField
from wtforms.i18n import get_translations
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from marketplace.services.fields import TextRule, WholeRule

# Messages the shipped zh catalogue leaves in English (WTForms 3.x).
_MISSING_ZH = {
    "'%(value)s' is not a valid choice for this field.": "所选的值无效。",
    "'%(value)s' are not valid choices for this field.": "所选的值无效。",
    "One or more data is invalid.": "有一项或多项数据无效。",
    "Invalid Choice(s): one or more data inputs could not be coerced.": "选择无效。",
    "Invalid CSRF Token.": "安全令牌无效，请刷新页面后重试。",
    "CSRF token missing.": "缺少安全令牌，请刷新页面后重试。",
    "CSRF token expired.": "安全令牌已过期，请刷新页面后重试。",
    "CSRF failed.": "安全校验失败，请刷新页面后重试。",
}


class ChineseTranslations:
    """WTForms' zh catalogue, completed where it has no translation."""

    def __init__(self):
        self._zh = get_translations(["zh"])

    def gettext(self, message: str) -> str:
        text = self._zh.gettext(message)
        return _MISSING_ZH.get(text, text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        text = self._zh.ngettext(singular, plural, n)
        return _MISSING_ZH.get(text, text)


TRANSLATIONS = ChineseTranslations()


class ChineseMeta:
    def get_translations(self, form):
        return TRANSLATIONS


class ChineseForm(FlaskForm):
    """A Flask-WTF form (with CSRF) whose built-in messages are Chinese."""

    class Meta(ChineseMeta):
        pass


class ChineseSubForm(Form):
    """A plain WTForms form used inside ``FormField``, with Chinese messages."""

    class Meta(ChineseMeta):
        pass


def rule_validators(rule: TextRule | WholeRule) -> list:
    """Return the WTForms validators of a rule, worded as the services word them."""
    if isinstance(rule, TextRule):
        first = DataRequired(f"请填写{rule.label}。") if rule.required else Optional()
        limit = rule.max_length
        return [first, Length(max=limit, message=f"{rule.label}不能超过 {limit} 个字。")]
    first = InputRequired(f"请填写{rule.label}。") if rule.required else Optional()
    low, high = rule.minimum, rule.maximum
    return [first, NumberRange(low, high, f"{rule.label}应在 {low} 到 {high} 之间。")]


def text_field(rule: TextRule, field_class=StringField, *, label: str | None = None, **kwargs):
    """Return a text field (``StringField`` unless given) checked by ``rule``."""
    return field_class(label or rule.label, validators=rule_validators(rule), **kwargs)


def whole_field(rule: WholeRule, *, label: str | None = None, **kwargs) -> IntegerField:
    """Return an integer field checked by ``rule``."""
    kwargs.setdefault("default", rule.default)
    return IntegerField(label or rule.label, validators=rule_validators(rule), **kwargs)
