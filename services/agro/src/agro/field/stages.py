"""Which stage a field is in: pinned explicitly, or counted from its sowing date (shared rule)."""

from collections.abc import Sequence
from datetime import date

from agro.models import Field, Stage
from shared.growth import current_stage as stage_on


def current_stage(field: Field, stages: Sequence[Stage], today: date) -> int | None:
    """`stages` are the field's variety's, in `orden`. Past the last stage, the last one holds."""
    return stage_on(field.etapa_id, field.fecha_siembra, stages, today)
