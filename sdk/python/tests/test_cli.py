"""The `platform` command line: against the real stack (the same test stack as the services'
tests) through click's CliRunner, and as a process where exit codes and a closed stdin matter."""

import json
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from agent_client import AgentClient
from agent_client.cli import cli
from agro.testing import NewField
from auth.testing import Workspace
from devstack.processes import free_port
from devstack.pytest_plugin import serve_in_thread
from devstack.stack import Stack
from ingest.reading.schemas import IngestCreate

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "readings.json"


def platform(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def platform_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`platform` as its own process: stdin closed, and no terminal to ask a password on."""
    return subprocess.run(
        [sys.executable, "-m", "agent_client.cli", *args],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, start_new_session=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


async def test_the_command_line(
    platform_stack: Stack, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    new_field: NewField, catalogue: dict[str, Any],
) -> None:  # fmt: skip
    monkeypatch.setenv("PLATFORM_CONFIG_DIR", str(tmp_path / "config"))
    gateway = platform_stack.url("gateway")
    # The password asked for (hidden) when not given; --base-url after the command too.
    login = platform("login", "--username", workspace.farmer_username, "--base-url", gateway,
                     input=workspace.farmer_password + "\n")  # fmt: skip
    assert login.exit_code == 0, login.output
    assert "Sesión iniciada" in login.stdout
    credentials = tmp_path / "config" / "credentials.json"
    assert stat.S_IMODE(os.stat(credentials).st_mode) == 0o600

    streamed = platform("--json", "chat", "Hola desde la terminal")
    assert streamed.exit_code == 0, streamed.output
    events = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert (events[0]["type"], events[-1]["type"]) == ("thinking", "done")
    answer = platform("chat", "Hola")
    assert answer.exit_code == 0
    assert "Proveedor local" in answer.stdout  # the text itself, streamed

    field_id = await new_field(workspace.farmer_token, variedad_id=catalogue["variety"],
                               fecha_siembra=date.today().isoformat())  # fmt: skip
    farmer = AgentClient(api_key=workspace.farmer_token, base_url=gateway)
    staff = AgentClient(api_key=workspace.owner_token, base_url=gateway)
    node = staff.nodes.create_node(field_id, codigo="NM-CLI")
    task = farmer.tasks.create_field_task(field_id, tipo="riego")
    # The README's example file, for this node and field, now.
    reading = json.loads(EXAMPLE.read_text())
    reading.update(codigo_nodo_maestro="NM-CLI", parcela_id=field_id,
                   timestamp=datetime.now(UTC).isoformat().replace("+00:00", "Z"))  # fmt: skip
    readings = tmp_path / "readings.json"
    readings.write_text(json.dumps(reading))
    ingested = platform("nodes", "ingest", "--file", str(readings), "--node-token", node["token"], "--json")
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.stdout)["inserted"] == len(reading["lecturas"])

    listed = platform("tasks", "list")  # a rich table for people
    assert listed.exit_code == 0, listed.output
    lines = [line.split() for line in listed.stdout.splitlines() if line.strip()]
    assert lines[0][0] == "id"
    assert [str(task["id"])] in [line[:1] for line in lines[2:]]
    scripted = platform("tasks", "list", "--json")  # options anywhere, not only before the command
    assert scripted.exit_code == 0, scripted.output
    assert task["id"] in [t["id"] for t in json.loads(scripted.stdout)]

    accepted = platform("tasks", "accept", str(task["id"]), "--json")
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(accepted.stdout) == {"detail": "Aceptado"}  # 004's answer
    assert farmer.tasks.get_task(task["id"])["decision"] == "aceptada"
    refused = platform("tasks", "accept", "999999999")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error 404")
    farmer.close()
    staff.close()


def test_an_unreachable_gateway_is_one_line_and_exit_code_3(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    env = {"PLATFORM_CONFIG_DIR": str(tmp_path), "PLATFORM_TOKEN": "t"}
    for args in (["tasks", "list", "--base-url", closed], ["--base-url", closed, "login", "--username", "a",
                                                           "--password", "b"]):  # fmt: skip
        run = platform_process(*args, env=env)
        assert run.returncode == 3, run.stderr
        assert "Traceback" not in run.stderr
        assert run.stderr.strip().splitlines() == [run.stderr.strip()]
        assert run.stderr.startswith(f"Error: no se pudo hablar con la pasarela {closed}")


def test_a_closed_stdin_at_the_password_prompt_is_a_clear_error(tmp_path: Path) -> None:
    run = platform_process("login", "--username", "ana@example.com", env={"PLATFORM_CONFIG_DIR": str(tmp_path)})
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "No se pudo leer la contraseña" in run.stderr
    assert "--password o PLATFORM_PASSWORD" in run.stderr
    assert not (tmp_path / "credentials.json").exists()


def test_a_failed_answer_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("PLATFORM_TOKEN", "t")
    events = [
        {"type": "thinking", "content": "..."},
        {"type": "error", "content": "Ningún modelo respondió: local: caído."},
        {"type": "done", "status": "failed", "conversation_id": "c1"},
    ]

    async def chat(request: Request) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            for number, event in enumerate(events):
                yield f"id: {number}\ndata: {json.dumps(event)}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")

    with serve_in_thread(Starlette(routes=[Route("/api/chat", chat, methods=["POST"])])) as url:
        failed = platform("chat", "Hola", "--base-url", url)
        assert failed.exit_code == 1
        assert "[error] Ningún modelo respondió" in failed.stderr
        assert failed.stderr.strip().splitlines()[-1].startswith("La respuesta falló (failed)")
        scripted = platform("--json", "chat", "Hola", "--base-url", url)
        assert scripted.exit_code == 1
        assert [json.loads(line)["type"] for line in scripted.stdout.splitlines()] == ["thinking", "error", "done"]
        events[1:] = [{"type": "done", "status": "interrupted"}]
        assert platform("chat", "Hola", "--base-url", url).exit_code == 1
        events[1:] = []  # the stream cut before `done`
        cut = platform("chat", "Hola", "--base-url", url)
        assert (cut.exit_code, cut.stderr.strip()) == (1, "La respuesta se cortó antes de terminar.")
        events[1:] = [{"type": "message", "content": "Hola."}, {"type": "done", "status": "complete"}]
        assert platform("chat", "Hola", "--base-url", url).exit_code == 0


def test_the_readings_file_is_004s_body_and_its_help_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    IngestCreate.model_validate_json(EXAMPLE.read_text())  # the README's example is what ingest takes
    helped = platform("nodes", "ingest", "--help")
    text = " ".join(helped.stdout.split())
    assert "nodo_uuid" not in text
    for field in ("codigo_nodo_maestro", "parcela_id", "timestamp", "lecturas", "nodo_codigo", "sensores"):
        assert field in text
    assert "docs/examples/readings.json" in text

    # A file that is not there, or not 004's object, is a usage error (2) before anything is sent.
    assert platform("nodes", "ingest", "--file", str(tmp_path / "nada.json"), "--node-token", "n").exit_code == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{codigo")
    assert platform("nodes", "ingest", "--file", str(broken), "--node-token", "n").exit_code == 2
    broken.write_text("[]")
    assert platform("nodes", "ingest", "--file", str(broken), "--node-token", "n").exit_code == 2
    monkeypatch.delenv("PLATFORM_NODE_TOKEN", raising=False)
    assert platform("nodes", "ingest", "--file", str(EXAMPLE)).exit_code == 2


def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("PLATFORM_TOKEN", raising=False)
    assert platform("tasks", "accept").exit_code == 2  # accept needs the task's id
    assert platform("tasks", "list", "--nope").exit_code == 2
    no_session = platform("tasks", "list", "--json")
    assert (no_session.exit_code, no_session.stderr.strip()) == (
        2,
        "Error: No has iniciado sesión: platform login --username <usuario>",
    )
