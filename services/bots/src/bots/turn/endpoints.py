"""Chat: 002's `/api/chat` (SSE or JSON) and `/ws`, 001's `/chat/{bot_id}` (a text stream),
004's `/api/ai/chat/`, and resuming a streamed answer (`Last-Event-ID`)."""

import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import ValidationError

from bots.access import CanChat
from bots.config import settings
from bots.conversation.endpoints import ConversationId
from bots.errors import AnswerGone, NothingToConfirm, ProviderNotConfigured, ProvidersFailed
from bots.turn.answer import Answerer
from bots.turn.live import TERMINAL, Event, LiveTurn, Turns, parse_event_id
from bots.turn.schemas import (
    AgentChatCreate,
    AiChatCreate,
    AiChatRead,
    AnswerRead,
    ChatCreate,
    ConfirmationCreate,
    Tokens,
)
from bots.turn.service import TurnPlan, confirming, opening, turn_to_resume
from shared.errors import ErrorStyle, NotAuthenticated, ServiceError, documented, error_body
from shared.observability.connections import held_open
from shared.security import Principal, bearer_of_auth_frame, bearer_token, receive_auth_frame
from shared.security.live import closing_on_revocation, while_valid
from shared.validation import Id, Text

logger = logging.getLogger(__name__)
router = APIRouter(tags=["chat"])


_NONE = {"input": 0, "output": 0}

_TURN = "7c1e9a52-3b4d-4f6e-8a1c-2d3e4f5a6b7c"
_EVENTS_EXAMPLE = (
    'data: {"type": "thinking", "content": "Analizando request..."}\n'
    f"id: {_TURN}:1\n\n"
    'data: {"type": "message", "content": "Encontré 5 instancias..."}\n'
    f"id: {_TURN}:2\n\n"
    'data: {"type": "done", "status": "complete", "conversation_id": "conv_123", "model": "gpt-4o", '
    '"provider": "openai", "tokens": {"input": 412, "output": 96}}\n'
    f"id: {_TURN}:3\n\n"
)
# The answer as Server-Sent Events, beside the JSON one.
_STREAMED = {"content": {"text/event-stream": {"example": _EVENTS_EXAMPLE}}}


class _EventStream(Response):
    """Documents an answer as `text/event-stream`. Not FastAPI's `EventSourceResponse`, which as a
    route's response class expects a generator: the endpoint returns its `EventSourceResponse`."""

    media_type = "text/event-stream"


def _answerer(request: Request | WebSocket) -> Answerer:
    answerer: Answerer = request.app.state.answerer
    return answerer


async def _begin(answerer: Answerer, planning: AbstractAsyncContextManager[TurnPlan]) -> tuple[TurnPlan, LiveTurn]:
    """Starts the answer inside `opening`/`confirming`, so it runs while its rows are stored;
    if storing them fails, the answer is cancelled (no answer without its question)."""
    turn: LiveTurn | None = None
    try:
        async with planning as plan:
            turn = answerer.start(plan)
    except BaseException:
        if turn is not None:
            answerer.turns.cancel(turn.id)
        raise
    assert turn is not None
    return plan, turn


async def _start(
    request: Request | WebSocket, principal: Principal, message: str, **options: Any
) -> tuple[TurnPlan, LiveTurn]:
    answerer = _answerer(request)
    planning = opening(
        request.app.state.sessionmaker, principal, message,
        max_tokens=settings.max_output_tokens, history_messages=settings.history_messages,
        knowledge_chunks=settings.knowledge_chunks, embedder=request.app.state.embedder,
        platform=answerer.providers.platform_kinds, catalogue=answerer.catalogue, **options,
    )  # fmt: skip
    return await _begin(answerer, planning)


def _sse(
    request: Request, principal: Principal, turns: Turns, plan_turn: uuid.UUID, after: int = 0
) -> AsyncIterator[bytes]:
    async def events() -> AsyncIterator[bytes]:
        # A logout (or any revocation) ends the stream; the answer goes on unheard and is kept.
        with held_open(settings.service_name, _route_of(request), "sse"):
            async for seq, event in while_valid(turns.follow(plan_turn, after), request.app.state.verifier, principal):
                data = json.dumps(event, ensure_ascii=False)
                yield format_sse_event(data_str=data, id=f"{plan_turn}:{seq}")

    return events()


