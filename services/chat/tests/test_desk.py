"""The support desk (003) through the gateway: the guest, agent and supervisor flows, the
status machine, read state, notifications, and workspace isolation."""

import asyncio
import secrets
import uuid
from typing import Any

import httpx

from auth.testing import AddMember, Workspace, auth_header
from devstack.waiting import eventually


def as_guest(chat: dict[str, Any]) -> dict[str, str]:
    return {"X-Guest-Token": chat["guest_token"]}


async def test_the_guest_and_agent_flows(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any
) -> None:
    agent = await add_member("agente")
    me = auth_header(agent.token)
    assert (await gateway.get("/api/agents/me/", headers=me)).json()["is_available"] is False
    chat = await guest("Hola, mi sensor no envía datos")
    room = chat["chat_room_id"]
    assert chat["user_name"] == "Ana Invitada"

    # The room id alone is no credential.
    status_path = f"/api/chat/get_chat_status/?chat_room_id={room}"
    assert (await gateway.get(status_path)).status_code == 404
    assert (await gateway.get(status_path, headers={"X-Guest-Token": "otro"})).status_code == 404
    status = (await gateway.get(status_path, headers=as_guest(chat))).json()
    assert (status["status"], status["agent_assigned"], status["agent_name"]) == ("waiting", False, None)

    waiting = (await gateway.get("/api/chat-rooms/waiting_chats/", headers=me)).json()
    [item] = [c for c in waiting["chats"] if c["id"] == room]
    assert (item["priority"], item["waiting_time_minutes"], item["chat_user"]["email"]) == (
        "medium",
        0,
        "invitada@example.com",
    )
    assert waiting["pagination"]["current_page"] == 1

    taken = await gateway.post(f"/api/chat-rooms/{room}/take_chat/", headers=me)
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "active"
    assert taken.json()["agent"]["id"] > 0
    assert [m["sender_type"] for m in taken.json()["messages"]] == ["user", "system"]
    status = (await gateway.get(status_path, headers=as_guest(chat))).json()
    assert (status["status"], status["agent_assigned"]) == ("active", True)

    sent = await gateway.post("/api/chat/send_message/", headers=as_guest(chat),
                              json={"chat_room_id": room, "content": "¿Me ayudas?"})  # fmt: skip
    assert sent.status_code == 201, sent.text
    assert (sent.json()["sender_type"], sent.json()["is_read"]) == ("user", False)
    also = await gateway.post("/api/messages/send_guest_message/", headers=as_guest(chat),
                              json={"chat_room_id": room, "content": "Sigo aquí"})  # fmt: skip
    assert also.status_code == 201
    unread = await gateway.get(f"/api/messages/unread_count/?chat_room_id={room}", headers=me)
    assert unread.json() == {"unread_count": 3}  # the first message and two more
    answer = await gateway.post(f"/api/chat-rooms/{room}/send_message/", headers=me,
                                json={"content": "Claro, revisemos el nodo", "message_type": "text"})  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["agent_sender"]["id"] == taken.json()["agent"]["id"]
    assert (await gateway.get(status_path, headers=as_guest(chat))).json()["unread_messages"] == 1

    by_chat = (await gateway.get(f"/api/messages/by_chat/?chat_room_id={room}", headers=me)).json()
    assert (by_chat["total_messages"], by_chat["auto_marked_read"], by_chat["chat_status"]) == (5, 3, "active")
    assert (await gateway.get(f"/api/messages/unread_count/?chat_room_id={room}", headers=me)).json()[
        "unread_count"
    ] == 0
    listed = (await gateway.get(f"/api/chat-rooms/{room}/messages/", headers=me)).json()
    assert [m["content"] for m in listed if m["sender_type"] != "system"] == [
        "Hola, mi sensor no envía datos",
        "¿Me ayudas?",
        "Sigo aquí",
        "Claro, revisemos el nodo",
    ]
    assert listed[0]["user_sender"] == {"full_name": "Ana Invitada", "email": "invitada@example.com"}
    # The answer to the send names its agent as every listing of the room does.
    assert [m["agent_sender"] for m in listed if m["id"] == answer.json()["id"]] == [answer.json()["agent_sender"]]
    recent = (await gateway.get("/api/messages/recent_chats/?limit=2", headers=me)).json()
    assert recent["total_returned"] == 2

    # Notifications: the agent heard of the new chat and the guest's messages; the guest of the agent.
    notes = (await gateway.get("/api/notifications/", headers=me)).json()
    kinds = [n["notification_type"] for n in notes["notifications"]]
    assert kinds.count("new_message") == 2
    assert "new_chat" in kinds
    assert notes["unread_count"] == notes["total_count"] == len(kinds)
    first = notes["notifications"][0]["id"]
    marked = await gateway.post("/api/notifications/mark_read/", headers=me, json={"notification_ids": [first]})
    assert marked.json()["updated_count"] == 1
    assert (await gateway.get("/api/notifications/unread_count/", headers=me)).json()["unread_count"] == len(kinds) - 1
    everything = await gateway.post("/api/notifications/mark_all_read/", headers=me)
    assert everything.json()["updated_count"] == len(kinds) - 1
    theirs = await gateway.get(f"/api/user-notifications/get_notifications/?chat_room_id={room}",
                               headers=as_guest(chat))  # fmt: skip
    assert {n["notification_type"] for n in theirs.json()["notifications"]} == {"agent_joined", "new_message"}
    read = await gateway.post("/api/user-notifications/mark_read/", headers=as_guest(chat), json={"chat_room_id": room})
    assert read.json()["updated_count"] == theirs.json()["unread_count"]

    # The status machine: a wrong move is a 400 saying why.
    closing = await gateway.post(f"/api/chat-rooms/{room}/close/", headers=me)
    assert closing.status_code == 400
    assert "resolved" in closing.json()["error"]
    assert (await gateway.post(f"/api/chat-rooms/{room}/resolve/", headers=me)).json()["status"] == "resolved"
    assert (await gateway.post(f"/api/chat-rooms/{room}/close/", headers=me)).json()["status"] == "closed"
    late = await gateway.post("/api/chat/send_message/", headers=as_guest(chat), json={"chat_room_id": room,
                                                                                      "content": "¿Hola?"})  # fmt: skip
    assert late.status_code == 400
    again = await gateway.post(f"/api/chat-rooms/{room}/take_chat/", headers=me)
    assert again.status_code == 400
    assert "waiting" in again.json()["error"]


