"""Input that PostgreSQL would refuse is refused first, as a 4xx in the route's error shape.

Request bodies derive from `InputModel` (or `PatchModel` for partial updates); path and query
parameters use `Id`, `PageNumber` and `Text`. Without them a NUL character, an integer beyond
the column's range or an explicit null on a NOT NULL column reaches the database and
answers 500.
"""

import functools
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

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
    """The storable check in Python: for the fields `_storable_schema` cannot express (unions of
    kinds, `Any`, types it does not know)."""
    if isinstance(value, str):
        refuse_nul(value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        bound = INT64_MAX if wide else INT32_MAX
        if not -bound - 1 <= value <= bound:
            raise PydanticCustomError("int_out_of_range", _range_message(bound))
    elif isinstance(value, float | Decimal):
        if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
            raise PydanticCustomError("not_finite", _FINITE_MESSAGE)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, wide=wide)
            _check(item, wide=wide)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item, wide=wide)


def _range_message(bound: int) -> str:
    return f"El número debe estar entre {-bound - 1} y {bound}."


_FINITE_MESSAGE = "El número debe ser finito."
_NUL_PATTERN = r"^[^\x00]*$"


class _InPython(Exception):
    """A type `_storable_schema` leaves to `_check`."""


_UNCHECKED = (BaseModel, Enum, datetime, date, time, timedelta, UUID)


def _storable_schema(tp: Any, *, wide: bool, kinds: set[str]) -> CoreSchema | None:
    """A strict core schema accepting a validated value of type `tp` exactly when `_check`
    would; None when `_check` would check nothing. Adds to `kinds` what it checks."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _storable_schema(args[0], wide=wide, kinds=kinds)
    if tp is bool or tp is type(None) or origin is Literal:
        return None
    if tp is str:
        kinds.add("str")
        return core_schema.str_schema(pattern=_NUL_PATTERN, strict=True)
    if tp is int:
        kinds.add("int")
        bound = INT64_MAX if wide else INT32_MAX
        return core_schema.int_schema(ge=-bound - 1, le=bound, strict=True)
    if tp is float:
        kinds.add("float")
        return core_schema.float_schema(allow_inf_nan=False)
    if tp is Decimal:
        kinds.add("float")
        return core_schema.decimal_schema(allow_inf_nan=False, strict=True)
    if origin in (Union, UnionType):
        optional = [arg for arg in args if arg is not type(None)]
        if len(optional) == 1:
            inner = _storable_schema(optional[0], wide=wide, kinds=kinds)
            return None if inner is None else core_schema.nullable_schema(inner)
        if all(_storable_schema(arg, wide=wide, kinds=set()) is None for arg in args):
            return None
        raise _InPython
    if origin in (list, set, frozenset) and len(args) == 1:
        item = _storable_schema(args[0], wide=wide, kinds=kinds)
        if item is None:
            return None
        if origin is list:
            return core_schema.list_schema(item, strict=True)
        if origin is set:
            return core_schema.set_schema(item, strict=True)
        return core_schema.frozenset_schema(item, strict=True)
    if origin is dict and len(args) == 2:
        keys = _storable_schema(args[0], wide=wide, kinds=kinds)
        values = _storable_schema(args[1], wide=wide, kinds=kinds)
        if keys is None and values is None:
            return None
        return core_schema.dict_schema(keys, values, strict=True)
    if isinstance(tp, type) and issubclass(tp, _UNCHECKED):
        return None
    raise _InPython


_REFUSALS = {
    "str": ("nul_character", _NUL_MESSAGE),
    "float": ("not_finite", _FINITE_MESSAGE),
}


def _storable(field_schema: CoreSchema, annotation: Any, *, wide: bool) -> CoreSchema:
    """`field_schema`, then the storable check of its value: in pydantic-core when the field
    holds one kind of checked value (its refusal then as `_check` words it, at the field),
    else `_check` in Python."""
    kinds: set[str] = set()
    try:
        check = _storable_schema(annotation, wide=wide, kinds=kinds)
    except _InPython:
        check, kinds = None, {"str", "int"}  # more than one: Python
    if not kinds:
        return field_schema
    if len(kinds) > 1 or check is None:
        return core_schema.no_info_after_validator_function(functools.partial(_python_check, wide=wide), field_schema)
    (kind,) = kinds
    error, message = _REFUSALS.get(kind) or ("int_out_of_range", _range_message(INT64_MAX if wide else INT32_MAX))

    # A chain's JSON schema is its last step's when serializing (a response model deriving from
    # a body): that step describes the field as declared.
    def described(_: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return handler(field_schema)

    refused = core_schema.custom_error_schema(
        check, custom_error_type=error, custom_error_message=message, metadata={"pydantic_js_functions": [described]}
    )
    return core_schema.chain_schema([field_schema, refused])


def _python_check(value: Any, *, wide: bool) -> Any:
    _check(value, wide=wide)
    return value


def _model_fields(schema: CoreSchema) -> dict[str, Any]:
    """The `model-fields` of a model's core schema (under any model validators' wrappers)."""
    node: Any = schema
    while node.get("type") != "model-fields":
        if node.get("type") == "definitions":
            node = node["schema"]
            continue
        node = node.get("schema")
        if node is None:
            return {}
    return dict(node["fields"])


class InputModel(BaseModel):
    """A request body: strings without NUL, integers within 32 bits (`Int64` for BIGINT), finite floats.

    Checked by pydantic-core after each field's own validation (a field mixing kinds, or of a
    type the check does not know, is checked in Python); a refusal names the field, as
    `{"field": ["No se admite el carácter NUL."]}`.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[BaseModel], handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        fields = _model_fields(schema)
        for name, info in cls.model_fields.items():
            field = fields.get(name)
            if field is None:
                continue
            wide = any(isinstance(m, _Wide) for m in info.metadata)
            # A default is not checked (as no validator runs on one): check what was given.
            target = field["schema"] if field["schema"]["type"] == "default" else field
            target["schema"] = _storable(target["schema"], info.annotation, wide=wide)
        return schema


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