def _route_of(request: Request) -> str:
    """The route template (`/api/conversations/{conversation_id}/stream`): a label, never a raw path."""
    route = request.scope.get("route")
    return getattr(route, "path", "other")


async def _collect(turn: LiveTurn) -> Event:
    """Waits for the end of an answer; its `done` event with the whole text under `content`."""
    text: list[str] = []
    async for _, event in turn.follow():
        if event["type"] == "message":
            text.append(event["content"])
        elif event["type"] == TERMINAL:
            return {**event, "content": "".join(text)}
    raise AssertionError("an answer always ends with done")


@router.post(
    "/api/chat",
    response_model=AnswerRead,
    summary="Enviar un mensaje al asistente",
    responses={200: _STREAMED, **documented(ProviderNotConfigured, ProvidersFailed)},
)
async def send_chat_message(
    body: ChatCreate, principal: CanChat, request: Request, token: Annotated[str | None, Depends(bearer_token)]
) -> EventSourceResponse | AnswerRead:
    """Envía un mensaje al asistente (002). Con `stream: true` la respuesta llega como Server-Sent
    Events: `thinking`, `tool_call`, `tool_result`, `message` (trozos de texto) y `done`; cada uno
    con un `id` (`<turno>:<n>`) para retomarla con `Last-Event-ID` en
    `GET /api/conversations/{conversation_id}/stream`. Sin él, una sola respuesta JSON. El
    intercambio queda en la conversación (una nueva si se omite `conversation_id`; su id va en la
    cabecera `X-Conversation-Id`). Sin un proveedor configurado para el modelo: 400; si ninguno
    responde: 502; pasado el presupuesto mensual de tokens: 429."""
    plan, turn = await _start(
        request, principal, body.message, conversation_id=body.conversation_id, bot_id=body.bot_id,
        requested_model=body.model, token=token,
    )  # fmt: skip
    return await _answer(request, principal, plan, turn, body.stream, _answerer(request))


@router.post(
    "/api/v1/agents/{agent_id}/chat/",
    response_model=AnswerRead,
    tags=["agents"],
    summary="Chatear con un agente de IA",
    responses={200: _STREAMED, **documented(ProviderNotConfigured, ProvidersFailed)},
)
async def chat_with_agent(
    agent_id: Id,
    body: AgentChatCreate,
    principal: CanChat,
    request: Request,
    token: Annotated[str | None, Depends(bearer_token)],
) -> EventSourceResponse | AnswerRead:
    """Una pregunta a un agente (000), respondida con su modelo, sus herramientas y sus bases de
    conocimiento (citando los fragmentos usados en `citations`), como Server-Sent Events o una
    respuesta JSON, igual que `POST /api/chat`. Con `conversation_id` la conversación sigue."""
    plan, turn = await _start(
        request, principal, body.message, conversation_id=body.conversation_id, bot_id=agent_id, token=token
    )
    return await _answer(request, principal, plan, turn, body.stream, _answerer(request))


async def _answer(
    request: Request, principal: Principal, plan: TurnPlan, turn: LiveTurn, stream: bool, answerer: Answerer
) -> EventSourceResponse | AnswerRead:
    """Server-Sent Events, or the whole answer once it is done."""
    headers = {"X-Conversation-Id": plan.public_conversation_id or ""}
    if stream:
        return EventSourceResponse(_sse(request, principal, answerer.turns, turn.id), headers=headers)
    done = await _collect(turn)
    if done["status"] == "failed":
        raise ProvidersFailed(f"Ningún proveedor respondió: {done.get('error')}.")
    return AnswerRead(
        conversation_id=plan.public_conversation_id, content=done["content"], status=done["status"],
        model=done.get("model"), provider=done.get("provider"), tokens=Tokens(**done.get("tokens", _NONE)),
        citations=done.get("citations", []),
    )  # fmt: skip


