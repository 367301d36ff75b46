"""What the desk keeps, and for how long: guest sessions and tokens expire and are purged,
notifications and finished chats go by their workspace's settings, and a guest is erased on an
administrator's request (issue 22). Time moves by setting rows' timestamps back, and the
maintenance jobs are run at once (`chat.retention.jobs`) instead of waiting for their interval."""

import asyncio
import json
import secrets
import uuid
from typing import Any, cast

import httpx
import jwt
import pytest
from sqlalchemy import CursorResult, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from auth.testing import AddMember, Workspace, auth_header
from chat.retention.jobs import retention_jobs
from devstack.pytest_plugin import Published
from devstack.stack import Stack
from devstack.waiting import eventually

Sessions = async_sessionmaker[AsyncSession]


async def run_job(database: Sessions, name: str) -> int:
    """One pass of a chat retention job, batches of 2 (so the batching loops)."""
    [job] = [job for job in retention_jobs(interval_seconds=60, batch_size=2) if job.name == name]
    return await job.run(database)


async def sql(database: Sessions, statement: str, **params: Any) -> list[Any]:
    """The rows a statement returns (none for an UPDATE), committed."""
    async with database() as session, session.begin():
        result = cast(CursorResult[Any], await session.execute(text(statement), params))
        return list(result.all()) if result.returns_rows else []


def as_guest(chat: dict[str, Any]) -> dict[str, str]:
    return {"X-Guest-Token": chat["guest_token"]}


async def open_chat(gateway: httpx.AsyncClient, tenant_id: int, email: str, message: str = "Hola") -> dict[str, Any]:
    started = await gateway.post("/api/chat/start_chat/", json={"initial_message": message, "tenant": tenant_id})
    assert started.status_code == 200, started.text
    completed = await gateway.post("/api/chat/complete_chat/", json={
        "session_id": started.json()["session_id"], "email": email, "full_name": "Ana Invitada",
        "phone_number": "+51 999 888 777", "recaptcha_token": "",
    })  # fmt: skip
    assert completed.status_code == 201, completed.text
    return dict(completed.json())


async def other_workspace(gateway: httpx.AsyncClient) -> tuple[int, dict[str, str]]:
    """A second workspace (its owner's tenant) and its owner's header."""
    email, password = f"otro-{secrets.token_hex(4)}@example.com", "otra-clave-segura"
    assert (await gateway.post("/users/", json={"email": email, "password": password})).status_code == 200
    token = (await gateway.post("/api/auth/login", json={"username": email, "password": password})).json()[
        "access_token"
    ]
    return int(jwt.decode(token, options={"verify_signature": False})["tenant"]), {"Authorization": f"Bearer {token}"}


async def test_guest_sessions_and_tokens_expire_and_are_purged(
    gateway: httpx.AsyncClient, workspace: Workspace, guest: Any, database: Sessions
) -> None:
    chat = await guest()
    room = chat["chat_room_id"]
    status_path = f"/api/chat/get_chat_status/?chat_room_id={room}"
    assert (await gateway.get(status_path, headers=as_guest(chat))).status_code == 200
    [(expires_in,)] = await sql(database, "SELECT guest_token_expires_at - created_at FROM chat.rooms WHERE id = :r",
                                r=uuid.UUID(room))  # fmt: skip
    assert expires_in.total_seconds() == pytest.approx(7 * 24 * 3600, abs=5)  # CHAT_GUEST_TOKEN_SECONDS

    # A session that was never completed, and the room's token, both past their time.
    started = await gateway.post("/api/chat/start_chat/", json={"initial_message": "Solo empecé",
                                                                "tenant": workspace.tenant_id})  # fmt: skip
    session_id = uuid.UUID(started.json()["session_id"])
    await sql(database, "UPDATE chat.guest_sessions SET expires_at = now() - interval '1 second' WHERE id = :s",
              s=session_id)  # fmt: skip
    await sql(database, "UPDATE chat.rooms SET guest_token_expires_at = now() - interval '1 second' WHERE id = :r",
              r=uuid.UUID(room))  # fmt: skip
    expired = await gateway.get(status_path, headers=as_guest(chat))
    assert expired.status_code == 404
    assert expired.json() == {"error": "El chat expiró. Por favor inicia el chat nuevamente."}
    sent = await gateway.post("/api/chat/send_message/", headers=as_guest(chat),
                              json={"chat_room_id": room, "content": "¿Hola?"})  # fmt: skip
    assert sent.status_code == 404
    checked = await gateway.post("/api/chat/validate_session/", json={"session_id": str(session_id)})
    assert checked.json()["valid"] is False

    assert await run_job(database, "chat.guest_sessions") >= 2
    assert await sql(database, "SELECT 1 FROM chat.guest_sessions WHERE id = :s", s=session_id) == []
    [(token_hash,)] = await sql(database, "SELECT guest_token_hash FROM chat.rooms WHERE id = :r", r=uuid.UUID(room))
    assert token_hash is None
    # The token is gone for good: the plain 404 of a wrong token. The room itself stays (the
    # transcript's own retention decides).
    gone = await gateway.get(status_path, headers=as_guest(chat))
    assert (gone.status_code, gone.json()) == (404, {"error": "Chat no encontrado."})
    # A live session is untouched.
    live = await gateway.post("/api/chat/start_chat/", json={"initial_message": "Sigo",
                                                             "tenant": workspace.tenant_id})  # fmt: skip
    await run_job(database, "chat.guest_sessions")
    still = await gateway.post("/api/chat/validate_session/", json={"session_id": live.json()["session_id"]})
    assert still.json()["valid"] is True


