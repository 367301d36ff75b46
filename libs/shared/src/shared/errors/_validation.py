"""Request validation errors as the seeds report them: per-field Spanish messages, or FastAPI's
own list with secrets left out."""

import re
from typing import Any

from fastapi.exceptions import RequestValidationError

from shared.errors._spanish import REQUIRED_FIELD, spanish_message
from shared.errors._style import ErrorStyle


def field_messages(exc: RequestValidationError, style: ErrorStyle) -> dict[str, list[str]]:
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


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
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
