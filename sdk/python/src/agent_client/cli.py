"""`platform`: the platform from a terminal, on the SDK.

    platform login --username ana@example.com        # asks the password; keeps the token (mode 600)
    platform chat "Lista las instancias"              # the answer streams to the terminal
    platform nodes ingest --file readings.json --node-token <token>
    platform tasks list
    platform tasks accept 12

Human tables by default, `--json` for scripts. The token is kept in
`$PLATFORM_CONFIG_DIR` (default `~/.config/agent-client`)/credentials.json.
"""

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from agent_client.client import DEFAULT_BASE_URL, AgentClient
from agent_client.errors import ApiError, Forbidden


def config_dir() -> Path:
    configured = os.environ.get("PLATFORM_CONFIG_DIR")
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return Path(configured) if configured else base / "agent-client"


def credentials_path() -> Path:
    return config_dir() / "credentials.json"


def save_credentials(base_url: str, token: str) -> Path:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"base_url": base_url, "token": token}, file)
    os.chmod(path, 0o600)  # an existing file keeps its mode otherwise
    return path


def _client(args: argparse.Namespace) -> AgentClient:
    stored: dict[str, str] = {}
    if credentials_path().exists():
        stored = json.loads(credentials_path().read_text())
    token = os.environ.get("PLATFORM_TOKEN") or stored.get("token")
    if not token:
        raise SystemExit("No has iniciado sesión: platform login --username <usuario>")
    return AgentClient(api_key=token, base_url=args.base_url or stored.get("base_url"))


def table(rows: list[dict[str, Any]]) -> str:
    """The rows' scalar columns (at most eight), aligned."""
    if not rows:
        return "(nada)"
    columns = [k for k, v in rows[0].items() if not isinstance(v, dict | list)][:8]
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _show(args: argparse.Namespace, value: Any) -> None:
    if args.json:
        print(json.dumps(value, ensure_ascii=False, default=str))
    elif isinstance(value, list):
        print(table(value))
    elif isinstance(value, dict):
        print(table([value]))
    else:
        print(value)


def login(args: argparse.Namespace) -> None:
    password = args.password or os.environ.get("PLATFORM_PASSWORD") or getpass.getpass("Contraseña: ")
    base_url = args.base_url or os.environ.get("AGENT_CLIENT_BASE_URL") or DEFAULT_BASE_URL
    with AgentClient(username=args.username, password=password, base_url=base_url) as client:
        assert client.token is not None
        path = save_credentials(client.base_url, client.token)
    print(f"Sesión iniciada; token guardado en {path}" if not args.json else json.dumps({"credentials": str(path)}))


def chat(args: argparse.Namespace) -> None:
    with _client(args) as client:
        for event in client.chat.stream(args.message, conversation_id=args.conversation, bot_id=args.bot):
            if args.json:
                print(event.model_dump_json(exclude_none=True), flush=True)
            elif event.type == "message":
                print(event.content, end="", flush=True)
            elif event.type == "tool_call":
                print(f"\n[tool {event.tool} {json.dumps(event.params, ensure_ascii=False)}]", flush=True)
            elif event.type == "error":
                print(f"\n[error] {event.content}", file=sys.stderr)
            elif event.type == "done":
                print(f"\n[{event.status} · {event.conversation_id}]" if event.conversation_id else "")


def ingest(args: argparse.Namespace) -> None:
    token = args.node_token or os.environ.get("PLATFORM_NODE_TOKEN")
    if not token:
        raise SystemExit("Falta el token del nodo: --node-token o PLATFORM_NODE_TOKEN")
    reading = json.loads(Path(args.file).read_text())
    base_url = args.base_url or os.environ.get("AGENT_CLIENT_BASE_URL")
    stored = json.loads(credentials_path().read_text()) if credentials_path().exists() else {}
    with AgentClient(api_key="node", base_url=base_url or stored.get("base_url")) as client:
        _show(args, client.nodes.ingest(token, **reading))


def _tasks_of(client: AgentClient) -> list[Any]:
    """The workspace's tasks for its staff; a farmer's, field by field, for a farmer."""
    try:
        return list(client.tasks.list_tasks.iterate(page_size=100))
    except Forbidden:
        fields = client.fields.list_fields.iterate(page_size=100)
        return [task for field in fields for task in client.tasks.list_field_tasks.iterate(field["id"], page_size=100)]


def tasks(args: argparse.Namespace) -> None:
    with _client(args) as client:
        if args.action == "list":
            _show(args, _tasks_of(client))
        elif args.action == "accept":
            _show(args, client.tasks.accept_task(args.id))
        else:
            _show(args, client.tasks.reject_task(args.id))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="platform", description="La plataforma desde la terminal.")
    root.add_argument("--base-url", help=f"La pasarela (por defecto {DEFAULT_BASE_URL})")
    root.add_argument("--json", action="store_true", help="JSON en lugar de tablas")
    commands = root.add_subparsers(dest="command", required=True)
    p = commands.add_parser("login", help="Inicia sesión y guarda el token")
    p.add_argument("--username", required=True)
    p.add_argument("--password")
    p.set_defaults(run=login)
    p = commands.add_parser("chat", help="Pregunta al agente; la respuesta llega en vivo")
    p.add_argument("message")
    p.add_argument("--conversation")
    p.add_argument("--bot", type=int)
    p.set_defaults(run=chat)
    nodes = commands.add_parser("nodes", help="Nodos").add_subparsers(dest="action", required=True)
    p = nodes.add_parser("ingest", help="Envía las lecturas de un nodo maestro")
    p.add_argument("--file", required=True, help="JSON del envío (004: nodo_uuid, lecturas...)")
    p.add_argument("--node-token")
    p.set_defaults(run=ingest)
    p = commands.add_parser("tasks", help="Tareas")
    p.add_argument("action", choices=["list", "accept", "reject"])
    p.add_argument("id", nargs="?", type=int)
    p.set_defaults(run=tasks)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "action", None) in ("accept", "reject") and args.id is None:
        parser().error("accept y reject necesitan el id de la tarea")
    try:
        args.run(args)
    except ApiError as exc:
        print(f"Error {exc.status}: {exc.message}", file=sys.stderr)
        if args.json:
            print(json.dumps(exc.body, ensure_ascii=False), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
