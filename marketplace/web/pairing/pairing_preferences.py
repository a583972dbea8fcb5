"""A community's staff mark the units they want to keep or gain before the next run."""

from flask import Blueprint, render_template, url_for
from flask_login import current_user
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.auth import page_guard
from marketplace.services.pairing import pairing_preferences
from marketplace.web.actions import act
from marketplace.web.form_rules import ChineseForm

bp = Blueprint("pairing_preferences", __name__, url_prefix="/pairs/preferences")
bp.before_request(page_guard("community"))


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PreferencesForm(ChineseForm):
    keep = CheckboxList("希望保留的现有结对单位", coerce=int, validate_choice=False)
    gain = SelectMultipleField("希望新增的单位", coerce=int, validate_choice=False)


@bp.route("/", methods=["GET", "POST"])
def edit():
    choices = pairing_preferences.preference_choices(current_user)
    form = PreferencesForm(
        data={"keep": choices.chosen_ids("keep"), "gain": choices.chosen_ids("gain")}
    )
    form.keep.choices = [SelectChoice(unit.id, unit.name) for unit in choices.current]
    form.gain.choices = [SelectChoice(unit.id, unit.name) for unit in choices.others]
    context = {
        "choices": choices,
        "max_keep": pairing_preferences.MAX_KEEP,
        "max_gain": pairing_preferences.MAX_GAIN,
    }
    if form.validate_on_submit():
        return act(
            lambda: pairing_preferences.set_preferences(
                current_user, form.keep.data, form.gain.data
            ),
            "已保存结对意愿，组织部下次运行结对优化时会参考。",
            form=form,
            template="pairing_preferences/edit.html",
            context=context,
            target=url_for(".edit"),
        )
    return render_template("pairing_preferences/edit.html", form=form, **context)
