"""pydantic's validation messages in Spanish, the language every seed answers in."""

from collections.abc import Mapping
from typing import Any

REQUIRED_FIELD = "Este campo es requerido."

# pydantic's messages are English; the seed styles answer in Spanish. By error type, with the
# error's `ctx` values; a built-in type not listed gets a generic message, never English.
_SPANISH: Mapping[str, str] = {
    "missing": REQUIRED_FIELD,
    "greater_than": "Asegúrese de que este valor sea mayor que {gt}.",
    "greater_than_equal": "Asegúrese de que este valor sea mayor o igual a {ge}.",
    "less_than": "Asegúrese de que este valor sea menor que {lt}.",
    "less_than_equal": "Asegúrese de que este valor sea menor o igual a {le}.",
    "multiple_of": "Asegúrese de que este valor sea múltiplo de {multiple_of}.",
    "finite_number": "El número debe ser finito.",
    "string_too_short": "Asegúrese de que este campo tenga al menos {min_length} caracteres.",
    "string_too_long": "Asegúrese de que este campo no tenga más de {max_length} caracteres.",
    "string_pattern_mismatch": "El valor no tiene el formato esperado.",
    "string_type": "Introduzca un texto válido.",
    "string_unicode": "Introduzca un texto Unicode válido.",
    "too_short": "Asegúrese de que este campo tenga al menos {min_length} elementos.",
    "too_long": "Asegúrese de que este campo no tenga más de {max_length} elementos.",
    "int_parsing": "Introduzca un número entero válido.",
    "int_type": "Introduzca un número entero válido.",
    "int_from_float": "Introduzca un número entero válido.",
    "int_parsing_size": "El número entero está fuera del rango admitido.",
    "float_parsing": "Introduzca un número válido.",
    "float_type": "Introduzca un número válido.",
    "decimal_parsing": "Introduzca un número válido.",
    "decimal_type": "Introduzca un número válido.",
    "decimal_max_digits": "Asegúrese de que no haya más de {max_digits} dígitos en total.",
    "decimal_max_places": "Asegúrese de que no haya más de {decimal_places} decimales.",
    "decimal_whole_digits": "Asegúrese de que no haya más de {whole_digits} dígitos antes del punto decimal.",
    "bool_parsing": "Introduzca un valor booleano válido (true o false).",
    "bool_type": "Introduzca un valor booleano válido (true o false).",
    "json_invalid": "JSON inválido.",
    "json_type": "Introduzca un JSON válido.",
    "enum": "Elija una opción válida: {expected}.",
    "literal_error": "Elija una opción válida: {expected}.",
    "uuid_parsing": "Introduzca un UUID válido.",
    "uuid_type": "Introduzca un UUID válido.",
    "uuid_version": "Introduzca un UUID de la versión {expected_version}.",
    "datetime_parsing": "Introduzca una fecha y hora válidas (ISO 8601).",
    "datetime_from_date_parsing": "Introduzca una fecha y hora válidas (ISO 8601).",
    "datetime_type": "Introduzca una fecha y hora válidas (ISO 8601).",
    "datetime_past": "La fecha y hora deben estar en el pasado.",
    "datetime_future": "La fecha y hora deben estar en el futuro.",
    "date_parsing": "Introduzca una fecha válida (AAAA-MM-DD).",
    "date_from_datetime_parsing": "Introduzca una fecha válida (AAAA-MM-DD).",
    "date_from_datetime_inexact": "Introduzca una fecha sin hora (AAAA-MM-DD).",
    "date_type": "Introduzca una fecha válida (AAAA-MM-DD).",
    "date_past": "La fecha debe estar en el pasado.",
    "date_future": "La fecha debe estar en el futuro.",
    "time_parsing": "Introduzca una hora válida (HH:MM[:SS]).",
    "time_type": "Introduzca una hora válida (HH:MM[:SS]).",
    "time_delta_parsing": "Introduzca una duración válida.",
    "time_delta_type": "Introduzca una duración válida.",
    "timezone_naive": "La fecha y hora no deben llevar zona horaria.",
    "timezone_aware": "La fecha y hora deben llevar zona horaria.",
    "url_parsing": "Introduzca una URL válida.",
    "url_type": "Introduzca una URL válida.",
    "url_scheme": "Esquema de URL no admitido; se espera {expected_schemes}.",
    "url_too_long": "Asegúrese de que la URL no tenga más de {max_length} caracteres.",
    "list_type": "Se esperaba una lista.",
    "tuple_type": "Se esperaba una lista.",
    "set_type": "Se esperaba una lista sin repetidos.",
    "dict_type": "Se esperaba un objeto.",
    "model_type": "Se esperaba un objeto.",
    "model_attributes_type": "Se esperaba un objeto.",
    "dataclass_type": "Se esperaba un objeto.",
    "extra_forbidden": "Campo no admitido.",
    "none_required": "Este campo debe ser nulo.",
    "bytes_type": "Introduzca un texto válido.",
    "bytes_too_short": "Asegúrese de que este campo tenga al menos {min_length} bytes.",
    "bytes_too_long": "Asegúrese de que este campo no tenga más de {max_length} bytes.",
    "frozen_field": "Este campo no se puede modificar.",
    "union_tag_invalid": "Valor de {discriminator} no admitido: se espera {expected_tags}.",
    "union_tag_not_found": "Falta el campo {discriminator}.",
}
_GENERIC = "Valor inválido."
_EMAIL = "Introduzca una dirección de correo electrónico válida."
_CUSTOM_PREFIXES = ("Value error, ", "Assertion failed, ")


def _builtin_types() -> frozenset[str]:
    from typing import get_args

    from pydantic_core.core_schema import ErrorType

    return frozenset(get_args(ErrorType))


_BUILTIN_TYPES = _builtin_types()


def spanish_message(err: Mapping[str, Any]) -> str:
    """A pydantic error's message in Spanish: by `type` with its `ctx` values.

    A `ValueError` raised by a validator (type ``value_error``) carries our own Spanish text,
    kept without pydantic's "Value error, " prefix; so does a custom error type (`int_out_of_range`).
    """
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", ""))
    ctx = err.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        if "email" in msg.lower():
            return _EMAIL
        for prefix in _CUSTOM_PREFIXES:
            if msg.startswith(prefix):
                return msg[len(prefix) :] or _GENERIC
        return _GENERIC
    template = _SPANISH.get(kind)
    if template is not None:
        values = {key: _ctx_text(value) for key, value in ctx.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return _GENERIC
    if kind in _BUILTIN_TYPES or not msg:
        return _GENERIC
    return msg  # a custom error type (PydanticCustomError) is written in Spanish already


def _ctx_text(value: Any) -> str:
    text = str(value)
    # pydantic quotes its options in English ("'a' or 'b'"); say "o".
    return text.replace("' or '", "' o '")