@router.post(
    "/api/conversations/{conversation_id}/confirm",
    response_model=AnswerRead,
    summary="Confirmar las herramientas pendientes",
    responses={
        200: _STREAMED,
        **documented(ProviderNotConfigured, NothingToConfirm, ProvidersFailed),
    },
)
async def confirm_tool_calls(
    conversation_id: ConversationId,
    body: ConfirmationCreate,
    principal: CanChat,
    request: Request,
    token: Annotated[str | None, Depends(bearer_token)],
) -> EventSourceResponse | AnswerRead:
    """Aprueba (o rechaza, con `approve: false`) las herramientas que cambian algo y que la última
    respuesta de la conversación espera (`done` con `status: pending`); la respuesta sigue, por
    Server-Sent Events o como una respuesta JSON igual que `POST /api/chat`. Si no hay nada que
    confirmar: 409."""
    answerer = _answerer(request)
    planning = confirming(
        request.app.state.sessionmaker, principal, conversation_id, approve=body.approve, token=token or "",
        max_tokens=settings.max_output_tokens, history_messages=settings.history_messages,
        knowledge_chunks=settings.knowledge_chunks, embedder=request.app.state.embedder,
        platform=answerer.providers.platform_kinds, catalogue=answerer.catalogue,
    )  # fmt: skip
    plan, turn = await _begin(answerer, planning)
    return await _answer(request, principal, plan, turn, body.stream, answerer)


@router.get(
    "/api/conversations/{conversation_id}/stream",
    response_class=_EventStream,
    summary="Retomar una respuesta en curso",
    responses={200: _STREAMED, **documented(AnswerGone)},
)
async def resume_answer_stream(
    conversation_id: ConversationId,
    principal: CanChat,
    request: Request,
    last_event_id: Annotated[str | None, Header(max_length=200)] = None,
    from_id: Annotated[str | None, Query(alias="last_event_id", max_length=200)] = None,
) -> EventSourceResponse:
    """El resto de una respuesta después de `Last-Event-ID` (cabecera, o `?last_event_id=`), como
    Server-Sent Events, mientras se conserva; sin él, la última respuesta de la conversación
    desde el principio. Una respuesta que ya no se conserva: 404."""
    parsed = parse_event_id(last_event_id or from_id)
    turn_id = await turn_to_resume(
        request.app.state.sessionmaker, principal, conversation_id, parsed[0] if parsed else None
    )
    turns = _answerer(request).turns
    if not await turns.has_kept(turn_id):
        raise AnswerGone()
    return EventSourceResponse(_sse(request, principal, turns, turn_id, parsed[1] if parsed else 0))


@router.post(
    "/chat/{bot_id}",
    response_class=PlainTextResponse,
    summary="Chatear con un bot",
    responses={
        200: {"content": {"text/plain": {"example": "¡Arr, marinero! Soy tu asistente. ¿En qué puedo ayudarte?"}}},
        **documented(ProviderNotConfigured, ProvidersFailed),
    },
)
async def chat_with_bot(
    bot_id: Id,
    principal: CanChat,
    request: Request,
    query: Annotated[Text, Query(min_length=1, max_length=20_000, description="La pregunta del usuario")],
    token: Annotated[str | None, Depends(bearer_token)],
) -> StreamingResponse:
    """Envía `query` a un bot (001) y devuelve su respuesta como texto en tiempo real (streaming),
    a medida que se produce; queda como una conversación del bot (cabecera `X-Conversation-Id`).
    Si ningún modelo del bot responde: 502."""
    plan, turn = await _start(request, principal, query, bot_id=bot_id, token=token)
    updates = turn.follow()
    # Wait for the first words, so that a bot whose every model fails answers 502, not an empty 200.
    first: list[str] = []
    async for _, event in updates:
        if event["type"] == "message":
            first.append(event["content"])
            break
        if event["type"] == TERMINAL:
            if event["status"] == "failed":
                raise ProvidersFailed(f"Ningún proveedor respondió: {event.get('error')}.")
            break

    async def text() -> AsyncIterator[str]:
        try:
            with held_open(settings.service_name, _route_of(request), "text_stream"):
                for part in first:
                    yield part
                async for _, event in while_valid(updates, request.app.state.verifier, principal):
                    if event["type"] == "message":
                        yield event["content"]
        finally:
            await updates.aclose()

    headers = {"X-Conversation-Id": plan.public_conversation_id or ""}
    return StreamingResponse(text(), media_type="text/plain; charset=utf-8", headers=headers)


