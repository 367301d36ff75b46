"""Webhooks through the gateway, delivered to a real receiver on loopback, and the metrics."""

import contextlib
import itertools
import json
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats.js.errors
from standardwebhooks.webhooks import Webhook as Verifier

from agro.testing import NewField, NewNode, RegisteredNode
from auth.testing import AddMember, Workspace, auth_header
from devstack.stack import Stack
from devstack.waiting import eventually


async def create(gateway: httpx.AsyncClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await gateway.post("/api/webhooks", json=body, headers=auth_header(token))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def deliveries(gateway: httpx.AsyncClient, token: str, webhook_id: str) -> list[dict[str, Any]]:
    response = await gateway.get(f"/api/webhooks/{webhook_id}/deliveries", headers=auth_header(token))
    assert response.status_code == 200, response.text
    return list(response.json()["deliveries"])


async def ingest(gateway: httpx.AsyncClient, node: RegisteredNode, body: dict[str, Any]) -> None:
    """Post readings as `node`, once ingest knows it (it answers 401 until then)."""

    async def accepted() -> bool:
        response = await gateway.post("/api/nodes/ingest/", json=body, headers=node.header)
        return response.status_code != 401

    await eventually(accepted, "ingest accepts the new node", seconds=10)


def process_age(pid: int) -> float:
    """Seconds since process `pid` started (Linux: /proc)."""
    started_ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])  # field 22, starttime
    return float(Path("/proc/uptime").read_text().split()[0]) - started_ticks / os.sysconf("SC_CLK_TCK")


async def test_a_signed_delivery_verifies_with_standardwebhooks(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    receiver: Any,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
    platform_stack: Stack,
) -> None:
    owner = workspace.owner_token
    hook = await create(gateway, owner, {"url": f"{receiver.url}/hook", "events": ["alert.critical"]})
    secret = hook.pop("secret")
    assert secret.startswith("whsec_")
    assert hook["id"].startswith("wh_")
    assert (hook["events"], hook["active"]) == (["alert.critical"], True)
    detail = (await gateway.get(f"/api/webhooks/{hook['id']}", headers=auth_header(owner))).json()
    listed = (await gateway.get("/api/webhooks", headers=auth_header(owner))).json()
    assert "secret" not in json.dumps(detail) + json.dumps(listed)
    assert [w["id"] for w in listed["webhooks"]] == [hook["id"]]

    queued = await gateway.post(f"/api/webhooks/{hook['id']}/test", headers=auth_header(owner))
    assert queued.status_code == 202, queued.text
    [test] = await receiver.wait_for("/hook", 1)
    payload = Verifier(secret).verify(test.body, test.headers)  # raises unless the signature is right
    assert payload["type"] == "webhook.test"

    # A real event: a dry reading makes brain raise a critical alert in this workspace.
    field_id = await new_field(
        workspace.farmer_token, variedad_id=catalogue["variety"], fecha_siembra=date.today().isoformat()
    )
    node = await new_node(owner, field_id)
    dry = [{"nodo_codigo": "N1", "sensores": [{"sensor": "humedad_suelo", "valor": 5, "unidad": "%"}]}]
    moment = datetime.now(UTC).isoformat()
    body = {"codigo_nodo_maestro": node.codigo, "parcela_id": field_id, "timestamp": moment, "lecturas": dry}
    await ingest(gateway, node, body)
    _, alert = await receiver.wait_for("/hook", 2)
    event = Verifier(secret).verify(alert.body, alert.headers)
    assert event["type"] == "alert.critical"
    assert event["data"]["parcela_id"] == field_id
    assert alert.headers["webhook-id"] != test.headers["webhook-id"]

    async def metrics() -> dict[str, Any]:
        return dict((await gateway.get("/api/metrics", headers=auth_header(owner))).json())

    async def alerted() -> dict[str, Any] | None:
        current = await metrics()
        return current if current["alerts"]["critical"] >= 1 else None

    current = await eventually(alerted, "the critical alert counted in /api/metrics", seconds=10)
    assert current["infrastructure"]["parcelas"] == 1
    assert current["infrastructure"]["nodos"] == 1
    assert current["infrastructure"]["aws_instances"] == 0
    assert set(current) == {"alerts", "infrastructure", "agent_stats"}

    # Uptime is webhooks' process's: it grows a second per second and began when this process did.
    asked_first = time.monotonic()
    first = (await metrics())["agent_stats"]["uptime_seconds"]

    async def grown() -> int | None:
        uptime = int((await metrics())["agent_stats"]["uptime_seconds"])
        return uptime if uptime > first else None

    later = await eventually(grown, "uptime_seconds grows", seconds=5)
    assert later - first <= time.monotonic() - asked_first + 1
    assert later <= process_age(platform_stack.processes["webhooks"].pid) + 1