async def closing_code(ws: ClientConnection, seconds: float = 15) -> tuple[int, list[dict[str, Any]]]:
    """The code the server closed `ws` with, and the frames it sent before."""
    frames: list[dict[str, Any]] = []

    async def read_until_closed() -> None:
        while True:
            frames.append(json.loads(await ws.recv()))

    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(read_until_closed(), seconds)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, frames


async def guest_socket(stack: Stack, chat: dict[str, Any]) -> ClientConnection:
    ws = await connect(stack.url("gateway").replace("http://", "ws://") + "/api/chat/ws/")
    await ws.send(
        json.dumps({"type": "auth", "guest_token": chat["guest_token"], "chat_room_id": chat["chat_room_id"]})
    )
    assert json.loads(await ws.recv())["type"] == "auth_ok"
    return ws


async def test_a_guests_socket_closes_when_their_token_expires(
    guest: Any, database: Sessions, platform_stack: Stack
) -> None:
    chat = await guest()
    await sql(database, "UPDATE chat.rooms SET guest_token_expires_at = now() + interval '2 seconds' WHERE id = :r",
              r=uuid.UUID(chat["chat_room_id"]))  # fmt: skip
    ws = await guest_socket(platform_stack, chat)
    code, _ = await closing_code(ws)
    assert code == 4401
    # And it cannot come back: the expired token is refused at the first frame.
    again = await connect(platform_stack.url("gateway").replace("http://", "ws://") + "/api/chat/ws/")
    await again.send(json.dumps({"type": "auth", "guest_token": chat["guest_token"],
                                 "chat_room_id": chat["chat_room_id"]}))  # fmt: skip
    assert json.loads(await again.recv())["type"] == "error"
    await again.close()


async def test_retention_settings_default_and_only_a_supervisor_sets_them(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember
) -> None:
    owner, agent = auth_header(workspace.owner_token), auth_header((await add_member("agente")).token)
    defaults = await gateway.get("/api/chat/retention/", headers=agent)
    assert defaults.json() == {"notification_retention_days": 90, "transcript_retention_days": None}
    body = {"notification_retention_days": 10, "transcript_retention_days": 30}
    refused = await gateway.put("/api/chat/retention/", headers=agent, json=body)
    assert refused.status_code == 403, refused.text
    assert (await gateway.put("/api/chat/retention/", headers=owner, json=body)).json() == body
    assert (await gateway.get("/api/chat/retention/", headers=agent)).json() == body
    bad = await gateway.put("/api/chat/retention/", headers=owner, json={**body, "notification_retention_days": 0})
    assert bad.status_code == 400  # the desk (003) answers validation with 400
    assert (await gateway.get("/api/chat/retention/")).status_code == 401