@router.post(
    "/api/ai/chat/",
    response_model=AiChatRead,
    tags=["ai"],
    summary="Consultar a la IA",
    responses=documented(ProviderNotConfigured, ProvidersFailed),
)
async def chat_with_ai(body: AiChatCreate, principal: CanChat, request: Request) -> AiChatRead:
    """Una pregunta a la IA (004) con un `context` y una `temperature` opcionales: una respuesta, que
    no se guarda como conversación (sus tokens cuentan en el consumo). `model` elige el modelo
    (p. ej. `claude-3.5`, `ollama:llama3`); sin proveedor configurado: 400; si no responde: 502."""
    _, turn = await _start(
        request, principal, body.prompt, keep=False, requested_model=body.model, context=body.context,
        temperature=body.temperature,
    )  # fmt: skip
    done = await _collect(turn)
    if done["status"] == "failed":
        raise ProvidersFailed(f"El proveedor no respondió: {done.get('error')}.")
    model = body.model or done.get("model") or ""
    return AiChatRead(text=done["content"], model=model, tokens=Tokens(**done.get("tokens", _NONE)))


# -- 002's WebSocket ---------------------------------------------------------------------------
def _ws_error(error: ServiceError | None = None, *, message: str = "", status: int = 400) -> dict[str, object]:
    if error is not None:
        message, status = error.message, error.status_code
        return {"type": "error", **error_body(ErrorStyle.AGENT, status_code=status, message=message, code=error.code,
                                              details=error.details, fields=error.fields)}  # fmt: skip
    return {"type": "error", **error_body(ErrorStyle.AGENT, status_code=status, message=message)}


async def _authenticate(websocket: WebSocket) -> tuple[Principal, str] | None:
    frame = await receive_auth_frame(websocket)
    return None if frame is None else await bearer_of_auth_frame(frame, websocket.app.state.verifier)


@router.websocket("/ws")
async def chat_socket(websocket: WebSocket) -> None:
    """First `{"type": "auth", "token": ...}`, then `{"type": "chat", "conversation_id", "message"}`
    frames; each answer's events come back as frames, with `id` and `conversation_id`."""
    await websocket.accept()
    with held_open(settings.service_name, "/ws", "websocket"):
        await _chat_socket(websocket)


async def _chat_socket(websocket: WebSocket) -> None:
    authenticated = await _authenticate(websocket)
    if authenticated is None or not authenticated[0].can("ia", "crear"):
        await websocket.send_json(_ws_error(NotAuthenticated("Autenticación requerida: envía {type: auth, token}.")))
        await websocket.close(code=1008)
        return
    principal, token = authenticated
    await websocket.send_json({"type": "auth_ok", "user_id": principal.user_id})
    # A logout (or a role change, a removal, a revoked key) ends the socket too, mid-answer included.
    async with closing_on_revocation(websocket, websocket.app.state.verifier, principal):
        with contextlib.suppress(WebSocketDisconnect):
            await _chat_frames(websocket, principal, token)


async def _chat_frames(websocket: WebSocket, principal: Principal, token: str) -> None:
    while True:
        try:
            frame = json.loads(await websocket.receive_text())
        except ValueError:
            await websocket.send_json(_ws_error(message="Cada mensaje debe ser un objeto JSON."))
            continue
        if not isinstance(frame, dict) or frame.get("type") != "chat":
            kind = frame.get("type") if isinstance(frame, dict) else None
            reply = {"type": "pong"} if kind == "ping" else _ws_error(message="Tipo de mensaje desconocido.")
            await websocket.send_json(reply)
            continue
        try:
            body = ChatCreate.model_validate({k: v for k, v in frame.items() if k != "type"})
            plan, turn = await _start(websocket, principal, body.message, conversation_id=body.conversation_id,
                                      bot_id=body.bot_id, requested_model=body.model, token=token)  # fmt: skip
        except ValidationError as exc:
            await websocket.send_json(_ws_error(message=str(exc.errors(include_url=False)[0].get("msg", ""))))
            continue
        except ServiceError as exc:
            await websocket.send_json(_ws_error(exc))
            continue
        async for seq, event in turn.follow():
            frame = {**event, "id": f"{turn.id}:{seq}", "conversation_id": plan.public_conversation_id}
            await websocket.send_json(frame)
