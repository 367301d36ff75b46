"""What the bot studio asks of the public API, and how it shapes the answers for its pages:
agents (000) and bots (001) with their models, tools and knowledge bases; the playground's
answers (002's events, relayed and resumed by event id); knowledge bases, uploads, search and
a document's passages; the month's usage and budget."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from console.errors import ApiError
from console.gateway import Gateway
from console.live import OPEN, LiveEvent, LiveItem, upstream_events

# Bases and agents a workspace shows on one page (the API's largest page).
PAGE = {"page_size": 100}


@dataclass(frozen=True)
class Studio:
    """The studio's front page: what answers, with what, and what it has cost this month."""

    agents: list[dict[str, Any]]
    bots: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    bases: list[dict[str, Any]]
    usage: dict[str, Any] | None  # the AI administrators' (ia:actualizar) only

    @property
    def base_names(self) -> dict[int, str]:
        return {int(b["id"]): str(b["name"]) for b in self.bases}


async def _nothing() -> None:
    return None


async def studio(gw: Gateway, *, sees_usage: bool) -> Studio:
    # The API's answers are independent: asked at once, the page waits for the slowest only.
    agents, bots, tools, bases, usage = await asyncio.gather(
        gw.get("/api/v1/agents/", params=PAGE),
        gw.get("/bots/"),
        gw.get("/api/tools"),
        gw.get("/api/v1/knowledge/", params=PAGE),
        gw.get("/api/ai/usage/") if sees_usage else _nothing(),
    )
    return Studio(agents["results"], bots, tools["tools"], bases["results"], usage)


def agent_body(form: dict[str, Any]) -> dict[str, Any]:
    """An agent's fields from the studio's form: empty text is "none", unticked tools an empty list."""
    body: dict[str, Any] = {"name": form["name"], "tools": form["tools"], "knowledge_bases": form["knowledge_bases"]}
    for key in ("description", "instructions", "model"):
        if form.get(key):
            body[key] = form[key]
    return body


async def create_agent(gw: Gateway, form: dict[str, Any]) -> dict[str, Any]:
    created: dict[str, Any] = await gw.post("/api/v1/agents/", json=agent_body(form))
    return created


async def agent(gw: Gateway, agent_id: int) -> dict[str, Any]:
    found: dict[str, Any] = await gw.get(f"/api/v1/agents/{agent_id}/")
    return found


async def update_agent(gw: Gateway, agent_id: int, form: dict[str, Any]) -> dict[str, Any]:
    """Changes an agent (PATCH): empty text fields become null (the workspace's model, no
    instructions); tools and bases as in `agent_body`."""
    body = {**agent_body(form), **{key: form.get(key) or None for key in ("description", "instructions", "model")}}
    updated: dict[str, Any] = await gw.patch(f"/api/v1/agents/{agent_id}/", json=body)
    return updated


async def conversations_of(gw: Gateway, bot_id: int) -> list[dict[str, Any]]:
    """The user's latest conversations with one agent (the API lists the user's 100 latest)."""
    found = await gw.get("/api/conversations", params={"limit": 100})
    return [c for c in found["conversations"] if c.get("bot_id") == bot_id][:10]


async def tools(gw: Gateway) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await gw.get("/api/tools"))["tools"]
    return found


async def add_bot_model(gw: Gateway, bot_id: int, *, provider: str, model_id: str, task_type: str) -> None:
    await gw.post(f"/bots/{bot_id}/models/", json={"provider": provider, "model_id": model_id, "task_type": task_type})


async def set_budget(gw: Gateway, monthly_tokens: int | None) -> dict[str, Any]:
    usage: dict[str, Any] = await gw.put("/api/ai/budget/", json={"monthly_tokens": monthly_tokens})
    return usage


# -- the playground --------------------------------------------------------------------------


@dataclass(frozen=True)
class Playground:
    """An agent's playground: the agent, the chosen conversation, its recent ones, and what its
    settings form offers (the workspace's bases and tools)."""

    agent: dict[str, Any]
    conversation: dict[str, Any] | None
    conversations: list[dict[str, Any]]
    bases: list[dict[str, Any]]
    tools: list[dict[str, Any]]


async def _empty() -> list[dict[str, Any]]:
    return []


async def playground(gw: Gateway, agent_id: int, conversation_id: str | None, *, sees_knowledge: bool) -> Playground:
    found, conversation, conversations, bases_found, tools_found = await asyncio.gather(
        agent(gw, agent_id),
        conversation_of(gw, conversation_id) if conversation_id else _nothing(),
        conversations_of(gw, agent_id) if sees_knowledge else _empty(),
        bases(gw) if sees_knowledge else _empty(),
        tools(gw) if sees_knowledge else _empty(),
    )
    return Playground(found, conversation, conversations, bases_found, tools_found)


