"""Prometheus metrics of the calls to AI providers: how long each streamed call took, how
long until its first item, and why the ones that failed did.

Labels stay few: the provider kind (`catalog.KINDS`) and a model *family* from a fixed list
(model names are written by workspaces, so the names themselves would be unbounded).
"""

import asyncio
import time
from collections.abc import AsyncIterator

from prometheus_client import Counter, Histogram

from bots.errors import ProviderFailed
from bots.provider.base import Cited, Prompt, Provider, ToolCall, Usage

_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)

DURATION = Histogram(
    "bots_provider_call_duration_seconds",
    "From the request to a provider to the end of its streamed answer (failures included)",
    ["provider", "family", "outcome"],
    buckets=_BUCKETS,
)
FIRST_ITEM = Histogram(
    "bots_provider_first_item_seconds",
    "From the request to a provider to its first text delta or tool call",
    ["provider", "family"],
    buckets=_BUCKETS,
)
FAILURES = Counter(
    "bots_provider_failures_total", "Provider calls that failed, by kind of failure", ["provider", "reason"]
)

# Longest prefix first: "gpt" would otherwise take "gpt-oss".
FAMILIES = (
    "claude", "gpt-oss", "gpt", "o1", "o3", "o4", "chatgpt", "llama", "mistral", "mixtral", "qwen", "gemma",
    "gemini", "deepseek", "phi", "command", "local",
)  # fmt: skip


def family_of(model: str) -> str:
    """`claude-3-5-sonnet-latest` → `claude`, `llama3.2:3b` → `llama`; `other` when unknown."""
    name = model.lower().rsplit("/", 1)[-1]
    return next((family for family in FAMILIES if name.startswith(family)), "other")


def reason_of(exc: ProviderFailed) -> str:
    if exc.status == 429:
        return "rate_limited"
    if exc.status is not None:
        return "server_error" if exc.status >= 500 else "client_error"
    return "unavailable" if exc.retryable else "refused"  # timeouts and broken connections retry


async def measured(provider: Provider, model: str, prompt: Prompt) -> AsyncIterator[str | ToolCall | Usage | Cited]:
    """`provider.stream(model, prompt)`, timed and its failures counted."""
    family = family_of(model)
    started = time.perf_counter()
    first = True
    outcome = "error"
    try:
        async for item in provider.stream(model, prompt):
            if first and not isinstance(item, Usage):
                FIRST_ITEM.labels(provider.kind, family).observe(time.perf_counter() - started)
                first = False
            yield item
        outcome = "ok"
    except ProviderFailed as exc:
        FAILURES.labels(provider.kind, reason_of(exc)).inc()
        raise
    except (GeneratorExit, asyncio.CancelledError):
        outcome = "abandoned"  # the reader stopped (the turn was cancelled)
        raise
    except Exception:
        FAILURES.labels(provider.kind, "internal").inc()
        raise
    finally:
        DURATION.labels(provider.kind, family, outcome).observe(time.perf_counter() - started)
