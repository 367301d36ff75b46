"""A batch of posts into the rows to store: pure, no database, no stack."""

from datetime import UTC, datetime

from brain.events import ReadingsReceived
from brain.reading.repository import Row
from brain.reading.service import rows_of

AT = datetime(2025, 10, 23, 10, 15, tzinfo=UTC)


def _post(parcela_id: int, *sensores: tuple[str, float], nodo: str = "N1", at: datetime = AT) -> ReadingsReceived:
    values = [{"sensor": sensor, "valor": valor, "unidad": "%"} for sensor, valor in sensores]
    lecturas = [{"nodo_codigo": nodo, "timestamp": at, "sensores": values}]
    return ReadingsReceived.model_validate({"parcela_id": parcela_id, "lecturas": lecturas})


def test_each_value_is_a_row_of_its_posts_tenant() -> None:
    rows = rows_of([(7, _post(1, ("humedad_suelo", 20.0), ("temperatura", 18.5))), (8, _post(2, ("ph", 6.5)))])
    assert rows == [
        Row(1, "humedad_suelo", AT, "N1", valor=20.0, unidad="%", tenant_id=7),
        Row(1, "temperatura", AT, "N1", valor=18.5, unidad="%", tenant_id=7),
        Row(2, "ph", AT, "N1", valor=6.5, unidad="%", tenant_id=8),
    ]


def test_the_same_sensor_node_and_instant_twice_is_one_row_the_first_value() -> None:
    rows = rows_of([(7, _post(1, ("humedad_suelo", 20.0))), (7, _post(1, ("humedad_suelo", 99.0)))])
    assert [row.valor for row in rows] == [20.0]
    other_node = _post(1, ("humedad_suelo", 21.0), nodo="N2")
    assert len(rows_of([(7, _post(1, ("humedad_suelo", 20.0))), (7, other_node)])) == 2


def test_text_is_cut_to_the_columns_widths() -> None:
    sensores = [{"sensor": "s" * 150, "valor": 1, "unidad": "u" * 30}]
    lecturas = [{"nodo_codigo": "N" * 150, "timestamp": AT, "sensores": sensores}]
    post = ReadingsReceived.model_validate({"parcela_id": 1, "lecturas": lecturas})
    [row] = rows_of([(7, post)])
    assert (len(row.nodo_codigo), len(row.parametro), len(row.unidad)) == (100, 100, 20)


def test_a_post_without_values_stores_nothing() -> None:
    empty = ReadingsReceived.model_validate({"parcela_id": 1, "lecturas": []})
    assert rows_of([(7, empty)]) == []
