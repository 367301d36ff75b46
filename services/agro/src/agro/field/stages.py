"""Which stage a field is in: pinned explicitly, or counted from its sowing date."""

from collections.abc import Sequence
from datetime import date

from agro.models import Field, Stage


def current_stage(field: Field, stages: Sequence[Stage], today: date) -> int | None:
    """`stages` are the field's variety's, in `orden`. Past the last stage, the last one holds."""
    if field.etapa_id is not None:
        return field.etapa_id
    if field.fecha_siembra is None or not stages:
        return None
    days = (today - field.fecha_siembra).days
    if days < 0:
        return None
    elapsed = 0
    for stage in stages:
        elapsed += stage.duracion_dias
        if days < elapsed:
            return stage.id
    return stages[-1].id
