"""The FastAPI wiring: one handler per kind of error, each rendering in the route's seed style."""

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors._body import error_body
from shared.errors._hierarchy import NotFound, ServiceError
from shared.errors._openapi import document_validation_status
from shared.errors._style import ErrorStyle
from shared.errors._validation import field_messages, jsonable_errors


def install_error_handlers(app: FastAPI, style_of: Callable[[str], ErrorStyle]) -> None:
    """Render `ServiceError`, validation errors and routing errors in the style `style_of`
    gives each request's path (`shared.routes.seed_style`, in every service)."""

    def style_of_request(request: Request) -> ErrorStyle:
        return style_of(request.url.path)

    async def on_service_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        route_style = style_of_request(request)
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
        style = style_of_request(request)
        if style is ErrorStyle.FASTAPI:
            return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
        fields = field_messages(exc, style)
        body = error_body(style, status_code=400, message="Datos inválidos.", code="INVALID_REQUEST", fields=fields)
        return JSONResponse(body, status_code=400)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else "Error."
        if exc.status_code == 404 and message == "Not Found":
            message = NotFound.message
        body = error_body(style_of_request(request), status_code=exc.status_code, message=message)
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    document_validation_status(app, style_of)
