"""The platform's Python SDK: `from agent_client import AgentClient`."""

from agent_client.client import AgentClient, AsyncAgentClient
from agent_client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    Unauthorized,
)
from agent_client.models import ChatAnswer, ChatEvent, Tool, ToolRun
from agent_client.webhooks import InvalidSignature, verify_webhook

__all__ = [
    "AgentClient", "ApiError", "AsyncAgentClient", "BadRequest", "ChatAnswer", "ChatEvent", "Conflict", "Forbidden",
    "InvalidSignature", "NotFound", "PayloadTooLarge", "RateLimited", "ServerError", "Tool", "ToolRun",
    "Unauthorized", "verify_webhook",
]  # fmt: skip
