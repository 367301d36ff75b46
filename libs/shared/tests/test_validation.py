"""InputModel's storable checks: pydantic-core where a field holds one kind, Python otherwise,
with the same refusals either way."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import Field, ValidationError

from shared.validation import InputModel, Int64, PatchModel

NUL = "No se admite el carácter NUL."
INT32 = "El número debe estar entre -2147483648 y 2147483647."
INT64 = "El número debe estar entre -9223372036854775808 y 9223372036854775807."
FINITE = "El número debe ser finito."


class Body(InputModel):
    nombre: str = Field(default="", max_length=20)
    nota: str | None = None
    cantidad: int = 0
    grande: Int64 = 0
    area: float = 0.0
    precio: Decimal = Decimal(0)
    etiquetas: list[str] = Field(default_factory=list)
    conteos: dict[str, int] = Field(default_factory=dict)
    datos: dict[str, Any] = Field(default_factory=dict)


class Patch(PatchModel):
    nombre: str | None = None


def _refusal(model: type[InputModel], body: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return [(e["type"], e["loc"], e["msg"]) for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ({"nombre": "a\x00b"}, ("nul_character", ("nombre",), NUL)),
        ({"nota": "a\x00"}, ("nul_character", ("nota",), NUL)),
        ({"cantidad": 2**31}, ("int_out_of_range", ("cantidad",), INT32)),
        ({"cantidad": -(2**31) - 1}, ("int_out_of_range", ("cantidad",), INT32)),
        ({"area": float("inf")}, ("not_finite", ("area",), FINITE)),
        ({"area": float("nan")}, ("not_finite", ("area",), FINITE)),
        ({"precio": "NaN"}, ("finite_number", ("precio",), "Input should be a finite number")),  # Decimal's own
        ({"etiquetas": ["a", "b\x00"]}, ("nul_character", ("etiquetas",), NUL)),
        ({"conteos": {"k\x00": 1}}, ("nul_character", ("conteos",), NUL)),
        ({"conteos": {"k": 2**40}}, ("int_out_of_range", ("conteos",), INT32)),
        ({"datos": {"k": [1, "x\x00"]}}, ("nul_character", ("datos",), NUL)),
        ({"datos": {"k": 2**40}}, ("int_out_of_range", ("datos",), INT32)),
    ],
)
def test_unstorable_values_are_refused_at_their_field(body: dict[str, Any], refusal: tuple[Any, ...]) -> None:
    assert _refusal(Body, body) == [refusal]


def test_a_fields_own_constraints_answer_first() -> None:
    assert _refusal(Body, {"nombre": "x" * 30 + "\x00"})[0][0] == "string_too_long"
    assert _refusal(Body, {"grande": 2**63})[0][0] == "less_than_equal"  # Int64's own bound


def test_storable_values_pass_unchanged() -> None:
    body = {"nombre": "ñandú", "cantidad": 2**31 - 1, "grande": 2**40, "area": 1.5, "etiquetas": ["a"]}
    assert Body.model_validate(body).model_dump(include=set(body)) == body
    assert Body.model_validate({"conteos": {"k": 1}, "datos": {"k": [1, "x", 2.5]}}).conteos == {"k": 1}


def test_a_patch_still_refuses_null_and_nul() -> None:
    assert _refusal(Patch, {"nombre": None}) == [("null", ("nombre",), "Este campo no puede ser nulo.")]
    assert _refusal(Patch, {"nombre": "a\x00"}) == [("nul_character", ("nombre",), NUL)]


def test_fields_of_one_kind_are_checked_without_python() -> None:
    # Python validators show in the core schema as function nodes: only `datos` (Any) and
    # `conteos` (text keys, integer values: two refusals) need one.
    fields = Body.__pydantic_core_schema__["schema"]["fields"]
    in_python = sorted(name for name, field in fields.items() if "'type': 'function-" in repr(field["schema"]))
    assert in_python == ["conteos", "datos"]
