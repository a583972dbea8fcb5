"""Forms of the pairing review: the run form (built per county), adjustments, transitions."""

from wtforms import (
    FieldList,
    FloatField,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional

from marketplace.services.fields import PLAN
from marketplace.services.pairing.pairing_scores import ScoreWeights
from marketplace.services.pairing.plan_inputs import DEFAULT_CAPACITY, DEFAULT_QUOTA, PlanInputs
from marketplace.web.form_rules import ChineseForm, ChineseSubForm, text_field

PAIR_ROWS = 3


def _weight(label: str, default: float) -> FloatField:
    return FloatField(
        label,
        default=default,
        validators=[
            InputRequired("请填写权重。"),
            NumberRange(0, 100, "权重必须在 0 到 100 之间。"),
        ],
    )


def _count(label: str, default: int, maximum: int) -> IntegerField:
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired("请填写。"),
            NumberRange(0, maximum, f"必须在 0 到 {maximum} 之间。"),
        ],
    )


class PairRowForm(ChineseSubForm):
    """One optional (unit, community) pair; 0 means left empty."""

    unit = SelectField("单位", coerce=int, default=0)
    community = SelectField("社区", coerce=int, default=0)


class RunForm(ChineseForm):
    title = text_field(PLAN["title"])
    coverage = _weight("需求覆盖权重", ScoreWeights().coverage)
    proximity = _weight("距离权重", ScoreWeights().proximity)
    continuity = _weight("延续权重", ScoreWeights().continuity)
    preference = _weight("社区意愿权重", ScoreWeights().preference)
    max_changes = IntegerField(
        "最多调整结对数",
        validators=[Optional(), NumberRange(0, 10_000, "必须在 0 到 10000 之间。")],
        description="与已发布方案相比，最多撤下多少对现有结对；留空则按下面的比例。",
    )
    max_change_percent = FloatField(
        "最多撤下比例（%）",
        validators=[Optional(), NumberRange(0, 100, "必须在 0 到 100 之间。")],
        description="留空按本县默认上限；超过默认上限须写明理由。",
    )
    change_reason = text_field(PLAN["change_reason"], TextAreaField)
    pinned = FieldList(FormField(PairRowForm), min_entries=PAIR_ROWS, max_entries=20)
    forbidden = FieldList(FormField(PairRowForm), min_entries=PAIR_ROWS, max_entries=20)


def run_form(communities, units, *, based_on: PlanInputs | None = None) -> RunForm:
    """Build the run form with a min/max field per community and a capacity per unit."""

    class CountyRunForm(RunForm):
        pass

    inputs = based_on or PlanInputs()
    for community in communities:
        low, high = inputs.quota_of(community.id)
        setattr(CountyRunForm, f"min_{community.id}", _count("最少", low, 1000))
        setattr(CountyRunForm, f"max_{community.id}", _count("最多", high, 1000))
    for unit in units:
        setattr(
            CountyRunForm, f"cap_{unit.id}", _count(unit.name, inputs.capacity_of(unit.id), 100)
        )
    data = None
    if based_on is not None:
        data = {
            "coverage": inputs.weights.coverage,
            "proximity": inputs.weights.proximity,
            "continuity": inputs.weights.continuity,
            "preference": inputs.weights.preference,
            "max_changes": inputs.max_changes,
            "max_change_percent": (
                None if inputs.max_change_share is None else 100 * inputs.max_change_share
            ),
            "change_reason": inputs.change_reason,
            "pinned": [{"unit": u, "community": c} for u, c in inputs.pinned],
            "forbidden": [{"unit": u, "community": c} for u, c in inputs.forbidden],
        }
    form = CountyRunForm(data=data)
    unit_choices = [SelectChoice(0, "—")] + [SelectChoice(unit.id, unit.name) for unit in units]
    community_choices = [SelectChoice(0, "—")] + [SelectChoice(c.id, c.name) for c in communities]
    for rows in (form.pinned, form.forbidden):
        filled = sum(1 for row in rows if row.form.unit.data)
        while len(rows.entries) < min(max(PAIR_ROWS, filled + 1), rows.max_entries):
            rows.append_entry()
        for row in rows:
            row.form.unit.choices = unit_choices
            row.form.community.choices = community_choices
    return form


def quota_fields(form: RunForm, community) -> tuple:
    """Return the (min, max) fields of a community."""
    return getattr(form, f"min_{community.id}"), getattr(form, f"max_{community.id}")


def capacity_field(form: RunForm, unit):
    """Return the capacity field of a unit."""
    return getattr(form, f"cap_{unit.id}")


def _pairs(rows, what: str) -> list[tuple[int, int]] | None:
    pairs, ok = [], True
    for row in rows:
        unit_id, community_id = row.form.unit.data, row.form.community.data
        if bool(unit_id) != bool(community_id):
            row.form.community.errors.append(f"{what}需要同时选择单位和社区。")
            ok = False
        elif unit_id:
            pairs.append((unit_id, community_id))
    return sorted(set(pairs)) if ok else None


def form_inputs(form: RunForm, communities, units) -> PlanInputs | None:
    """Return the inputs typed into a validated run form, or None after marking errors."""
    quotas, ok = {}, True
    for community in communities:
        low, high = quota_fields(form, community)
        if low.data > high.data:
            high.errors.append("最多不能小于最少。")
            ok = False
        quotas[community.id] = (low.data, high.data)
    capacities = {
        unit.id: capacity_field(form, unit).data
        for unit in units
        if capacity_field(form, unit).data != DEFAULT_CAPACITY
    }
    pinned, forbidden = _pairs(form.pinned, "固定结对"), _pairs(form.forbidden, "禁止结对")
    if pinned is None or forbidden is None or not ok:
        return None
    clash = set(pinned) & set(forbidden)
    if clash:
        form.forbidden.errors.append("同一结对不能既固定又禁止。")
        return None
    weights = ScoreWeights(
        form.coverage.data, form.proximity.data, form.continuity.data, form.preference.data
    )
    return PlanInputs(
        quotas={cid: q for cid, q in quotas.items() if q != DEFAULT_QUOTA},
        capacities=capacities,
        weights=weights,
        forbidden=forbidden,
        pinned=pinned,
        max_changes=form.max_changes.data,
        max_change_share=(
            None if form.max_change_percent.data is None else form.max_change_percent.data / 100
        ),
        change_reason=(form.change_reason.data or "").strip(),
    )


class AdjustForm(ChineseForm):
    kind = StringField(validators=[AnyOf(("pin", "forbid", "swap", "unpin", "unforbid"))])
    unit_id = IntegerField(validators=[Optional()])
    community_id = IntegerField(validators=[Optional()])
    other_unit_id = IntegerField(validators=[Optional()])

    def payload(self) -> dict:
        """Return the adjustment's payload (ids only; the service checks them)."""
        keys = (
            ("unit_id", "other_unit_id")
            if self.kind.data == "swap"
            else ("unit_id", "community_id")
        )
        return {key: getattr(self, key).data for key in keys}


class TransitionForm(ChineseForm):
    note = text_field(PLAN["note"], TextAreaField)