async def test_notifications_go_after_their_workspace_retention(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any, database: Sessions
) -> None:
    owner, me = auth_header(workspace.owner_token), auth_header((await add_member("agente")).token)
    put = {"notification_retention_days": 10, "transcript_retention_days": None}
    assert (await gateway.put("/api/chat/retention/", headers=owner, json=put)).is_success
    old, recent = await guest("Viejo"), await guest("Reciente")
    for chat in (old, recent):  # agent_joined for the guest, chat_assigned for the agent
        assert (await gateway.post(f"/api/chat-rooms/{chat['chat_room_id']}/take_chat/", headers=me)).is_success
    other_tenant, other_owner = await other_workspace(gateway)
    stranger = await open_chat(gateway, other_tenant, "alguien@example.com")  # its workspace keeps 90 days
    taken = await gateway.post(f"/api/chat-rooms/{stranger['chat_room_id']}/take_chat/", headers=other_owner)
    assert taken.is_success, taken.text

    def ids(chat: dict[str, Any]) -> uuid.UUID:
        return uuid.UUID(chat["chat_room_id"])

    await sql(database, "UPDATE chat.notifications SET created_at = now() - interval '11 days' WHERE room_id = :r",
              r=ids(old))  # fmt: skip
    await sql(database, "UPDATE chat.notifications SET created_at = now() - interval '9 days' WHERE room_id = :r",
              r=ids(recent))  # fmt: skip
    await sql(database, "UPDATE chat.notifications SET created_at = now() - interval '11 days' WHERE room_id = :r",
              r=ids(stranger))  # fmt: skip

    async def count(room: uuid.UUID) -> int:
        [(n,)] = await sql(database, "SELECT count(*) FROM chat.notifications WHERE room_id = :r", r=room)
        return int(n)

    rooms = {"old": ids(old), "recent": ids(recent), "other": ids(stranger)}
    before = {name: await count(room) for name, room in rooms.items()}
    assert min(before.values()) >= 1
    assert await run_job(database, "chat.notifications") >= before["old"]
    assert {name: await count(room) for name, room in rooms.items()} == {**before, "old": 0}
    guest_view = await gateway.get(f"/api/user-notifications/get_notifications/?chat_room_id={old['chat_room_id']}",
                                   headers=as_guest(old))  # fmt: skip
    assert guest_view.json()["total_count"] == 0


async def test_finished_chats_go_after_the_transcript_retention_and_never_when_it_is_null(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, database: Sessions
) -> None:
    owner, me = auth_header(workspace.owner_token), auth_header((await add_member("agente")).token)
    email = f"g-{secrets.token_hex(4)}@example.com"
    resolved, closed, active, fresh = [await open_chat(gateway, workspace.tenant_id, email, m) for m in "RCAF"]
    for chat in (resolved, closed, active, fresh):
        assert (await gateway.post(f"/api/chat-rooms/{chat['chat_room_id']}/take_chat/", headers=me)).is_success
    for chat in (resolved, closed, fresh):
        assert (await gateway.post(f"/api/chat-rooms/{chat['chat_room_id']}/resolve/", headers=me)).is_success
    assert (await gateway.post(f"/api/chat-rooms/{closed['chat_room_id']}/close/", headers=me)).is_success
    old = [uuid.UUID(c["chat_room_id"]) for c in (resolved, closed, active)]
    await sql(database, "UPDATE chat.rooms SET updated_at = now() - interval '31 days' WHERE id = ANY(:ids)", ids=old)

    async def rooms() -> set[str]:
        found = await sql(database, "SELECT id FROM chat.rooms WHERE tenant_id = :t", t=workspace.tenant_id)
        return {str(row[0]) for row in found}

    every = {c["chat_room_id"] for c in (resolved, closed, active, fresh)}
    await run_job(database, "chat.transcripts")  # null by default: kept forever
    assert await rooms() == every

    put = {"notification_retention_days": 90, "transcript_retention_days": 30}
    assert (await gateway.put("/api/chat/retention/", headers=owner, json=put)).is_success
    assert await run_job(database, "chat.transcripts") >= 2 * 3  # two rooms, each with messages and notifications
    assert await rooms() == {active["chat_room_id"], fresh["chat_room_id"]}  # active is not finished; fresh is young
    gone = [uuid.UUID(c["chat_room_id"]) for c in (resolved, closed)]
    for table in ("messages", "notifications"):
        assert await sql(database, f"SELECT 1 FROM chat.{table} WHERE room_id = ANY(:ids)", ids=gone) == []
    # The guest keeps their contact record while a room of theirs is left.
    [(guests,)] = await sql(database, "SELECT count(*) FROM chat.chat_users WHERE tenant_id = :t AND email = :e",
                            t=workspace.tenant_id, e=email)  # fmt: skip
    assert guests == 2  # one record per chat: the two of the kept rooms
    assert (await gateway.get(f"/api/chat-rooms/{resolved['chat_room_id']}/messages/", headers=me)).status_code == 404