async def test_guest_sessions_expire_and_validation_speaks_003(
    gateway: httpx.AsyncClient, workspace: Workspace
) -> None:
    unknown = await gateway.post("/api/chat/validate_session/", json={"session_id": str(uuid.uuid4())})
    assert unknown.json() == {"valid": False, "has_message": None, "created_at": None,
                              "message": "Sesión expirada o no encontrada"}  # fmt: skip
    expired = await gateway.post("/api/chat/complete_chat/", json={
        "session_id": str(uuid.uuid4()), "email": "a@example.com", "full_name": "A", "phone_number": "+123456789",
    })  # fmt: skip
    assert expired.status_code == 400
    assert expired.json() == {"error": "Sesión expirada. Por favor inicia el chat nuevamente."}
    started = await gateway.post("/api/chat/start_chat/", json={"initial_message": "x", "tenant": workspace.tenant_id})
    bad = await gateway.post("/api/chat/complete_chat/", json={
        "session_id": started.json()["session_id"], "email": "no-es-email", "full_name": "", "phone_number": "abc",
    })  # fmt: skip
    assert bad.status_code == 400
    assert set(bad.json()) == {"email", "full_name", "phone_number"}


async def test_too_many_chats_from_one_address_is_429(
    gateway: httpx.AsyncClient, workspace: Workspace, guest: Any
) -> None:
    for _ in range(8):  # CHAT_CHATS_PER_HOUR in the tests
        await guest(email=f"g-{secrets.token_hex(3)}@example.com")
    started = await gateway.post("/api/chat/start_chat/", json={"initial_message": "x", "tenant": workspace.tenant_id})
    refused = await gateway.post("/api/chat/complete_chat/", json={
        "session_id": started.json()["session_id"], "email": "nueva@example.com", "full_name": "X",
        "phone_number": "+123456789",
    })  # fmt: skip
    assert refused.status_code == 429
    assert refused.json() == {"error": "Has creado demasiados chats recientemente. Por favor intenta más tarde."}


async def test_take_chat_raced_by_two_agents_and_the_capacity_limit(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any
) -> None:
    first, second = await add_member("agente"), await add_member("agente")
    one, two = auth_header(first.token), auth_header(second.token)
    for headers in (one, two):
        limited = await gateway.patch("/api/agents/me/", headers=headers, json={"max_concurrent_chats": 1})
        assert limited.json()["max_concurrent_chats"] == 1
    chat, other = await guest(), await guest()
    path = f"/api/chat-rooms/{chat['chat_room_id']}/take_chat/"
    results = await asyncio.gather(gateway.post(path, headers=one), gateway.post(path, headers=two))
    assert sorted(r.status_code for r in results) == [200, 400]
    winner = one if results[0].status_code == 200 else two
    full = await gateway.post(f"/api/chat-rooms/{other['chat_room_id']}/take_chat/", headers=winner)
    assert full.status_code == 400
    assert full.json() == {"error": "No puedes tomar más chats en este momento"}
    agents = {a["user"]["id"]: a for a in (await gateway.get("/api/agents/", headers=one)).json()}
    counts = sorted(agents[member.id]["current_active_chats"] for member in (first, second))
    assert counts == [0, 1]
    # The other agent of the pair is free and takes the second chat; resolving frees capacity.
    loser = two if winner is one else one
    assert (await gateway.post(f"/api/chat-rooms/{other['chat_room_id']}/take_chat/", headers=loser)).is_success
    assert (await gateway.post(f"/api/chat-rooms/{chat['chat_room_id']}/resolve/", headers=winner)).is_success
    mine = (await gateway.get("/api/chat-rooms/my_chats/?status=active", headers=winner)).json()
    assert (mine["agent"]["current_chats"], mine["chats"]) == (0, [])
    # An agent may not act on another agent's chat.
    stolen = await gateway.post(f"/api/chat-rooms/{other['chat_room_id']}/resolve/", headers=winner)
    assert stolen.status_code == 403


