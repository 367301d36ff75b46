"""Input that PostgreSQL would refuse is refused first, as a 4xx in the route's error shape.

Request bodies derive from `InputModel` (or `PatchModel` for partial updates); path and query
parameters use `Id`, `PageNumber` and `Text`. Without them a NUL character, an integer beyond
the column's range or an explicit null on a NOT NULL column reaches the database and
answers 500.
"""

import math
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "INT32_MAX",
    "INT64_MAX",
    "BulkText",
    "Finite",
    "Id",
    "InputModel",
    "Int64",
    "Nullable",
    "PatchModel",
    "Text",
    "changes",
    "refuse_nul",
]

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_NUL_MESSAGE = "No se admite el carácter NUL."


class _Wide:
    """Marks an integer field stored as BIGINT: bounded to 64 bits instead of 32."""


class _NullableMarker:
    """Marks a `PatchModel` field whose column accepts NULL: an explicit null clears it."""


Int64 = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX), _Wide()]
Nullable = _NullableMarker()


def refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", _NUL_MESSAGE)
    return value


Text = Annotated[str, AfterValidator(refuse_nul)]
"""A string without NUL characters (PostgreSQL text cannot hold one): for query parameters."""

# The same checks as `InputModel`'s, made by pydantic-core instead of a Python validator: for
# the items of bulk bodies (a sensor node's hundred values), validated thousands of times a second.
BulkText = Annotated[str, Field(pattern=r"^[^\x00]*$")]
"""A string without NUL characters, checked in pydantic-core."""
Finite = Annotated[float, Field(allow_inf_nan=False)]
"""A finite float, checked in pydantic-core."""

Id = Annotated[int, Path(ge=1, le=INT64_MAX, description="Identificador")]
"""A path identifier (BIGINT keys): anything beyond answers 4xx before a query is built."""


def _check(value: Any, *, wide: bool) -> None:
    if isinstance(value, str):
        refuse_nul(value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        bound = INT64_MAX if wide else INT32_MAX
        if not -bound - 1 <= value <= bound:
            raise PydanticCustomError("int_out_of_range", f"El número debe estar entre {-bound - 1} y {bound}.")
    elif isinstance(value, float | Decimal):
        if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
            raise PydanticCustomError("not_finite", "El número debe ser finito.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, wide=wide)
            _check(item, wide=wide)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item, wide=wide)


class InputModel(BaseModel):
    """A request body: strings without NUL, integers within 32 bits (`Int64` for BIGINT), finite floats."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        wide = field is not None and any(isinstance(m, _Wide) for m in field.metadata)
        _check(value, wide=wide)
        return value


class PatchModel(InputModel):
    """A partial update: an omitted field stays as it is, and an explicit null is refused
    unless the field is marked `Annotated[..., Nullable]` (its column accepts NULL)."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if value is None and not (field is not None and any(isinstance(m, _NullableMarker) for m in field.metadata)):
            raise PydanticCustomError("null", "Este campo no puede ser nulo.")
        return value


def changes(body: BaseModel, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The columns a request body sets: all of a full body (POST, PUT), only the fields sent in a
    `PatchModel` (PATCH). `exclude` drops fields the caller uses otherwise (a parent id)."""
    return body.model_dump(exclude_unset=isinstance(body, PatchModel), exclude=set(exclude))