async def test_an_administrator_erases_a_guest_and_only_that_workspace_guest(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    add_member: AddMember,
    database: Sessions,
    published: Published,
    platform_stack: Stack,
) -> None:
    owner, agent = auth_header(workspace.owner_token), await add_member("agente")
    me = auth_header(agent.token)
    email = f"borrame-{secrets.token_hex(4)}@example.com"
    first = await open_chat(gateway, workspace.tenant_id, email, "Mi primer chat")
    second = await open_chat(gateway, workspace.tenant_id, email.upper(), "Mi segundo chat")
    keeper = await open_chat(gateway, workspace.tenant_id, f"otra-{email}", "No soy yo")
    assert (await gateway.post(f"/api/chat-rooms/{first['chat_room_id']}/take_chat/", headers=me)).is_success
    sent = await gateway.post("/api/chat/send_message/", headers=as_guest(first),
                              json={"chat_room_id": first["chat_room_id"], "content": "Mis datos: ..."})  # fmt: skip
    assert sent.status_code == 201
    other_tenant, other_owner = await other_workspace(gateway)
    namesake = await open_chat(gateway, other_tenant, email, "Mismo correo, otro espacio")
    guest_ws = await guest_socket(platform_stack, first)

    # Only who may configure the desk (chat:eliminar) erases.
    refused = await gateway.post("/api/chat/guests/erase/", headers=me, json={"email": email})
    assert refused.status_code == 403, refused.text
    erased = await gateway.post("/api/chat/guests/erase/", headers=owner, json={"email": email})
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert (body["guests"], body["chat_rooms"], body["guest_sessions"]) == (2, 2, 2)
    assert body["messages"] >= 4  # two first messages, the system line of the take, the guest's message
    assert body["notifications"] >= 2

    # Their open socket is told and closed.
    code, frames = await closing_code(guest_ws)
    assert code == 4410
    assert frames[-1]["type"] == "erased"

    for chat in (first, second):
        status = await gateway.get(f"/api/chat/get_chat_status/?chat_room_id={chat['chat_room_id']}",
                                   headers=as_guest(chat))  # fmt: skip
        assert status.status_code == 404
        assert (await gateway.get(f"/api/chat-rooms/{chat['chat_room_id']}/messages/", headers=me)).status_code == 404
    for table in ("chat_users",):
        found = await sql(database, f"SELECT 1 FROM chat.{table} WHERE tenant_id = :t AND lower(email) = :e",
                          t=workspace.tenant_id, e=email)  # fmt: skip
        assert found == []
    # The agent's load no longer counts the erased active chat.
    assert (await gateway.get("/api/agents/me/", headers=me)).json()["current_active_chats"] == 0
    # The other guest of this workspace, and the same email in another workspace, are untouched.
    assert (await gateway.get(f"/api/chat/get_chat_status/?chat_room_id={keeper['chat_room_id']}",
                              headers=as_guest(keeper))).status_code == 200  # fmt: skip
    assert (await gateway.get(f"/api/chat/get_chat_status/?chat_room_id={namesake['chat_room_id']}",
                              headers=as_guest(namesake))).status_code == 200  # fmt: skip
    again = await gateway.post("/api/chat/guests/erase/", headers=other_owner, json={"email": "nadie@example.com"})
    assert (again.status_code, again.json()["guests"], again.json()["chat_rooms"]) == (200, 0, 0)

    # The event names the workspace and chat's own ids, no personal data.
    async def told() -> dict[str, Any] | None:
        found = [e for e in await published("chat.guest.erased") if e.get("tenant_id") == workspace.tenant_id]
        return found[-1] if found else None

    event = await eventually(told, "chat.guest.erased published")
    data = event["data"]
    assert sorted(data["chat_room_ids"]) == sorted([first["chat_room_id"], second["chat_room_id"]])
    assert (len(data["guest_ids"]), data["messages"], data["notifications"]) == (
        2, body["messages"], body["notifications"]
    )  # fmt: skip
    assert email.split("@")[0] not in json.dumps(event).lower()
