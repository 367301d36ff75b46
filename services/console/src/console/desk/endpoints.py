"""`/console/desk/`: the support desk (003) for agents and supervisors: the queues, a room with
its live messages, the moves (take, reply, resolve, close, transfer), availability, and the live
relay of the chat WebSocket as server-sent events."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Header, Request
from fastapi.responses import Response, StreamingResponse

from console.access import ConsoleUser, require
from console.desk import service
from console.errors import ApiError
from console.gateway import GatewayDep
from console.live import live_response
from console.templating import render

router = APIRouter(prefix="/console/desk", include_in_schema=False)

Agent = Annotated[ConsoleUser, Depends(require("chat:ver"))]
SUPERVISE = "chat:eliminar"
MOVES = {"take": "Chat tomado.", "resolve": "Chat resuelto.", "close": "Chat cerrado.", "transfer": "Chat transferido."}


def _helpers() -> dict[str, object]:
    return {
        "status_label": lambda v: service.label(v, service.STATUS_LABELS),
        "priority_label": lambda v: service.label(v, service.PRIORITY_LABELS),
        "agent_label": service.agent_label,
    }


@router.get("/")
async def desk(request: Request, user: Agent, gw: GatewayDep) -> Response:
    """The queues: waiting, mine, and every chat for supervisors; availability; live updates."""
    queues = await service.queues(gw, supervisor=user.can(SUPERVISE))
    return render(request, "desk/index.html", {"queues": queues, **_helpers()})


@router.get("/queues/")
async def queues_partial(request: Request, user: Agent, gw: GatewayDep) -> Response:
    """The queues again (htmx, after a live event or a reconnection)."""
    queues = await service.queues(gw, supervisor=user.can(SUPERVISE))
    return render(request, "desk/_queues.html", {"queues": queues, **_helpers()}, partial=True)


@router.post("/availability/")
async def availability(request: Request, user: Agent, gw: GatewayDep, is_available: Annotated[str, Form()]) -> Response:
    agent = await service.set_available(gw, available=is_available == "true")
    return render(request, "desk/_availability.html", {"me": agent}, partial=True)


@router.post("/queue/{room_id}/take/")
async def take_from_queue(room_id: uuid.UUID, user: Agent, gw: GatewayDep) -> Response:
    """Take a waiting chat from the queue, then open it (an API refusal shows in `#flash`)."""
    await service.move(gw, str(room_id), "take")
    return Response(status_code=204, headers={"HX-Redirect": f"/console/desk/rooms/{room_id}/"})


@router.get("/rooms/{room_id}/")
async def room(request: Request, room_id: uuid.UUID, user: Agent, gw: GatewayDep) -> Response:
    """One chat: its guest, status and agent, its messages live, the reply box and the moves."""
    page = await service.room_page(gw, str(room_id))
    return render(request, "desk/room.html", {"page": page, "notice": None, **_helpers()})


@router.get("/rooms/{room_id}/panel/")
async def room_panel(request: Request, room_id: uuid.UUID, user: Agent, gw: GatewayDep) -> Response:
    """The room's status, moves and messages again (htmx, after a live event or a reconnection)."""
    page = await service.room_page(gw, str(room_id))
    return render(request, "desk/_panel.html", {"page": page, "notice": None, **_helpers()}, partial=True)


@router.get("/rooms/{room_id}/messages/")
async def room_messages(request: Request, room_id: uuid.UUID, user: Agent, gw: GatewayDep) -> Response:
    """The room's messages as list items (desk.js merges them after a reconnection)."""
    messages = await service.messages(gw, str(room_id))
    return render(request, "desk/_messages.html", {"messages": messages, **_helpers()}, partial=True)


@router.post("/rooms/{room_id}/{action}/")
async def room_move(
    request: Request,
    room_id: uuid.UUID,
    action: str,
    user: Agent,
    gw: GatewayDep,
    agent_id: Annotated[int | None, Form()] = None,
) -> Response:
    """take, resolve, close, transfer: the API's answer (or its refusal) in the room's panel."""
    if action not in MOVES:
        return render(request, "error.html", {"heading": "Acción desconocida", "message": action}, status=404)
    notice, failed = MOVES[action], False
    try:
        await service.move(gw, str(room_id), action, agent_id=agent_id)
    except ApiError as exc:
        notice, failed = exc.message, True
    page = await service.room_page(gw, str(room_id))
    context = {"page": page, "notice": notice, "failed": failed, **_helpers()}
    return render(request, "desk/_panel.html", context, partial=True)


@router.post("/rooms/{room_id}/reply/send/")
async def reply(
    request: Request, room_id: uuid.UUID, user: Agent, gw: GatewayDep, content: Annotated[str, Form()]
) -> Response:
    """The agent's message: the stored message, appended to the list (or the API's refusal)."""
    try:
        message = await service.reply(gw, str(room_id), content.strip())
    except ApiError as exc:
        headers = {"HX-Retarget": "#reply-error", "HX-Reswap": "innerHTML"}
        return render(request, "desk/_reply_error.html", {"message": exc.message}, partial=True, headers=headers)
    return render(request, "desk/_message.html", {"m": message, **_helpers()}, partial=True)


@router.post("/rooms/{room_id}/signal/typing/")
async def typing(
    room_id: uuid.UUID, user: Agent, gw: GatewayDep, is_typing: Annotated[str, Form()] = "true"
) -> Response:
    await service.typing(gw, str(room_id), is_typing=is_typing == "true")
    return Response(status_code=204)


@router.post("/rooms/{room_id}/signal/read/")
async def read(room_id: uuid.UUID, user: Agent, gw: GatewayDep) -> Response:
    await service.read(gw, str(room_id))
    return Response(status_code=204)


@router.get("/live/")
async def live(
    user: Agent,
    gw: GatewayDep,
    room: uuid.UUID | None = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events relayed from the chat WebSocket (as the user), resumed after the
    browser's `Last-Event-ID`; `?room=` tells the other agents this user views that room."""
    after = int(last_event_id) if last_event_id is not None and last_event_id.isdigit() else None
    return await live_response(service.live_events(gw, last_event_id=after, room_id=str(room) if room else None))
