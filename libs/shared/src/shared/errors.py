"""One error base for every service, rendered in the error shape of the seed a route belongs to.

The seeds disagree on error bodies, and existing clients parse them:

- 001 (FastAPI-native):  ``{"detail": "..."}``, validation 422
- 002 (agent backend):   ``{"error": {"code", "message", "details"}}``, validation 400
- 003 (support desk):    ``{"error": "..."}``, validation 400 ``{"<field>": ["..."]}``
- 004 (agro, DRF-like):  ``{"detail": "...", "<field>": ["..."]}``, validation 400

A service maps path prefixes to a style once (`install_error_handlers`); the code raising
an error never thinks about shapes.
"""

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "REQUIRED_FIELD",
    "SEED_ERROR_STYLES",
    "Conflict",
    "ErrorStyle",
    "InvalidRequest",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ServiceError",
    "ServiceUnavailable",
    "documented",
    "error_body",
    "install_error_handlers",
    "seed_style",
    "style_for_path",
]

REQUIRED_FIELD = "Este campo es requerido."


class ErrorStyle(StrEnum):
    FASTAPI = "fastapi"
    AGENT = "agent"
    DESK = "desk"
    AGRO = "agro"


class ServiceError(Exception):
    """An expected refusal: a 4xx with a stable code. Subclass per service for domain errors.

    The code raising it never picks a status by route: where seeds disagree on one refusal's
    status (a wrong password is 401 in 001/002 and 400 in 003/004), `status_by_style` says
    so once; where a seed documents one refusal in another shape, `style` fixes it.
    """

    status_code: int = 400
    code: str = "INVALID_REQUEST"
    message: str = "Solicitud inválida."
    status_by_style: ClassVar[Mapping[ErrorStyle, int]] = {}
    style: ClassVar[ErrorStyle | None] = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = dict(details or {})
        self.fields = {name: list(msgs) for name, msgs in (fields or {}).items()}
        self.status_code = status_code or self.status_code
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def status_for(self, style: ErrorStyle) -> int:
        return self.status_by_style.get(style, self.status_code)


class InvalidRequest(ServiceError):
    status_code = 400
    code = "INVALID_REQUEST"
    message = "Solicitud inválida."


class NotAuthenticated(ServiceError):
    status_code = 401
    code = "UNAUTHORIZED"
    message = "Las credenciales de autenticación no se proveyeron o no son válidas."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class PermissionDenied(ServiceError):
    status_code = 403
    code = "FORBIDDEN"
    message = "No tiene permiso para realizar esta acción."


class NotFound(ServiceError):
    status_code = 404
    code = "NOT_FOUND"
    message = "No encontrado."


class Conflict(ServiceError):
    status_code = 409
    code = "CONFLICT"
    message = "El recurso ya existe."


class RateLimited(ServiceError):
    status_code = 429
    code = "RATE_LIMITED"
    message = "Demasiadas solicitudes. Intente más tarde."


class ServiceUnavailable(ServiceError):
    """A dependency (NATS, the database) is away: nothing was accepted, try again later."""

    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    message = "Servicio no disponible temporalmente. Intente de nuevo."

    def __init__(self, message: str | None = None, *, retry_after: int = 5, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(retry_after)})
        super().__init__(message, **kwargs)