async def test_supervisors_assign_transfer_and_unassign(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any
) -> None:
    boss = auth_header(workspace.owner_token)
    first, second = await add_member("agente"), await add_member("agente")
    ids = {}
    for member in (first, second):
        ids[member.id] = (await gateway.patch("/api/agents/me/", headers=auth_header(member.token),
                                              json={"is_available": True})).json()["id"]  # fmt: skip
    chat = await guest()
    room = chat["chat_room_id"]
    # Agents cannot supervise.
    refused = await gateway.get("/api/chat-rooms/all_chats/", headers=auth_header(first.token))
    assert refused.status_code == 403
    assigned = await gateway.post(f"/api/chat-rooms/{room}/assign_agent/", headers=boss,
                                  json={"agent_id": ids[first.id]})  # fmt: skip
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["agent"]["id"] == ids[first.id]
    moved = await gateway.post(f"/api/chat-rooms/{room}/transfer_chat/", headers=auth_header(first.token),
                               json={"agent_id": ids[second.id]})  # fmt: skip
    assert moved.json()["agent"]["id"] == ids[second.id]
    notes = (await gateway.get("/api/notifications/", headers=auth_header(second.token))).json()
    assert "chat_transferred" in [n["notification_type"] for n in notes["notifications"]]
    every = (await gateway.get("/api/chat-rooms/all_chats/?status=active", headers=boss)).json()
    assert [c["id"] for c in every["chats"]] == [room]
    back = await gateway.post(f"/api/chat-rooms/{room}/unassign_agent/", headers=boss)
    assert (back.json()["status"], back.json()["agent"]) == ("waiting", None)
    filtered = (await gateway.get("/api/chat-rooms/filtered_chats/?status=waiting", headers=boss)).json()
    assert [c["id"] for c in filtered["chats"]] == [room]
    assert filtered["chats"][0]["unread_messages_count"] == 1


async def test_auto_assignment_sends_chats_to_available_agents_and_drains_the_queue(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any
) -> None:
    boss = auth_header(workspace.owner_token)
    busy, idle = await add_member("agente"), await add_member("agente")
    assert (await gateway.get("/api/agents/auto_assignment/", headers=boss)).json() == {"enabled": False}
    switched = await gateway.put("/api/agents/auto_assignment/", headers=boss, json={"enabled": True})
    assert switched.json() == {"enabled": True}
    await gateway.patch("/api/agents/me/", headers=auth_header(busy.token),
                        json={"is_available": True, "max_concurrent_chats": 1})  # fmt: skip
    await gateway.patch("/api/agents/me/", headers=auth_header(idle.token), json={"is_available": False})

    async def status(chat: dict[str, Any]) -> str:
        found = await gateway.get(f"/api/chat/get_chat_status/?chat_room_id={chat['chat_room_id']}",
                                  headers=as_guest(chat))  # fmt: skip
        return str(found.json()["status"])

    first = await guest()
    assert await status(first) == "active"  # straight to the available agent
    second, third = await guest(), await guest()
    assert (await status(second), await status(third)) == ("waiting", "waiting")  # full, and the other is offline
    resolved = await gateway.post(f"/api/chat-rooms/{first['chat_room_id']}/resolve/", headers=auth_header(busy.token))
    assert resolved.is_success
    assert await status(second) == "active"  # drained to the agent whose capacity freed
    assert await status(third) == "waiting"
    await gateway.patch("/api/agents/me/", headers=auth_header(idle.token), json={"is_available": True})
    assert await status(third) == "active"  # and to the agent who came online
    mine = (await gateway.get("/api/chat-rooms/my_chats/", headers=auth_header(idle.token))).json()
    assert [c["id"] for c in mine["chats"]] == [third["chat_room_id"]]


