"""Which growth stage a field is in: agro's rule, here and nowhere else.

The stages of a variety follow one another from the sowing date in `orden`, each lasting its
`duracion_dias`; a stage pinned by hand wins. agro answers `etapa_actual` with this rule, and
publishes each stage's start day (`StageUpserted.inicio_dias`, from `start_days`) so that brain
looks the stage up on a reading's day without counting anything itself.
"""

from collections.abc import Sequence
from datetime import date

from agro.models import Field, Stage


def start_days(stages: Sequence[Stage]) -> list[int]:
    """The day after sowing on which each stage starts: the sum of the earlier stages'
    `duracion_dias`. `stages` are one variety's, in `orden` (ties by id)."""
    starts, elapsed = [], 0
    for stage in stages:
        starts.append(elapsed)
        elapsed += stage.duracion_dias
    return starts


def current_stage(field: Field, stages: Sequence[Stage], today: date) -> int | None:
    """`stages` are the field's variety's, in `orden`. Before sowing there is none; past the
    last stage, the last one holds."""
    if field.etapa_id is not None:
        return field.etapa_id
    if field.fecha_siembra is None:
        return None
    days = (today - field.fecha_siembra).days
    current = None
    for stage, start in zip(stages, start_days(stages), strict=True):
        if start <= days:
            current = stage.id
    return current
