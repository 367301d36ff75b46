"""One JSON object per log line, carrying the service name, the current request id and, when
tracing, the current span's `trace_id` and `span_id`."""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from shared.observability.request_id import current_request_id
from shared.observability.tracing import log_ids

# `color_message` is uvicorn's ANSI-coloured copy of `msg`.
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        ids = log_ids()  # None at once when not tracing
        if ids is not None:
            entry["trace_id"], entry["span_id"] = ids
        # Structured fields passed with `logger.info("...", extra={...})`.
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route the root logger (and uvicorn's) to stdout as JSON lines."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # The middleware logs each request once, with its id; uvicorn's access line would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
    # One line per request is ours; httpx's per-call INFO line would double the gateway's log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