_STATUS_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def error_body(
    style: ErrorStyle,
    *,
    status_code: int,
    message: str,
    code: str | None = None,
    details: Mapping[str, Any] | None = None,
    fields: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The JSON body of an error in `style`."""
    code = code or _STATUS_CODES.get(status_code, "ERROR")
    fields = {name: list(msgs) for name, msgs in (fields or {}).items()}
    if style is ErrorStyle.AGENT:
        merged = dict(details or {})
        if fields:
            merged.setdefault("fields", fields)
        return {"error": {"code": code, "message": message, "details": merged}}
    if style is ErrorStyle.DESK:
        # 003 answers validation with the bare per-field lists and anything else with "error".
        return dict(fields) if fields else {"error": message}
    if style is ErrorStyle.AGRO:
        return {"detail": message, **fields}
    body: dict[str, Any] = {"detail": message}
    if fields:
        body["errors"] = fields
    return body


def documented(*errors: type[ServiceError]) -> dict[int | str, dict[str, Any]]:
    """`responses=documented(InvalidCredentials)`: a route's own refusals, for its OpenAPI document.

    The gateway adds the ones every route may give (401, 403, 404, 413, 429, 503) by itself.
    """
    return {error.status_code: {"description": error.message} for error in errors}


# Which seed's error shape each public path family answers in: the one map the services and
# the gateway read. Longest prefix wins ("/api/auth/login/" is 003's, "/api/auth/login" 002's).
SEED_ERROR_STYLES: Mapping[str, ErrorStyle] = {
    # 001: the FastAPI bot SaaS
    "/token": ErrorStyle.FASTAPI,
    "/users/": ErrorStyle.FASTAPI,
    "/bots/": ErrorStyle.FASTAPI,
    "/chat/": ErrorStyle.FASTAPI,
    # 002: the operations agent
    "/api/auth/login": ErrorStyle.AGENT,
    "/api/chat": ErrorStyle.AGENT,
    "/api/conversations": ErrorStyle.AGENT,
    "/api/config": ErrorStyle.AGENT,
    "/api/tools": ErrorStyle.AGENT,
    "/api/learned-apis": ErrorStyle.AGENT,
    "/api/webhooks": ErrorStyle.AGENT,
    "/api/metrics": ErrorStyle.AGENT,
    # 003: the support desk
    "/api/auth/login/": ErrorStyle.DESK,
    "/api/auth/logout/": ErrorStyle.DESK,
    "/api/auth/refresh/": ErrorStyle.DESK,  # an addition beside 003's login and logout
    "/api/chat/": ErrorStyle.DESK,
    "/api/chat-rooms/": ErrorStyle.DESK,
    "/api/messages/": ErrorStyle.DESK,
    "/api/notifications/": ErrorStyle.DESK,
    "/api/user-notifications/": ErrorStyle.DESK,
    "/api/agents/": ErrorStyle.DESK,
    # 004: the agro platform, and 000's multi-tenant module, which follows its conventions
    "/auth/": ErrorStyle.AGRO,
    "/api/rbac/": ErrorStyle.AGRO,
    "/api/user/": ErrorStyle.AGRO,
    "/api/cultivos/": ErrorStyle.AGRO,
    "/api/variedades/": ErrorStyle.AGRO,
    "/api/etapas/": ErrorStyle.AGRO,
    "/api/reglas/": ErrorStyle.AGRO,
    "/api/parcelas/": ErrorStyle.AGRO,
    "/api/planes/": ErrorStyle.AGRO,
    "/api/nodos/": ErrorStyle.AGRO,
    "/api/secundarios/": ErrorStyle.AGRO,
    "/api/tareas/": ErrorStyle.AGRO,
    "/api/recomendaciones/": ErrorStyle.AGRO,
    "/api/nodes/": ErrorStyle.AGRO,
    "/api/brain/": ErrorStyle.AGRO,
    "/api/ai/": ErrorStyle.AGRO,
    "/api/v1/": ErrorStyle.AGRO,
}


def seed_style(path: str) -> ErrorStyle:
    """The error shape of the seed `path` belongs to (002's for paths no seed claims)."""
    return style_for_path(SEED_ERROR_STYLES, path, ErrorStyle.AGENT)


def style_for_path(styles: Mapping[str, ErrorStyle], path: str, default: ErrorStyle) -> ErrorStyle:
    """The style of the longest prefix in `styles` that `path` starts with."""
    best, best_len = default, -1
    for prefix, style in styles.items():
        if path.startswith(prefix) and len(prefix) > best_len:
            best, best_len = style, len(prefix)
    return best


def _field_messages(exc: RequestValidationError, style: ErrorStyle) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = [part for part in err.get("loc", ()) if part not in ("body", "query", "path", "header")]
        name = ".".join(str(part) for part in loc) or "non_field_errors"
        if err.get("type") == "missing" and style is not ErrorStyle.FASTAPI:
            message = REQUIRED_FIELD
        elif err.get("type") == "json_invalid":
            name, message = "non_field_errors", "JSON inválido."
        else:
            message = spanish_message(err)
        fields.setdefault(name, []).append(message)
    return fields


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


def install_error_handlers(
    app: FastAPI,
    styles: Mapping[str, ErrorStyle] = SEED_ERROR_STYLES,
    *,
    default: ErrorStyle = ErrorStyle.AGENT,
) -> None:
    """Render `ServiceError`, validation errors and routing errors in each route family's style."""
    prefixes = dict(styles)

    def style_of(request: Request) -> ErrorStyle:
        return style_for_path(prefixes, request.url.path, default)

    async def on_service_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        route_style = style_of(request)
        status = exc.status_for(route_style)
        body = error_body(
            exc.style or route_style,
            status_code=status,
            message=exc.message,
            code=exc.code,
            details=exc.details,
            fields=exc.fields,
        )
        return JSONResponse(body, status_code=status, headers=exc.headers or None)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        style = style_of(request)
        if style is ErrorStyle.FASTAPI:
            return JSONResponse({"detail": _jsonable_errors(exc)}, status_code=422)
        fields = _field_messages(exc, style)
        body = error_body(style, status_code=400, message="Datos inválidos.", code="INVALID_REQUEST", fields=fields)
        return JSONResponse(body, status_code=400)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else "Error."
        if exc.status_code == 404 and message == "Not Found":
            message = NotFound.message
        body = error_body(style_of(request), status_code=exc.status_code, message=message)
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    _document_validation_status(app, prefixes, default)


_EXAMPLES = {
    ErrorStyle.AGENT: {"error": {"code": "INVALID_REQUEST", "message": "Datos inválidos.", "details": {}}},
    ErrorStyle.DESK: {"username": [REQUIRED_FIELD]},
    ErrorStyle.AGRO: {"detail": "Datos inválidos.", "nombre": [REQUIRED_FIELD]},
}


def _document_validation_status(app: FastAPI, prefixes: Mapping[str, ErrorStyle], default: ErrorStyle) -> None:
    """FastAPI documents 422 for every body; routes in a seed style answer 400: say so."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for path, operations in schema.get("paths", {}).items():
            style = style_for_path(prefixes, path, default)
            if style is ErrorStyle.FASTAPI:
                # FastAPI's own way: 422 for invalid data, 400 for a body that is not JSON at all.
                for operation in operations.values():
                    if "requestBody" in operation:
                        operation.get("responses", {}).setdefault("400", {"description": "Cuerpo ilegible"})
                continue
            for operation in operations.values():
                responses = operation.get("responses", {})
                if responses.pop("422", None) is not None:
                    responses["400"] = {
                        "description": "Datos inválidos",
                        "content": {"application/json": {"example": _EXAMPLES[style]}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Pydantic may put exceptions in "ctx"; keep what JSON can carry.
    cleaned = []
    for err in exc.errors():
        item = {key: value for key, value in err.items() if key in ("type", "loc", "msg", "input")}
        if not isinstance(item.get("input"), (str, int, float, bool, type(None), list, dict)):
            item.pop("input", None)
        elif "input" in item:
            loc = item.get("loc") or ()
            if loc and _is_secret_name(loc[-1]):
                item.pop("input")  # a rejected password is still somebody's password
            else:
                item["input"] = _redacted(item["input"])
        cleaned.append(item)
    return cleaned


# Field names whose values a validation error never repeats (FastAPI echoes `input` by default).
_SECRET_NAMES = re.compile(r"passw(or)?d|secret|token|api_?key|^key$|credential|recaptcha", re.IGNORECASE)
_REDACTED = "[oculto]"


def _is_secret_name(name: object) -> bool:
    return isinstance(name, str) and _SECRET_NAMES.search(name) is not None


def _redacted(value: Any) -> Any:
    """`value` with the values of secret-named keys replaced, at any depth."""
    if isinstance(value, dict):
        return {k: _REDACTED if _is_secret_name(k) else _redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value
