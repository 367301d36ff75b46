"""`platform`: the platform from a terminal, on the SDK (click for the commands, rich for the tables).

    platform login --username ana@example.com        # asks the password; keeps the token (mode 600)
    platform chat "Lista las instancias"              # the answer streams to the terminal
    platform nodes ingest --file docs/examples/readings.json --node-token <token>
    platform tasks list
    platform tasks accept 12

Human tables by default, `--json` for scripts; `--json` and `--base-url` go anywhere on the line.
The token is kept in `$PLATFORM_CONFIG_DIR` (default `~/.config/agent-client`)/credentials.json.

Exit codes: 0 ok, 1 the platform refused (an HTTP error) or the answer failed, 2 usage (a wrong
option, no session, an unreadable file, no password to read), 3 the gateway unreachable (network).
"""

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import click
import httpx
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from agent_client.client import DEFAULT_BASE_URL, AgentClient
from agent_client.errors import ApiError, Forbidden
from agent_client.models import Model

OK, REFUSED, USAGE, UNREACHABLE = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


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


def _stored() -> dict[str, str]:
    try:
        stored = json.loads(credentials_path().read_text())
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


# Errors: one line on stderr, and the exit code of their kind.


class Refused(click.ClickException):
    """The platform answered an error, or the answer failed."""

    exit_code = REFUSED

    def __init__(self, message: str, body: Any = None) -> None:
        super().__init__(message)
        self.body = body

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)
        if self.body is not None:  # given under --json only
            click.echo(json.dumps(self.body, ensure_ascii=False), err=True)


class OneLine(click.ClickException):
    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.message}", err=True)


class Unreachable(OneLine):
    """The gateway could not be reached, or the connection broke."""

    exit_code = UNREACHABLE


class CannotStart(OneLine):
    """Something the command needs is missing (a session, a password): a usage error, without
    the usage banner that would hide it."""

    exit_code = USAGE


class Platform(click.Group):
    """The root group: the SDK's and the network's exceptions become one-line errors."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ApiError as exc:
            body = exc.body if ctx.ensure_object(Settings).json else None
            raise Refused(f"Error {exc.status}: {exc.message}", body) from None
        except httpx.HTTPError as exc:  # connection refused, DNS, timeouts, a broken stream
            url = exc.request.url if _has_request(exc) else _base_url()
            raise Unreachable(f"no se pudo hablar con la pasarela {url}: {str(exc) or type(exc).__name__}") from None


def _has_request(exc: httpx.HTTPError) -> bool:
    try:
        exc.request  # noqa: B018 - raises when the error carries no request
    except RuntimeError:
        return False
    return True


# Options that go anywhere: on the root and on every command, into one Settings.


@dataclass
class Settings:
    json: bool = False
    base_url: str | None = None


def _settings() -> Settings:
    ctx = click.get_current_context(silent=True)
    return ctx.ensure_object(Settings) if ctx else Settings()


def _set_json(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Settings).json = True


def _set_base_url(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(Settings).base_url = value


def everywhere(command: F) -> F:
    command = click.option(
        "--json", is_flag=True, expose_value=False, callback=_set_json, help="JSON en lugar de tablas (para scripts)."
    )(command)
    return click.option(
        "--base-url",
        metavar="URL",
        expose_value=False,
        callback=_set_base_url,
        help=f"La pasarela (por defecto la de la sesión, AGENT_CLIENT_BASE_URL o {DEFAULT_BASE_URL}).",
    )(command)


def _base_url() -> str | None:
    return _settings().base_url or os.environ.get("AGENT_CLIENT_BASE_URL") or _stored().get("base_url")


def _client() -> AgentClient:
    token = os.environ.get("PLATFORM_TOKEN") or _stored().get("token")
    if not token:
        raise CannotStart("No has iniciado sesión: platform login --username <usuario>")
    return AgentClient(api_key=token, base_url=_settings().base_url or _stored().get("base_url"))


# Output: rich tables for people, JSON for scripts.


def _cell(value: Any) -> Text:
    if value is None:
        return Text("")
    if isinstance(value, dict | list):
        return Text(json.dumps(value, ensure_ascii=False, default=str))
    return Text(str(value))  # a Text, so that brackets in the data are not read as markup


def table(value: Any) -> Table | Text:
    """A list of rows: their scalar columns (at most eight); one object: its fields, one a line."""
    if isinstance(value, dict):
        fields = Table("campo", "valor", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for key, item in value.items():
            fields.add_row(Text(str(key)), _cell(item))
        return fields
    if not isinstance(value, list):
        return _cell(value)
    if not value:
        return Text("(nada)")
    first = value[0] if isinstance(value[0], dict) else {"valor": value[0]}
    columns = [k for k, v in first.items() if not isinstance(v, dict | list)][:8]
    rows = Table(*columns, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for row in value:
        row = row if isinstance(row, dict) else {"valor": row}
        rows.add_row(*(_cell(row.get(c)) for c in columns))
    return rows


def plain(value: Any) -> Any:
    """The SDK's models as the JSON they came as (tables and --json print that)."""
    if isinstance(value, Model):
        return value.to_json()
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def show(value: Any) -> None:
    value = plain(value)
    if _settings().json:
        click.echo(json.dumps(value, ensure_ascii=False, default=str))
    else:
        Console(highlight=False).print(table(value))


# The commands.


@click.group(cls=Platform, context_settings={"help_option_names": ["-h", "--help"]})
@everywhere
def cli() -> None:
    """La plataforma desde la terminal.

    Códigos de salida: 0 bien, 1 la plataforma lo rechazó o la respuesta falló, 2 uso (opción
    errónea, sin sesión, archivo ilegible, sin contraseña que leer), 3 pasarela inalcanzable.
    """


