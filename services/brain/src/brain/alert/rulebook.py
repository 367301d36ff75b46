"""Which rules apply to a field's reading on a given day, from brain's read model of agro.

Worked out on the reading's day (`shared.growth.current_stage`), never from a stage someone
stored earlier: a field enters its next stage on the right day with no event at all.
"""

from collections.abc import Mapping, Sequence
from datetime import date

from brain.models import Field, Rule, Stage
from shared.growth import current_stage


class Rulebook:
    """The active rules of some fields' current stages, loaded once per batch of readings."""

    def __init__(
        self,
        fields: Mapping[int, Field],
        stages: Mapping[int, Sequence[Stage]],
        rules: Mapping[int, Sequence[Rule]],
    ) -> None:
        self.fields = fields  # by parcela_id
        self._stages = stages  # by variety, in orden
        self._rules = rules  # by stage

    def stage_of(self, parcela_id: int, day: date) -> int | None:
        field = self.fields.get(parcela_id)
        if field is None:
            return None
        variety = self._stages.get(field.variedad_id, []) if field.variedad_id is not None else []
        return current_stage(field.etapa_fijada_id, field.fecha_siembra, variety, day)

    def rules_for(self, parcela_id: int, parametro: str, day: date) -> list[Rule]:
        stage = self.stage_of(parcela_id, day)
        if stage is None:
            return []
        return [rule for rule in self._rules.get(stage, []) if rule.parametro == parametro]