async def test_task_suggested_carries_the_id_of_the_ia_task_agro_created(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    receiver: Any,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
) -> None:
    owner = workspace.owner_token
    suggested = await create(gateway, owner, {"url": f"{receiver.url}/suggested", "events": ["task.suggested"]})
    await create(gateway, owner, {"url": f"{receiver.url}/created", "events": ["task.created"]})
    planted = (date.today() - timedelta(days=1)).isoformat()  # a reading just after midnight is past the sowing
    field_id = await new_field(workspace.farmer_token, variedad_id=catalogue["variety"], fecha_siembra=planted)
    node = await new_node(owner, field_id)
    dry = [{"nodo_codigo": "N1", "sensores": [{"sensor": "humedad_suelo", "valor": 5, "unidad": "%"}]}]
    body = {"codigo_nodo_maestro": node.codigo, "parcela_id": field_id, "timestamp": datetime.now(UTC).isoformat(),
            "lecturas": dry}  # fmt: skip
    await ingest(gateway, node, body)

    [delivery] = await receiver.wait_for("/suggested", 1)
    event = Verifier(suggested["secret"]).verify(delivery.body, delivery.headers)
    assert event["type"] == "task.suggested"
    tasks = await gateway.get("/api/tareas/", params={"origen": "ia"}, headers=auth_header(owner))
    assert tasks.status_code == 200, tasks.text
    [task] = [t for t in tasks.json()["results"] if t["parcela"] == field_id]
    data = event["data"]
    assert data["tarea_id"] == task["id"]
    assert (data["parcela_id"], data["tipo"], data["descripcion"]) == (field_id, task["tipo"], task["descripcion"])
    assert {"regla_id", "fecha_programada"} <= set(data)  # brain's suggestion's fields are kept
    [created] = await receiver.wait_for("/created", 1)
    assert json.loads(created.body)["data"]["tarea_id"] == task["id"]


async def _invite_with_a_receiver(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any, role: str
) -> tuple[dict[str, Any], httpx.Response]:
    """A webhook on `invitation.created` at `/invites`, then an invitation with `role`."""
    hook = await create(
        gateway, workspace.owner_token, {"url": f"{receiver.url}/invites", "events": ["invitation.created"]}
    )
    email = f"invitada-{time.monotonic_ns()}@example.com"
    invited = await gateway.post(
        "/api/v1/invitations/", headers=auth_header(workspace.owner_token), json={"email": email, "role": role}
    )
    assert invited.status_code == 201, invited.text
    return hook, invited


async def test_an_invitation_reaches_the_workspaces_receiver_with_its_accept_token(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any
) -> None:
    hook, invited = await _invite_with_a_receiver(gateway, workspace, receiver, "agente")
    email = invited.json()["email"]
    [delivery] = await receiver.wait_for("/invites", 1)
    event = Verifier(hook["secret"]).verify(delivery.body, delivery.headers)
    assert event["type"] == "invitation.created"
    assert (event["data"]["email"], event["data"]["role"]) == (email, "agente")
    assert event["data"]["accept_token"] == invited.json()["accept_token"]
    # The receiver can act on it: the token it got makes a member.
    accepted = await gateway.post(
        "/api/v1/invitations/accept/",
        json={"token": event["data"]["accept_token"], "username": f"i{time.monotonic_ns()}", "password": "Clave-123"},
    )
    assert accepted.status_code == 201, accepted.text


