"""`python -m shared.serve`: uvicorn's command line with a main loop that ticks once a second
and still stops at once."""

import asyncio
import importlib
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import uvicorn

from devstack.processes import free_port, wait_for_port
from shared import serve
from shared.serve import QuietServer

APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})
"""


async def _ok(scope: dict[str, object], receive: object, send: object) -> None:
    assert scope["type"] in ("http", "lifespan")


async def test_stop_ends_the_server_without_waiting_for_a_tick() -> None:
    config = uvicorn.Config(_ok, host="127.0.0.1", port=free_port(), log_config=None, lifespan="off")
    server = QuietServer(config)
    server.tick_seconds = 3600  # a stop that waited for the next tick would hang the test
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done()
        await asyncio.sleep(0.01)
    server.stop()
    await asyncio.wait_for(serving, timeout=10)


def test_the_command_line_builds_a_quiet_server(monkeypatch: pytest.MonkeyPatch) -> None:
    cli = importlib.import_module("uvicorn.main")
    built: list[tuple[type[uvicorn.Server], dict[str, object]]] = []
    monkeypatch.setattr(cli, "Server", cli.Server)  # put back after the test
    monkeypatch.setattr(cli, "main", lambda **options: built.append((cli.Server, options)))
    serve.main()
    assert built == [(QuietServer, {"default_map": serve.defaults()})]


def test_idle_connections_are_kept_unless_the_command_line_says_otherwise() -> None:
    command = importlib.import_module("uvicorn.main").main
    kept = command.make_context("uvicorn", ["tiny:app"], default_map=serve.defaults())
    assert kept.params["timeout_keep_alive"] == serve.KEEP_ALIVE_SECONDS
    given = command.make_context("uvicorn", ["tiny:app", "--timeout-keep-alive", "7"], default_map=serve.defaults())
    assert given.params["timeout_keep_alive"] == 7


def test_the_command_line_serves_with_a_date_header_and_stops_on_sigterm(tmp_path: Path) -> None:
    (tmp_path / "tiny.py").write_text(APP)
    port = free_port()
    argv = [sys.executable, "-m", "shared.serve", "tiny:app", "--app-dir", str(tmp_path), "--port", str(port)]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=30, process=process, what="shared.serve")
        answer = httpx.get(f"http://127.0.0.1:{port}/")
        assert answer.text == "ok"
        assert answer.headers["date"].endswith(" GMT")
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then raises the signal again for its default action.
        assert process.wait(timeout=10) == -signal.SIGTERM
        assert "Finished server process" in log.read_text()
    finally:
        process.kill()
        process.wait()
