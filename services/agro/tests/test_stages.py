"""agro's growth-stage rule (moved from `shared.growth`): pure, no database, no stack."""

from datetime import date, timedelta

import pytest

from agro.field.stages import current_stage, start_days
from agro.models import Field, Stage

SOWN = date(2025, 1, 1)


def _stages(*durations: int) -> list[Stage]:
    return [
        Stage(id=100 + n, variedad_id=1, nombre=f"E{n}", orden=n, duracion_dias=days, descripcion="")
        for n, days in enumerate(durations, start=1)
    ]


def test_each_stage_starts_when_the_earlier_ones_have_lasted() -> None:
    assert start_days(_stages(10, 20, 15)) == [0, 10, 30]
    assert start_days([]) == []


@pytest.mark.parametrize(
    ("days_since_sowing", "expected"), [(-1, None), (0, 0), (9, 0), (10, 1), (29, 1), (30, 2), (400, 2)]
)
def test_the_stage_follows_the_calendar_and_the_last_one_holds(days_since_sowing: int, expected: int | None) -> None:
    stages = _stages(10, 20, 15)
    field = Field(variedad_id=1, fecha_siembra=SOWN, etapa_id=None)
    found = current_stage(field, stages, SOWN + timedelta(days=days_since_sowing))
    assert found == (stages[expected].id if expected is not None else None)


def test_a_pinned_stage_wins_even_unsown() -> None:
    stages = _stages(10, 20)
    assert current_stage(Field(etapa_id=stages[1].id, fecha_siembra=None), stages, SOWN) == stages[1].id


def test_no_sowing_date_or_no_stages_means_no_stage() -> None:
    assert current_stage(Field(fecha_siembra=None, etapa_id=None), _stages(10), SOWN) is None
    assert current_stage(Field(fecha_siembra=SOWN, etapa_id=None), [], SOWN) is None