async def test_the_delivery_log_never_shows_an_invitations_accept_token(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any
) -> None:
    owner = auth_header(workspace.owner_token)
    hook, invited = await _invite_with_a_receiver(gateway, workspace, receiver, "administrador")
    email = invited.json()["email"]
    token = invited.json()["accept_token"]
    [delivery] = await receiver.wait_for("/invites", 1)
    assert json.loads(delivery.body)["data"]["accept_token"] == token  # the receiver still gets it
    response = await gateway.get(f"/api/webhooks/{hook['id']}/deliveries", headers=owner)
    assert response.status_code == 200, response.text
    [logged] = response.json()["deliveries"]
    assert logged["event_type"] == "invitation.created"
    assert logged["payload"]["data"]["email"] == email
    assert "accept_token" not in logged["payload"]["data"]
    assert token not in response.text


async def test_a_technician_cannot_subscribe_to_invitations_nor_redirect_them(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any, add_member: AddMember
) -> None:
    member = await add_member("tecnico")
    technician = auth_header(member.token)
    invites = {"url": f"{receiver.url}/mine", "events": ["invitation.created"]}
    refused = await gateway.post("/api/webhooks", json=invites, headers=technician)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "SUBSCRIPTION_NOT_ALLOWED"
    # Their own webhook, then adding the event to it, or pointing the owner's at their URL.
    mine = await create(gateway, member.token, {**invites, "events": ["task.created"]})
    added = await gateway.patch(
        f"/api/webhooks/{mine['id']}", json={"events": ["task.created", "invitation.created"]}, headers=technician
    )
    assert added.status_code == 403, added.text
    replaced = await gateway.put(f"/api/webhooks/{mine['id']}", json=invites, headers=technician)
    assert replaced.status_code == 403, replaced.text
    owners = await create(gateway, workspace.owner_token, {**invites, "url": f"{receiver.url}/owner"})
    redirected = await gateway.patch(
        f"/api/webhooks/{owners['id']}", json={"url": f"{receiver.url}/mine"}, headers=technician
    )
    assert redirected.status_code == 403, redirected.text
    assert redirected.json()["error"]["code"] == "SUBSCRIPTION_NOT_ALLOWED"


async def test_an_api_key_cannot_subscribe_to_invitations(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any
) -> None:
    owner = auth_header(workspace.owner_token)
    made = await gateway.post("/api/v1/api-keys/", headers=owner, json={"name": "hooks", "role": "administrador"})
    assert made.status_code == 201, made.text
    key = {"Authorization": f"Bearer {made.json()['key']}"}
    refused = await gateway.post(
        "/api/webhooks", json={"url": f"{receiver.url}/k", "events": ["invitation.created"]}, headers=key
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "SUBSCRIPTION_NOT_ALLOWED"
    tasks = {"url": f"{receiver.url}/k", "events": ["task.created"]}
    allowed = await gateway.post("/api/webhooks", json=tasks, headers=key)
    assert allowed.status_code == 201, allowed.text


async def test_a_receiver_failing_twice_gets_the_event_again_until_it_is_delivered(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any
) -> None:
    receiver.script["/flaky"] = [500, 500, 200]
    hook = await create(gateway, workspace.owner_token, {"url": f"{receiver.url}/flaky", "events": ["task.created"],
                                                         "secret": "un-secreto-cualquiera"})  # fmt: skip
    await gateway.post(f"/api/webhooks/{hook['id']}/test", headers=auth_header(workspace.owner_token))
    attempts = await receiver.wait_for("/flaky", 3)
    assert len({a.headers["webhook-id"] for a in attempts}) == 1
    Verifier(b"un-secreto-cualquiera").verify(attempts[-1].body, attempts[-1].headers)

    async def delivered() -> list[dict[str, Any]] | None:
        log = await deliveries(gateway, workspace.owner_token, hook["id"])
        return log if log[0]["status"] == "delivered" else None

    log = await eventually(delivered, "the delivery logged as delivered", seconds=5)
    assert log[0]["attempts"] == 3
    assert log[0]["last_status_code"] == 200


async def test_a_receiver_that_stops_answering_gets_growing_delays_then_is_disabled(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any, published: Any
) -> None:
    receiver.script["/down"] = [503]
    hook = await create(gateway, workspace.owner_token, {"url": f"{receiver.url}/down", "events": ["alert.warning"]})
    await gateway.post(f"/api/webhooks/{hook['id']}/test", headers=auth_header(workspace.owner_token))
    attempts = await receiver.wait_for("/down", 4)
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(attempts)]
    assert gaps[2] > gaps[0], gaps  # 0.15-0.3 s, then 0.3-0.6 s, then 0.6-1.2 s (WEBHOOKS_RETRY_BASE_SECONDS=0.3)

    # Failing for WEBHOOKS_DISABLE_AFTER_SECONDS (6 s in tests): disabled, and its owner told.
    url = f"/api/webhooks/{hook['id']}"

    async def disabled() -> dict[str, Any] | None:
        detail = dict((await gateway.get(url, headers=auth_header(workspace.owner_token))).json())
        return None if detail["active"] else detail

    detail = await eventually(disabled, "the failing webhook disabled", seconds=20, interval=0.2)
    assert detail["disabled_at"] is not None

    async def told() -> list[dict[str, Any]] | None:
        # the outbox relay publishes it just after the commit (and makes its stream)
        with contextlib.suppress(nats.js.errors.NotFoundError):
            return [e for e in await published("webhooks.webhook.disabled") if e["data"]["webhook_id"] == hook["id"]]
        return None

    owner_told = await eventually(told, "webhooks.webhook.disabled published", seconds=10, interval=0.2)
    assert owner_told[0]["data"]["owner_id"] == workspace.owner.id


