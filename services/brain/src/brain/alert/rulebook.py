"""Which rules apply to a field's reading on a given day, from brain's read model of agro.

The stage is looked up, not counted: agro owns the rule that places stages after sowing
(`agro.field.stages`) and publishes each stage's start day with it (`agro.stage.upserted`'s
`inicio_dias`, re-published whenever a change to the variety moves it). brain only picks the
last stage that has started by the reading's day, so a field enters its next stage on the
right day with no event at all, and a duration changed in agro is followed without brain
knowing how stages add up.
"""

from collections.abc import Mapping, Sequence
from datetime import date

from brain.models import Field, Rule, Stage


def stage_on(field: Field, stages: Sequence[Stage], day: date) -> int | None:
    """The pinned stage; else, of the variety's `stages`, the last one started by `day`.

    None before sowing or without a sowing date; past the last stage's end, the last one holds
    (nothing starts after it). A stage with no published start day yet is not placed.
    """
    if field.etapa_fijada_id is not None:
        return field.etapa_fijada_id
    if field.fecha_siembra is None:
        return None
    days = (day - field.fecha_siembra).days
    started = [stage for stage in stages if stage.inicio_dias is not None and stage.inicio_dias <= days]
    if not started:
        return None
    return max(started, key=lambda stage: (stage.inicio_dias or 0, stage.etapa_id)).etapa_id


class Rulebook:
    """The active rules of some fields' current stages, loaded once per batch of readings."""

    def __init__(
        self,
        fields: Mapping[int, Field],
        stages: Mapping[int, Sequence[Stage]],
        rules: Mapping[int, Sequence[Rule]],
    ) -> None:
        self.fields = fields  # by parcela_id
        self._stages = stages  # by variety
        self._rules = rules  # by stage

    def stage_of(self, parcela_id: int, day: date) -> int | None:
        field = self.fields.get(parcela_id)
        if field is None:
            return None
        variety = self._stages.get(field.variedad_id, []) if field.variedad_id is not None else []
        return stage_on(field, variety, day)

    def rules_for(self, parcela_id: int, parametro: str, day: date) -> list[Rule]:
        stage = self.stage_of(parcela_id, day)
        if stage is None:
            return []
        return [rule for rule in self._rules.get(stage, []) if rule.parametro == parametro]
