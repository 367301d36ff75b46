"""One error base for every service, rendered in the error shape of the seed a route belongs to.

The seeds disagree on error bodies, and existing clients parse them:

- 001 (FastAPI-native):  ``{"detail": "..."}``, validation 422
- 002 (agent backend):   ``{"error": {"code", "message", "details"}}``, validation 400
- 003 (support desk):    ``{"error": "..."}``, validation 400 ``{"<field>": ["..."]}``
- 004 (agro, DRF-like):  ``{"detail": "...", "<field>": ["..."]}``, validation 400

Which seed a public path belongs to is said once, in `shared.routes` (the table the gateway
routes by); `install_error_handlers` renders by it, so the code raising an error never thinks
about shapes. One job per private module: the classes (`_hierarchy`), the bodies (`_body`),
validation messages (`_spanish`, `_validation`), the OpenAPI notes (`_openapi`) and the FastAPI
handlers (`_handlers`).
"""

from shared.errors._body import error_body
from shared.errors._handlers import install_error_handlers
from shared.errors._hierarchy import (
    Conflict,
    InvalidRequest,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceError,
    ServiceUnavailable,
)
from shared.errors._openapi import documented
from shared.errors._spanish import REQUIRED_FIELD, spanish_message
from shared.errors._style import ErrorStyle

__all__ = [
    "REQUIRED_FIELD",
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
    "spanish_message",
]