async def test_ssrf_targets_and_other_workspaces_are_refused(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any
) -> None:
    owner = auth_header(workspace.owner_token)
    refused = [
        "http://169.254.169.254/latest/meta-data/", "http://2130706434:80/", "http://0x7f000002/",
        "http://127.0.0.2:9/", "http://[::ffff:127.0.0.2]/", "http://10.0.0.7/", "file:///etc/passwd",
    ]  # fmt: skip
    for url in refused:
        response = await gateway.post("/api/webhooks", json={"url": url, "events": ["alert.critical"]}, headers=owner)
        assert response.status_code == 400, (url, response.text)
        assert response.json()["error"]["code"] == "INVALID_REQUEST"
    unknown = await gateway.post("/api/webhooks", json={"url": receiver.url, "events": ["no.existe"]}, headers=owner)
    assert unknown.status_code == 400

    hook = await create(gateway, workspace.owner_token, {"url": receiver.url, "events": ["alert.critical"]})
    farmer = auth_header(workspace.farmer_token)
    assert (await gateway.get("/api/webhooks", headers=farmer)).status_code == 403  # needs espacio:ver
    email, password = "otro-espacio@example.com", "otra-clave-segura"
    await gateway.post("/users/", json={"email": email, "password": password})
    login = await gateway.post("/api/auth/login", json={"username": email, "password": password})
    stranger = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await gateway.get(f"/api/webhooks/{hook['id']}", headers=stranger)).status_code == 404
    assert (await gateway.delete(f"/api/webhooks/{hook['id']}", headers=stranger)).status_code == 404


