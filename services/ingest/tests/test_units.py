"""Sensor units to the canonical unit agro's rules are written in: a pure module, no stack."""

import pytest

from ingest.reading.units import KNOWN, normalise
from shared.errors import InvalidRequest


@pytest.mark.parametrize(
    ("sensor", "value", "unit", "expected"),
    [
        ("temperatura", 25.0, "C", (25.0, "C")),
        ("temperatura", 25.0, "°C", (25.0, "C")),
        ("temperatura", 212.0, "°F", (100.0, "C")),
        ("temperatura_suelo", 273.15, "K", (0.0, "C")),
        ("conductividad", 1500.0, "uS/cm", (1.5, "dS/m")),
        ("conductividad_electrica", 1.5, "mS/cm", (1.5, "dS/m")),
        ("velocidad_viento", 36.0, "km/h", (10.0, "m/s")),
        ("presion", 101.3, "kPa", (1013.0, "hPa")),
        ("ph", 6.5, "", (6.5, "pH")),
        ("humedad_suelo", 23.4, " % ", (23.4, "%")),
    ],
)
def test_a_known_sensor_is_converted_to_its_canonical_unit(
    sensor: str, value: float, unit: str, expected: tuple[float, str]
) -> None:
    converted, canonical = normalise(sensor, value, unit)
    assert converted == pytest.approx(expected[0])
    assert canonical == expected[1]


def test_an_unknown_sensor_is_kept_as_reported() -> None:
    assert normalise("radiacion_uv", 3.2, "UVI") == (3.2, "UVI")


def test_a_unit_the_sensor_cannot_have_is_refused_naming_the_accepted_ones() -> None:
    with pytest.raises(InvalidRequest) as refused:
        normalise("humedad_suelo", 20.0, "kg")
    assert refused.value.status_code == 400
    assert refused.value.message == "Unidad 'kg' desconocida para el sensor 'humedad_suelo'."
    assert refused.value.fields == {"unidad": ["Unidades admitidas para 'humedad_suelo': '%'."]}


def test_every_known_sensor_accepts_its_canonical_unit_unchanged() -> None:
    for sensor, quantity in KNOWN.items():
        assert normalise(sensor, 1.0, quantity.unit) == (1.0, quantity.unit), sensor
