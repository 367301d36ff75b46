"""Guests reach only existing, active workspaces; guests see an agent's display name, never their
login; a removed member gets no more chats."""

import time
from typing import Any

import httpx

from auth.testing import AddMember, Workspace, auth_header
from devstack.waiting import eventually


def as_guest(chat: dict[str, Any]) -> dict[str, str]:
    return {"X-Guest-Token": chat["guest_token"]}


async def test_a_guest_reaches_only_an_existing_active_workspace(
    gateway: httpx.AsyncClient, workspace: Workspace, admin_token: str
) -> None:
    unknown = await gateway.post("/api/chat/start_chat/", json={"initial_message": "Hola", "tenant": 2036417934})
    assert unknown.status_code == 404, unknown.text
    assert unknown.json() == {"error": "Espacio de trabajo no encontrado."}

    # The workspace was registered a moment ago: its auth.tenant.upserted may still be in flight,
    # and start_chat catches up with it instead of answering "no".
    body = {"initial_message": "Hola", "tenant": workspace.tenant_id}
    started = await gateway.post("/api/chat/start_chat/", json=body)
    assert started.status_code == 200, started.text

    gone = await gateway.delete(f"/api/v1/tenants/{workspace.tenant_id}/", headers=auth_header(admin_token))
    assert gone.status_code == 204, gone.text
    inactive = await gateway.post("/api/chat/start_chat/", json=body)
    assert inactive.status_code == 400, inactive.text
    assert inactive.json() == {"error": "Este espacio de trabajo está desactivado y no atiende chats."}
    completed = await gateway.post("/api/chat/complete_chat/", json={
        "session_id": started.json()["session_id"], "email": "invitada@example.com", "full_name": "Ana Invitada",
        "phone_number": "+51 999 888 777", "recaptcha_token": "",
    })  # fmt: skip
    assert completed.status_code == 400, completed.text  # a session started before the deactivation
    assert completed.json() == {"error": "Este espacio de trabajo está desactivado y no atiende chats."}

    back = await gateway.patch(
        f"/api/v1/tenants/{workspace.tenant_id}/", json={"is_active": True}, headers=auth_header(admin_token)
    )
    assert back.status_code == 200, back.text
    assert (await gateway.post("/api/chat/start_chat/", json=body)).status_code == 200


async def test_guests_see_an_agents_display_name_never_their_login(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any
) -> None:
    agent = await add_member("agente")
    me = auth_header(agent.token)
    login = {agent.username.lower(), (await gateway.get("/auth/me/", headers=me)).json().get("email", "").lower()}

    async def taken_by_agent() -> tuple[dict[str, Any], dict[str, Any]]:
        chat = await guest()
        taken = await gateway.post(f"/api/chat-rooms/{chat['chat_room_id']}/take_chat/", headers=me)
        assert taken.status_code == 200, taken.text
        return chat, taken.json()

    def shown_to_guest(room: dict[str, Any], notes: list[dict[str, Any]]) -> str:
        return " ".join([*(m["content"] for m in room["messages"]), *(n["title"] + n["message"] for n in notes)])

    async def guest_view(chat: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        status = await gateway.get(f"/api/chat/get_chat_status/?chat_room_id={chat['chat_room_id']}",
                                   headers=as_guest(chat))  # fmt: skip
        notes = await gateway.get(f"/api/user-notifications/get_notifications/?chat_room_id={chat['chat_room_id']}",
                                  headers=as_guest(chat))  # fmt: skip
        assert (status.status_code, notes.status_code) == (200, 200), (status.text, notes.text)
        return status.json(), notes.json()["notifications"]

    async def name_shown(chat: dict[str, Any], expected: str) -> None:
        async def shown() -> bool:
            return bool((await guest_view(chat))[0]["agent_name"] == expected)

        await eventually(shown, f"the guest never saw {expected!r}")

    # The member's profile has the name they applied with; without one, a neutral "Agente".
    first, _ = await taken_by_agent()
    await name_shown(first, "Miembro agente")
    cleared = await gateway.put("/api/user/profile/", json={"nombres": "", "apellidos": ""}, headers=me)
    assert cleared.is_success, cleared.text
    await name_shown(first, "Agente")
    chat, room = await taken_by_agent()
    status, notes = await guest_view(chat)
    assert status["agent_name"] == "Agente"
    text = shown_to_guest(room, notes)
    assert "Un agente se unió al chat." in text
    assert any(n["message"] == "Un agente te atenderá." for n in notes)
    assert not any(secret and secret in text.lower() for secret in login), text

    named = await gateway.put("/api/user/profile/", json={"nombres": "Lucía", "apellidos": "Ramos"}, headers=me)
    assert named.is_success, named.text
    await name_shown(first, "Lucía Ramos")
    chat, room = await taken_by_agent()
    status, notes = await guest_view(chat)
    assert status["agent_name"] == "Lucía Ramos"
    assert "Lucía Ramos se unió al chat." in shown_to_guest(room, notes)
    assert any(n["message"] == "Lucía Ramos te atenderá." for n in notes)


async def test_a_removed_member_gets_no_more_chats(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any
) -> None:
    boss = auth_header(workspace.owner_token)
    agent = await add_member("agente")
    assert (await gateway.put("/api/agents/auto_assignment/", headers=boss, json={"enabled": True})).is_success
    available = await gateway.patch("/api/agents/me/", headers=auth_header(agent.token), json={"is_available": True})
    assert available.json()["is_available"] is True

    removed = await gateway.delete(f"/api/v1/members/{agent.id}/", headers=boss)
    assert removed.status_code == 204, removed.text

    async def unavailable() -> bool:
        agents = (await gateway.get("/api/agents/", headers=boss)).json()
        return not any(a["user"]["id"] == agent.id and a["is_available"] for a in agents)

    await eventually(unavailable, "the removed member is still an available agent")
    chat = await guest()
    status = await gateway.get(f"/api/chat/get_chat_status/?chat_room_id={chat['chat_room_id']}",
                               headers=as_guest(chat))  # fmt: skip
    assert (status.json()["status"], status.json()["agent_assigned"]) == ("waiting", False)


async def test_a_member_invited_back_may_take_chats_again(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    boss = auth_header(workspace.owner_token)
    email = f"vuelve-{time.monotonic_ns()}@example.com"

    async def join(username: str) -> str:
        invited = await gateway.post("/api/v1/invitations/", headers=boss, json={"email": email, "role": "agente"})
        assert invited.status_code == 201, invited.text
        accepted = await gateway.post(
            "/api/v1/invitations/accept/",
            json={"token": invited.json()["accept_token"], "username": username, "password": "Clave-Agente-1"},
        )
        assert accepted.status_code == 201, accepted.text
        return str(accepted.json()["token"])

    first = await join(f"a{time.monotonic_ns()}")
    available = await gateway.patch("/api/agents/me/", headers=auth_header(first), json={"is_available": True})
    assert available.json()["is_available"] is True
    me = (await gateway.get("/auth/me/", headers=auth_header(first))).json()["id"]
    assert (await gateway.delete(f"/api/v1/members/{me}/", headers=boss)).status_code == 204

    async def refused() -> bool:
        agents = (await gateway.get("/api/agents/", headers=boss)).json()
        return not any(a["user"]["id"] == me and a["is_available"] for a in agents)

    await eventually(refused, "the removed member is still available")
    again = await join(f"b{time.monotonic_ns()}")

    async def back() -> bool:
        answer = await gateway.patch("/api/agents/me/", headers=auth_header(again), json={"is_available": True})
        return answer.status_code == 200 and answer.json()["is_available"] is True

    await eventually(back, "the member invited back cannot take chats")