@cli.command()
@click.option("--username", required=True, help="Tu usuario (correo).")
@click.option(
    "--password", envvar="PLATFORM_PASSWORD", help="Por defecto PLATFORM_PASSWORD, o se pregunta sin mostrarla."
)
@everywhere
def login(username: str, password: str | None) -> None:
    """Inicia sesión y guarda el token (modo 600)."""
    if not password:
        try:
            password = click.prompt("Contraseña", hide_input=True, err=True)
        except click.Abort:
            raise CannotStart(
                "No se pudo leer la contraseña (la entrada está cerrada): usa --password o PLATFORM_PASSWORD"
            ) from None
    base_url = _settings().base_url or os.environ.get("AGENT_CLIENT_BASE_URL") or DEFAULT_BASE_URL
    with AgentClient(username=username, password=password, base_url=base_url) as client:
        assert client.token is not None
        path = save_credentials(client.base_url, client.token)
    if _settings().json:
        click.echo(json.dumps({"credentials": str(path)}))
    else:
        click.echo(f"Sesión iniciada; token guardado en {path}")


@cli.command()
@click.argument("message")
@click.option("--conversation", metavar="ID", help="Sigue esa conversación (por defecto, una nueva).")
@click.option("--bot", type=int, metavar="ID", help="Contesta ese bot.")
@everywhere
def chat(message: str, conversation: str | None, bot: int | None) -> None:
    """Pregunta al agente; la respuesta llega en vivo. Sale con 1 si la respuesta falla."""
    as_json = _settings().json
    status: str | None = None
    errors: list[str] = []
    with _client() as client:
        for event in client.chat.stream(message, conversation_id=conversation, bot_id=bot):
            if event.type == "error":
                errors.append(event.content or "error")
            if event.type == "done":
                status = event.status or "complete"
            if as_json:
                click.echo(event.model_dump_json(exclude_none=True))
            elif event.type == "message":
                click.echo(event.content or "", nl=False)
            elif event.type == "tool_call":
                click.echo(f"\n[tool {event.tool} {json.dumps(event.params, ensure_ascii=False)}]")
            elif event.type == "error":
                click.echo(f"\n[error] {event.content}", err=True)
            elif event.type == "done":
                click.echo(f"\n[{event.status} · {event.conversation_id}]" if event.conversation_id else "")
    if status is None:
        raise Refused("La respuesta se cortó antes de terminar.")
    if errors or status in ("failed", "interrupted"):
        raise Refused(f"La respuesta falló ({status}): {'; '.join(errors) or 'sin detalle'}")


@cli.group()
@everywhere
def nodes() -> None:
    """Nodos."""


READINGS_HELP = """JSON del envío de 004: {"codigo_nodo_maestro": "NM-001", "parcela_id": 7,
"timestamp": "2026-05-01T10:00:00Z", "lecturas": [{"nodo_codigo": "N1", "sensores": [{"sensor":
"humedad_suelo", "valor": 23.4, "unidad": "%"}]}]}. Ejemplo: docs/examples/readings.json."""


def _readings(ctx: click.Context, param: click.Parameter, path: str) -> dict[str, Any]:
    try:
        reading = json.loads(Path(path).read_text())
    except ValueError as exc:
        raise click.BadParameter(f"{path} no es JSON: {exc}", ctx, param) from None
    if not isinstance(reading, dict):
        raise click.BadParameter(f"{path} debe ser un objeto JSON (codigo_nodo_maestro, lecturas...)", ctx, param)
    return reading


@nodes.command()
@click.option(
    "--file",
    "reading",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    callback=_readings,
    help=READINGS_HELP,
)
@click.option("--node-token", envvar="PLATFORM_NODE_TOKEN", help="El token del nodo (o PLATFORM_NODE_TOKEN).")
@everywhere
def ingest(reading: dict[str, Any], node_token: str | None) -> None:
    """Envía las lecturas de un nodo maestro."""
    if not node_token:
        raise click.UsageError("Falta el token del nodo: --node-token o PLATFORM_NODE_TOKEN")
    with AgentClient(api_key="node", base_url=_base_url()) as client:
        show(client.nodes.ingest(node_token, **reading))


@cli.group()
@everywhere
def tasks() -> None:
    """Tareas."""


def _tasks_of(client: AgentClient) -> list[Any]:
    """The workspace's tasks for its staff; a farmer's, field by field, for a farmer."""
    try:
        return list(client.tasks.list_tasks.iterate(page_size=100))
    except Forbidden:
        fields = client.fields.list_fields.iterate(page_size=100)
        return [task for field in fields for task in client.tasks.list_field_tasks.iterate(field["id"], page_size=100)]


@tasks.command("list")
@everywhere
def list_tasks() -> None:
    """Las tareas (de tu espacio, o de tus parcelas)."""
    with _client() as client:
        show(_tasks_of(client))


@tasks.command()
@click.argument("task_id", metavar="ID", type=int)
@everywhere
def accept(task_id: int) -> None:
    """Acepta la tarea ID."""
    with _client() as client:
        show(client.tasks.accept_task(task_id))


@tasks.command()
@click.argument("task_id", metavar="ID", type=int)
@everywhere
def reject(task_id: int) -> None:
    """Rechaza la tarea ID."""
    with _client() as client:
        show(client.tasks.reject_task(task_id))


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns its exit code (the `platform` entry point exits with it)."""
    try:
        cli.main(args=argv, prog_name="platform", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else USAGE)
    return OK


if __name__ == "__main__":
    sys.exit(main())
