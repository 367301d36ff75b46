"""A batch of posts into the rows to store: pure, no database, no stack."""

from datetime import UTC, datetime

from brain.events import ReadingsReceived
from brain.reading.repository import Rows
from brain.reading.service import rows_of

AT = datetime(2025, 10, 23, 10, 15, tzinfo=UTC)


def _post(parcela_id: int, *sensores: tuple[str, float], nodo: str = "N1", at: datetime = AT) -> ReadingsReceived:
    values = [{"sensor": sensor, "valor": valor, "unidad": "%"} for sensor, valor in sensores]
    lecturas = [{"nodo_codigo": nodo, "timestamp": at, "sensores": values}]
    return ReadingsReceived.model_validate({"parcela_id": parcela_id, "lecturas": lecturas})


def test_each_value_is_a_row_of_its_posts_tenant() -> None:
    rows = rows_of([(7, _post(1, ("humedad_suelo", 20.0), ("temperatura", 18.5))), (8, _post(2, ("ph", 6.5)))])
    assert rows == Rows(
        parcela_id=[1, 1, 2],
        parametro=["humedad_suelo", "temperatura", "ph"],
        t=[AT, AT, AT],
        nodo_codigo=["N1", "N1", "N1"],
        valor=[20.0, 18.5, 6.5],
        unidad=["%", "%", "%"],
        tenant_id=[7, 7, 8],
        days={AT.date()},
    )


def test_the_same_sensor_node_and_instant_twice_is_one_row_the_first_value() -> None:
    rows = rows_of([(7, _post(1, ("humedad_suelo", 20.0))), (7, _post(1, ("humedad_suelo", 99.0)))])
    assert rows.valor == [20.0]
    other_node = _post(1, ("humedad_suelo", 21.0), nodo="N2")
    assert len(rows_of([(7, _post(1, ("humedad_suelo", 20.0))), (7, other_node)])) == 2


def test_text_is_cut_to_the_columns_widths() -> None:
    sensores = [{"sensor": "s" * 150, "valor": 1, "unidad": "u" * 30}]
    lecturas = [{"nodo_codigo": "N" * 150, "timestamp": AT, "sensores": sensores}]
    post = ReadingsReceived.model_validate({"parcela_id": 1, "lecturas": lecturas})
    rows = rows_of([(7, post)])
    assert [
        (len(n), len(p), len(u)) for n, p, u in zip(rows.nodo_codigo, rows.parametro, rows.unidad, strict=True)
    ] == [(100, 100, 20)]


def test_a_post_without_values_stores_nothing() -> None:
    empty = ReadingsReceived.model_validate({"parcela_id": 1, "lecturas": []})
    assert len(rows_of([(7, empty)])) == 0


def test_the_days_are_the_utc_days_of_the_instants() -> None:
    late = datetime.fromisoformat("2025-10-23T23:30:00-03:00")  # 02:30 UTC the next day
    rows = rows_of([(7, _post(1, ("ph", 6.5))), (7, _post(1, ("ph", 6.6), at=late))])
    assert rows.days == {AT.date(), late.astimezone(UTC).date()}
