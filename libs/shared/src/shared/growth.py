"""Which growth stage a field is in: one rule for agro (its answers) and brain (its rules).

A stage pinned by hand wins; otherwise the stages of the field's variety, in `orden`, are
counted off from the sowing date by their `duracion_dias`. The answer depends on the day
asked about, so a field moves to its next stage on the right day without any event.
"""

from collections.abc import Sequence
from datetime import date
from typing import Protocol

__all__ = ["StageSpan", "current_stage"]


class StageSpan(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def duracion_dias(self) -> int: ...


def current_stage(pinned: int | None, fecha_siembra: date | None, stages: Sequence[StageSpan], day: date) -> int | None:
    """`stages` in `orden`. Before sowing there is none; past the last stage, the last one holds."""
    if pinned is not None:
        return pinned
    if fecha_siembra is None or not stages:
        return None
    days = (day - fecha_siembra).days
    if days < 0:
        return None
    elapsed = 0
    for stage in stages:
        elapsed += stage.duracion_dias
        if days < elapsed:
            return stage.id
    return stages[-1].id
