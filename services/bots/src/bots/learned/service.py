"""Learned APIs: a document fetched through the SSRF guard (or sent inline), its operations
kept as the workspace's tools, each called at the API's base URL through the same guard,
with the API's sealed credential."""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import JsonValue
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots import events
from bots.errors import InvalidApiDocument, LearnedApiNotFound, ToolFailed
from bots.learned.importer import learn
from bots.learned.schemas import LearnedApiCreate, LearnedApiRead
from bots.models import LearnedApi
from bots.tooling import Run, Tool, ToolContext
from shared.crypto import SecretCipher
from shared.errors import InvalidRequest
from shared.ids import PrefixedId
from shared.outbound import OutboundPolicy, UnsafeURL, checked_address, guarded_request
from shared.security import Principal

API_ID = PrefixedId("api_")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Outbound:
    """What calls to users' URLs need: the guard's policy, a transport, and the cipher."""

    policy: OutboundPolicy
    transport: httpx.AsyncBaseTransport
    cipher: SecretCipher


def public_id(api_id: int) -> str:
    return API_ID.format(api_id)


def tool_name(api: LearnedApi, operation: dict[str, Any]) -> str:
    return f"api{api.id}_{operation['name']}"[:64]


async def _fetch(url: str, outbound: Outbound) -> object:
    try:
        response, body = await guarded_request(outbound.transport, "GET", url, outbound.policy)
    except (httpx.HTTPError, TimeoutError) as exc:
        raise InvalidRequest(f"No se pudo leer el documento ({type(exc).__name__}).",
                             fields={"source": ["Inaccesible."]}) from exc  # fmt: skip
    if not response.is_success:
        raise InvalidRequest(f"El documento respondió {response.status_code}.", fields={"source": ["Inaccesible."]})
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested thousands of levels deep
        raise InvalidApiDocument("El documento no es JSON (o supera el tamaño admitido).") from exc


async def create(session: AsyncSession, principal: Principal, body: LearnedApiCreate, outbound: Outbound) -> LearnedApi:
    source_url = body.source if isinstance(body.source, str) else None
    if source_url is not None:
        await checked_address(source_url, outbound.policy)
        document = await _fetch(source_url, outbound)
    else:
        document = body.source
    learned = learn(document, source_url)
    base_url = body.base_url or learned.base_url
    if not base_url:
        raise InvalidRequest(
            "El documento no dice dónde está la API: indica base_url.", fields={"base_url": ["Requerido."]}
        )
    await checked_address(base_url, outbound.policy)
    api = LearnedApi(
        tenant_id=principal.tenant_id, name=body.name or learned.title, source=source_url or "inline",
        base_url=base_url, endpoints=len(learned.operations),
        operations=[{"name": o.name, "method": o.method, "path": o.path, "summary": o.summary,
                     "parameters": o.parameters, "locations": o.locations} for o in learned.operations],
        credential_header=body.credential.header if body.credential else None,
        credential_sealed=outbound.cipher.seal(body.credential.value.encode()) if body.credential else None,
    )  # fmt: skip
    session.add(api)
    await session.flush()
    event = events.ApiLearned(api_id=public_id(api.id), name=api.name, endpoints=api.endpoints)
    await events.outbox.emit(session, event, tenant_id=principal.tenant_id)
    return api


async def listing(session: AsyncSession, tenant_id: int) -> list[LearnedApi]:
    query = select(LearnedApi).where(LearnedApi.tenant_id == tenant_id).order_by(LearnedApi.id)
    return list(await session.scalars(query))


async def get(session: AsyncSession, principal: Principal, api_id: str) -> LearnedApi:
    ident = API_ID.parse(api_id)
    found = None
    if ident is not None:
        found = await session.scalar(
            select(LearnedApi).where(LearnedApi.id == ident, LearnedApi.tenant_id == principal.tenant_id)
        )
    if found is None:
        raise LearnedApiNotFound()
    return found


async def delete(session: AsyncSession, api: LearnedApi) -> None:
    event = events.ApiForgotten(api_id=public_id(api.id), name=api.name)
    await session.delete(api)
    await session.flush()
    await events.outbox.emit(session, event, tenant_id=api.tenant_id)


def as_out(api: LearnedApi) -> LearnedApiRead:
    return LearnedApiRead(
        id=public_id(api.id), name=api.name, endpoints=api.endpoints, learned_at=api.learned_at,
        base_url=api.base_url, tools=[tool_name(api, o) for o in api.operations],
    )  # fmt: skip


def tools_of(api: LearnedApi, outbound: Outbound) -> list[Tool]:
    return [
        Tool(tool_name(api, op), op["summary"], f"api:{api.name}"[:60], op["parameters"], _caller(api, op, outbound),
             mutating=op["method"] not in SAFE_METHODS)
        for op in api.operations
    ]  # fmt: skip


def _caller(api: LearnedApi, operation: dict[str, Any], outbound: Outbound) -> Run:
    async def call(context: ToolContext, params: dict[str, Any]) -> JsonValue:
        path = operation["path"]
        query: dict[str, str] = {}
        headers = {"Accept": "application/json"}
        content = None
        for name, value in params.items():
            where = operation["locations"].get(name)
            if where == "path":
                path = path.replace("{" + name + "}", quote(str(value), safe=""))
            elif where == "query":
                query[name] = str(value)
            elif where == "header":
                headers[name] = str(value)
            elif where == "body":
                content, headers["Content-Type"] = json.dumps(value).encode(), "application/json"
        if api.credential_header and api.credential_sealed:
            headers[api.credential_header] = outbound.cipher.open(api.credential_sealed).decode()
        url = api.base_url.rstrip("/") + path
        if query:
            url += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query.items())
        try:
            response, body = await guarded_request(
                outbound.transport, operation["method"], url, outbound.policy, headers=headers, content=content
            )
        except UnsafeURL as exc:
            raise ToolFailed(exc.message, 400) from exc
        except (httpx.HTTPError, TimeoutError) as exc:
            raise ToolFailed(f"La API no respondió ({type(exc).__name__}).") from exc
        try:
            result: JsonValue = json.loads(body) if body else None
        except ValueError:
            result = body.decode("utf-8", "replace")[:4000]
        if not response.is_success:
            raise ToolFailed(f"La API respondió {response.status_code}: {str(result)[:300]}")
        return result

    return call
