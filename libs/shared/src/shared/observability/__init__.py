"""Request ids, JSON logs and Prometheus metrics."""

from shared.observability.logging import configure_logging
from shared.observability.metrics import metrics_response
from shared.observability.middleware import KeepAliveAfterError, ObservabilityMiddleware, keep_alive_after_errors
from shared.observability.request_id import REQUEST_ID_HEADER, current_request_id, request_id_var

__all__ = [
    "REQUEST_ID_HEADER",
    "KeepAliveAfterError",
    "ObservabilityMiddleware",
    "configure_logging",
    "current_request_id",
    "keep_alive_after_errors",
    "metrics_response",
    "request_id_var",
]
