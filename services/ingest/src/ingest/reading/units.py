"""The sensors ingest knows, the units each may be reported in, and conversion to the unit
rules are written in (agro's rules compare `valor` as stored).

A sensor not listed here is accepted as reported: new hardware must not be refused.
"""

from collections.abc import Callable
from dataclasses import dataclass

from shared.errors import InvalidRequest


def _same(value: float) -> float:
    return value


@dataclass(frozen=True)
class Quantity:
    unit: str  # canonical
    accepted: dict[str, Callable[[float], float]]


PERCENT = Quantity("%", {"%": _same})
CELSIUS = Quantity(
    "C",
    {
        "C": _same,
        "°C": _same,
        "ºC": _same,
        "F": lambda f: (f - 32) * 5 / 9,
        "°F": lambda f: (f - 32) * 5 / 9,
        "K": lambda k: k - 273.15,
    },
)
PH = Quantity("pH", {"pH": _same, "ph": _same, "": _same})
CONDUCTIVITY = Quantity(
    "dS/m", {"dS/m": _same, "mS/cm": _same, "uS/cm": lambda v: v / 1000, "µS/cm": lambda v: v / 1000}
)
LIGHT = Quantity("lux", {"lux": _same, "lx": _same})
IRRADIANCE = Quantity("W/m2", {"W/m2": _same, "W/m²": _same})
RAIN = Quantity("mm", {"mm": _same})
WIND = Quantity("m/s", {"m/s": _same, "km/h": lambda v: v / 3.6})
PRESSURE = Quantity("hPa", {"hPa": _same, "mbar": _same, "kPa": lambda v: v * 10})
PPM = Quantity("ppm", {"ppm": _same})

KNOWN: dict[str, Quantity] = {
    "humedad_suelo": PERCENT,
    "humedad_aire": PERCENT,
    "humedad_relativa": PERCENT,
    "temperatura": CELSIUS,
    "temperatura_aire": CELSIUS,
    "temperatura_suelo": CELSIUS,
    "ph": PH,
    "ph_suelo": PH,
    "conductividad": CONDUCTIVITY,
    "conductividad_electrica": CONDUCTIVITY,
    "luz": LIGHT,
    "luminosidad": LIGHT,
    "radiacion_solar": IRRADIANCE,
    "precipitacion": RAIN,
    "lluvia": RAIN,
    "velocidad_viento": WIND,
    "presion": PRESSURE,
    "presion_atmosferica": PRESSURE,
    "co2": PPM,
}


def normalise(sensor: str, value: float, unit: str) -> tuple[float, str]:
    """(value, unit) in the sensor's canonical unit; 400 for a unit the sensor cannot have."""
    quantity = KNOWN.get(sensor)
    if quantity is None:
        return value, unit
    convert = quantity.accepted.get(unit.strip())
    if convert is None:
        allowed = ", ".join(repr(u) for u in quantity.accepted)
        raise InvalidRequest(
            f"Unidad '{unit}' desconocida para el sensor '{sensor}'.",
            fields={"unidad": [f"Unidades admitidas para '{sensor}': {allowed}."]},
        )
    return convert(value), quantity.unit
