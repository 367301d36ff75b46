"""Which rules a reading meets, and what breaking one means: pure, no database, no stack."""

from datetime import UTC, date, datetime

import pytest

from brain.alert.rulebook import Rulebook, stage_on
from brain.alert.violation import action_for, describe, severity
from brain.models import Field, Rule, Stage

SOWN = date(2025, 3, 1)


def _rule(
    regla_id: int, etapa_id: int, parametro: str = "humedad_suelo", minimo: float = 60, maximo: float = 80
) -> Rule:
    return Rule(
        regla_id=regla_id,
        etapa_id=etapa_id,
        parametro=parametro,
        minimo=minimo,
        maximo=maximo,
        accion_si_menor="regar",
        accion_si_mayor="reducir_riego",
        activo=True,
    )


def _book(*, pinned: int | None = None, sown: date | None = SOWN) -> Rulebook:
    now = datetime.now(UTC)
    field = Field(parcela_id=1, tenant_id=7, usuario_id=3, variedad_id=10, fecha_siembra=sown, etapa_fijada_id=pinned,
                  version=now, deleted=False)  # fmt: skip
    stages = [
        Stage(etapa_id=100, variedad_id=10, nombre="Germinación", orden=1, duracion_dias=10, inicio_dias=0),
        Stage(etapa_id=101, variedad_id=10, nombre="Crecimiento", orden=2, duracion_dias=35, inicio_dias=10),
    ]
    rules = {100: [_rule(5, 100), _rule(6, 100, "temperatura", 18, 30)], 101: [_rule(7, 101, minimo=50, maximo=70)]}
    return Rulebook({1: field}, {10: stages}, rules)


@pytest.mark.parametrize(
    ("days", "stage"),
    [(-1, None), (0, 100), (9, 100), (10, 101), (44, 101), (400, 101)],
)
def test_the_stage_follows_the_days_since_sowing_and_the_last_one_holds(days: int, stage: int | None) -> None:
    assert _book().stage_of(1, date.fromordinal(SOWN.toordinal() + days)) == stage


def test_a_pinned_stage_wins_even_unsown() -> None:
    assert _book(pinned=100, sown=None).stage_of(1, SOWN.replace(year=2030)) == 100


def test_an_unknown_or_unsown_field_has_no_rules() -> None:
    assert _book().rules_for(2, "humedad_suelo", SOWN) == []
    assert _book(sown=None).rules_for(1, "humedad_suelo", SOWN) == []


def test_only_the_current_stages_rules_of_the_parameter_apply() -> None:
    book = _book()
    assert [rule.regla_id for rule in book.rules_for(1, "humedad_suelo", SOWN)] == [5]
    assert [rule.regla_id for rule in book.rules_for(1, "temperatura", SOWN)] == [6]
    assert [rule.regla_id for rule in book.rules_for(1, "humedad_suelo", date(2025, 3, 20))] == [7]
    assert book.rules_for(1, "temperatura", date(2025, 3, 20)) == []


@pytest.mark.parametrize(
    ("valor", "action"),
    [(59.9, "regar"), (60.0, None), (80.0, None), (80.1, "reducir_riego")],
)
def test_a_value_outside_the_band_suggests_its_sides_action(valor: float, action: str | None) -> None:
    assert action_for(_rule(5, 100), valor) == action


@pytest.mark.parametrize(
    ("valor", "expected"),
    [(50.0, "warning"), (49.9, "critical"), (90.0, "warning"), (90.1, "critical"), (18.2, "critical")],
)
def test_beyond_half_the_bands_width_is_critical(valor: float, expected: str) -> None:
    assert severity(_rule(5, 100), valor, critical_fraction=0.5) == expected  # band 60..80: margin 10


def test_a_band_of_no_width_measures_the_margin_by_its_bounds() -> None:
    point = _rule(5, 100, minimo=4, maximo=4)
    assert severity(point, 5.9, critical_fraction=0.5) == "warning"  # margin 0.5 * 4 = 2
    assert severity(point, 6.1, critical_fraction=0.5) == "critical"


def test_the_wording_is_004s() -> None:
    assert describe("regar", _rule(5, 100), 18.2) == "regar (regla 5) — parametro=humedad_suelo, valor=18.2"
    assert describe("regar", _rule(5, 100), 18.0) == "regar (regla 5) — parametro=humedad_suelo, valor=18"


def test_the_stage_is_looked_up_from_the_published_start_days_not_counted() -> None:
    """agro owns the counting: brain believes `inicio_dias` even where durations would say otherwise."""
    now = datetime.now(UTC)
    field = Field(parcela_id=1, tenant_id=7, usuario_id=3, variedad_id=10, fecha_siembra=SOWN, etapa_fijada_id=None,
                  version=now, deleted=False)  # fmt: skip
    stages = [
        Stage(etapa_id=100, variedad_id=10, nombre="Germinación", orden=1, duracion_dias=10, inicio_dias=0),
        Stage(etapa_id=101, variedad_id=10, nombre="Crecimiento", orden=2, duracion_dias=35, inicio_dias=20),
        Stage(etapa_id=102, variedad_id=10, nombre="Sin publicar", orden=3, duracion_dias=5, inicio_dias=None),
    ]
    assert stage_on(field, stages, date.fromordinal(SOWN.toordinal() + 15)) == 100
    assert stage_on(field, stages, date.fromordinal(SOWN.toordinal() + 20)) == 101
    assert stage_on(field, stages, date.fromordinal(SOWN.toordinal() + 400)) == 101