async def test_unsafe_or_malformed_urls_answer_400_and_a_name_is_resolved_only_when_called(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any
) -> None:
    owner = auth_header(workspace.owner_token)
    refused = [
        "http://100.64.0.1/", "http://100.100.100.200/latest/meta-data/", "http://[2002:7f00:1::]/",
        "http://[2002:a9fe:a9fe::]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[::1", "https://[", "http://]/",
    ]  # fmt: skip
    hook = await create(gateway, workspace.owner_token, {"url": receiver.url, "events": ["alert.critical"]})
    for url in refused:
        body = {"url": url, "events": ["alert.critical"]}
        for answer in (
            await gateway.post("/api/webhooks", json=body, headers=owner),
            await gateway.put(f"/api/webhooks/{hook['id']}", json=body, headers=owner),
            await gateway.patch(f"/api/webhooks/{hook['id']}", json={"url": url}, headers=owner),
        ):
            assert answer.status_code == 400, (url, answer.text)
            assert answer.json()["error"]["code"] == "INVALID_REQUEST"
    loopback = await gateway.post(
        "/api/webhooks", json={"url": "http://127.0.0.2:9/", "events": ["alert.critical"]}, headers=owner
    )
    assert "WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS" in loopback.text  # the setting that would admit it

    # A host whose DNS is not set up yet (`.invalid` never resolves) is saved; calling it fails.
    pending = await create(
        gateway, workspace.owner_token, {"url": "https://hooks.not-yet.invalid/x", "events": ["alert.critical"]}
    )
    assert (await gateway.post(f"/api/webhooks/{pending['id']}/test", headers=owner)).status_code == 202

    async def attempted() -> list[dict[str, Any]]:
        return [d for d in await deliveries(gateway, workspace.owner_token, pending["id"]) if d["attempts"]]

    tried = await eventually(attempted, "the test delivery attempted", seconds=20, interval=0.1)
    assert tried[0]["last_error"] == "No se pudo resolver 'hooks.not-yet.invalid'."


async def test_deliveries_survive_a_restart_and_none_is_sent_again_after_success(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any, platform_stack: Stack
) -> None:
    receiver.script["/later"] = [503]
    hook = await create(gateway, workspace.owner_token, {"url": f"{receiver.url}/later", "events": ["task.decided"]})
    for _ in range(5):
        await gateway.post(f"/api/webhooks/{hook['id']}/test", headers=auth_header(workspace.owner_token))
    await receiver.wait_for("/later", 5)
    platform_stack.stop_service("webhooks", kill=True)
    receiver.script["/later"] = [200]
    platform_stack.start_service("webhooks")
    platform_stack.wait_healthy("webhooks")

    async def all_delivered() -> list[dict[str, Any]] | None:
        log = await deliveries(gateway, workspace.owner_token, hook["id"])
        return log if all(d["status"] == "delivered" for d in log) else None

    log = await eventually(all_delivered, "the five deliveries delivered after the restart", seconds=20, interval=0.2)
    assert len(log) == 5
    done = time.monotonic()  # every request of the rounds that delivered them has arrived by now
    first_five = {r.headers["webhook-id"] for r in receiver.on("/later")}
    assert len(first_five) == 5

    # A later delivery, sent after any resend of the first five would have been: once it is logged
    # delivered, its round and every earlier one are over.
    marker = await gateway.post(f"/api/webhooks/{hook['id']}/test", headers=auth_header(workspace.owner_token))
    assert marker.status_code == 202, marker.text

    async def marker_delivered() -> bool:
        log = await deliveries(gateway, workspace.owner_token, hook["id"])
        return any(d["id"] == marker.json()["delivery_id"] and d["status"] == "delivered" for d in log)

    await eventually(marker_delivered, "the later delivery delivered", seconds=20, interval=0.2)
    resent = [r for r in receiver.on("/later") if r.at > done and r.headers["webhook-id"] in first_five]
    assert resent == []  # nothing sent again once delivered


async def test_the_delivery_backlog_is_a_metric(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any, platform_stack: Stack
) -> None:
    receiver.script["/backlog"] = [503]  # never accepts: the delivery stays pending, retried
    body = {"url": f"{receiver.url}/backlog", "events": ["alert.critical"]}
    hook = await create(gateway, workspace.owner_token, body)
    queued = await gateway.post(f"/api/webhooks/{hook['id']}/test", headers=auth_header(workspace.owner_token))
    assert queued.status_code == 202, queued.text
    await receiver.wait_for("/backlog", 1)

    def pending() -> float:
        text = httpx.get(f"{platform_stack.admin_url('webhooks')}/metrics", timeout=5).text
        found = [line.split()[-1] for line in text.splitlines() if line.startswith("webhooks_deliveries_pending ")]
        return float(found[0]) if found else 0.0

    async def shown() -> bool:
        return pending() >= 1

    # sampled every 5 s
    await eventually(shown, "the pending delivery shown in webhooks_deliveries_pending", seconds=15, interval=0.5)