@dataclass(frozen=True)
class Started:
    """An answer under way: its conversation, and the event id to follow it from (`<turn>:0`)."""

    conversation_id: str
    after: str


async def _started(gw: Gateway, path: str, body: dict[str, Any]) -> Started:
    """Starts an answer and reads up to its first event id; the answer goes on in the API and the
    browser follows it through `relay` (the API keeps it for a while with nobody listening)."""
    async with gw.stream("POST", path, json={**body, "stream": True}) as response:
        conversation = response.headers.get("X-Conversation-Id", "")
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                turn = line[3:].strip().partition(":")[0]
                return Started(conversation, f"{turn}:0")
    raise ApiError(502, None, "La API terminó la respuesta sin ningún evento.")


async def ask(gw: Gateway, agent_id: int, message: str, conversation_id: str | None) -> Started:
    body: dict[str, Any] = {"message": message}
    if conversation_id:
        body["conversation_id"] = conversation_id
    return await _started(gw, f"/api/v1/agents/{agent_id}/chat/", body)


async def confirm(gw: Gateway, conversation_id: str, *, approve: bool) -> Started:
    return await _started(gw, f"/api/conversations/{conversation_id}/confirm", {"approve": approve})


def passage_href(citation: dict[str, Any]) -> str:
    """The console page showing the cited passage of its document, scrolled to it."""
    query = urlencode({"inicio": int(citation["start"]), "fin": int(citation["end"])})
    return f"/console/studio/documentos/{int(citation['document_id'])}/?{query}#pasaje"


def with_links(event: dict[str, Any]) -> dict[str, Any]:
    """An answer's event for the page: citations carry the link to their passage."""
    citations = event.get("citations")
    if not citations:
        return event
    return {**event, "citations": [{**c, "href": passage_href(c)} for c in citations]}


async def relay(gw: Gateway, conversation_id: str, after: str) -> AsyncIterator[LiveItem]:
    """The API's stream of an answer after event `after` (`<turn>:<n>`) for
    `console.live.live_response`, each event with the API's own id, so the browser's
    `Last-Event-ID` resumes it after a drop. An answer the API no longer keeps ends the stream
    with a `gone` event (studio.js says so and stops; refused before or after the stream opened)."""
    path = f"/api/conversations/{conversation_id}/stream"
    try:
        async with gw.stream("GET", path, params={"last_event_id": after}) as response:
            yield OPEN
            async for event in upstream_events(response):
                yield LiveEvent(with_links(json.loads(event.data)), id=event.id or None)
    except ApiError as exc:
        yield LiveEvent({"type": "gone", "message": exc.message})


async def conversation_of(gw: Gateway, conversation_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await gw.get(f"/api/conversations/{conversation_id}")
    return found


# -- knowledge -------------------------------------------------------------------------------


async def bases(gw: Gateway) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await gw.get("/api/v1/knowledge/", params=PAGE))["results"]
    return found


async def create_base(gw: Gateway, *, name: str, description: str, language: str) -> dict[str, Any]:
    body = {"name": name, "language": language, **({"description": description} if description else {})}
    created: dict[str, Any] = await gw.post("/api/v1/knowledge/", json=body)
    return created


async def base(gw: Gateway, base_id: int) -> dict[str, Any]:
    found: dict[str, Any] = await gw.get(f"/api/v1/knowledge/{base_id}/")
    return found


async def documents(gw: Gateway, base_id: int) -> list[dict[str, Any]]:
    page = await gw.get("/api/v1/documents/", params={**PAGE, "knowledge_base": base_id})
    found: list[dict[str, Any]] = page["results"]
    return found


async def upload(
    gw: Gateway, base_id: int, *, filename: str, data: bytes, content_type: str, title: str
) -> dict[str, Any]:
    form = {"knowledge_base": str(base_id), **({"title": title} if title else {})}
    created: dict[str, Any] = await gw.post(
        "/api/v1/documents/", data=form, files={"file": (filename, data, content_type)}
    )
    return created


async def search(gw: Gateway, base_id: int, query: str) -> list[dict[str, Any]]:
    found = await gw.get(f"/api/v1/knowledge/{base_id}/search/", params={"q": query, "limit": 10})
    hits: list[dict[str, Any]] = found["results"]
    return [{**hit, "href": passage_href(hit)} for hit in hits]


@dataclass(frozen=True)
class Passage:
    """A document's text cut around a passage, for a page that marks and scrolls to it."""

    document: dict[str, Any]
    before: str
    quoted: str
    after: str


async def passage(gw: Gateway, document_id: int, start: int | None, end: int | None) -> Passage:
    document: dict[str, Any] = await gw.get(f"/api/v1/documents/{document_id}/")
    text: str = document["content"]
    if start is None or end is None or not 0 <= start < end <= len(text):
        return Passage(document, text, "", "")
    return Passage(document, text[:start], text[start:end], text[end:])