async def test_another_workspace_sees_nothing(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any
) -> None:
    chat = await guest()
    room = chat["chat_room_id"]
    email, password = f"desk-{secrets.token_hex(4)}@example.com", "otra-clave-segura"
    await gateway.post("/users/", json={"email": email, "password": password})
    stranger = auth_header((await gateway.post("/api/auth/login", json={"username": email, "password": password}))
                           .json()["access_token"])  # fmt: skip
    listed = (await gateway.get("/api/chat-rooms/filtered_chats/", headers=stranger)).json()
    assert listed["pagination"]["total_chats"] == 0
    assert (await gateway.get("/api/chat-rooms/waiting_chats/", headers=stranger)).json()["chats"] == []
    for method, path in [
        ("GET", f"/api/chat-rooms/{room}/messages/"), ("POST", f"/api/chat-rooms/{room}/take_chat/"),
        ("GET", f"/api/messages/by_chat/?chat_room_id={room}"), ("GET", f"/api/v1/chats/{room}/"),
    ]:  # fmt: skip
        response = await gateway.request(method, path, headers=stranger)
        assert response.status_code == 404, (method, path, response.text)


async def test_000_chats_and_the_agent_in_the_desk_login(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember
) -> None:
    agent = await add_member("agente")
    me = auth_header(agent.token)
    created = await gateway.post("/api/v1/chats/", headers=me, json={
        "full_name": "Cliente Telefónico", "email": "cliente@example.com", "initial_message": "Llamó por su riego",
        "priority": "high",
    })  # fmt: skip
    assert created.status_code == 201, created.text
    chat_id = created.json()["id"]
    page = (await gateway.get("/api/v1/chats/", headers=me)).json()
    assert (page["count"], page["results"][0]["id"]) == (1, chat_id)
    changed = await gateway.patch(f"/api/v1/chats/{chat_id}/", headers=me, json={"priority": "low"})
    assert changed.json()["priority"] == "low"
    assert (await gateway.delete(f"/api/v1/chats/{chat_id}/", headers=me)).status_code == 403
    boss = auth_header(workspace.owner_token)
    assert (await gateway.delete(f"/api/v1/chats/{chat_id}/", headers=boss)).status_code == 204

    # 003's login carries the agent, as chat last told auth.
    await gateway.patch("/api/agents/me/", headers=me, json={"is_available": True, "max_concurrent_chats": 3})

    async def login_with_agent() -> dict[str, Any] | None:
        login = (await gateway.post("/api/auth/login/", json={"username": agent.username,
                                                              "password": agent.password})).json()  # fmt: skip
        return dict(login) if login["agent"] and login["agent"]["max_concurrent_chats"] == 3 else None

    login = await eventually(login_with_agent, "auth's login never carried the agent chat last announced")
    assert login["agent"]["user"] == agent.id
    assert (login["agent"]["is_available"], login["agent"]["current_active_chats"]) == (True, 0)


async def test_messages_endpoints_and_read_state(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any
) -> None:
    agent = await add_member("agente")
    me = auth_header(agent.token)
    chat = await guest("Primero")
    room = chat["chat_room_id"]
    assert (await gateway.post(f"/api/chat-rooms/{room}/take_chat/", headers=me)).is_success
    ids = []
    for text in ("Segundo", "Tercero", "Cuarto"):
        sent = await gateway.post("/api/messages/send_guest_message/", headers=as_guest(chat),
                                  json={"chat_room_id": room, "content": text})  # fmt: skip
        ids.append(sent.json()["id"])
    body = {"chat_room_id": room, "content": "Hola", "message_type": "text", "attachment": None}
    reply = await gateway.post("/api/messages/", headers=me, json=body)
    assert reply.status_code == 201, reply.text
    assert reply.json()["sender_type"] == "agent"

    one = await gateway.post(f"/api/messages/{ids[0]}/mark_read/", headers=me)
    assert one.json()["success"] is True
    assert one.json()["data"]["is_read"] is True
    assert one.json()["data"]["read_at"]
    # Of the ids sent, only this workspace's guest messages count (the agent's own reply does not).
    bulk = await gateway.post("/api/messages/mark_bulk_read/", headers=me,
                              json={"message_ids": [ids[1], reply.json()["id"], str(uuid.uuid4())]})  # fmt: skip
    assert bulk.json() == {"success": True, "message": "1 mensajes marcados como leídos", "updated_count": 1,
                           "total_requested": 3, "valid_messages": 1}  # fmt: skip
    rest = await gateway.post("/api/messages/mark_chat_read/", headers=me, json={"chat_room_id": room})
    assert (rest.json()["updated_count"], rest.json()["user_type"]) == (2, "agent")  # the first and the last
    assert (await gateway.get(f"/api/messages/unread_count/?chat_room_id={room}", headers=me)).json()[
        "unread_count"
    ] == 0
    # The guest's side: the agent's reply is unread until the guest's socket reads it.
    status = await gateway.get(f"/api/chat/get_chat_status/?chat_room_id={room}", headers=as_guest(chat))
    assert status.json()["unread_messages"] == 1
