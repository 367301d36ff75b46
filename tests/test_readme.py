"""The README's walkthrough, run as written: its shell blocks, in order, as one bash script
against a fresh suite, so the examples a newcomer copies cannot rot.

Conventions the README keeps (say so there too):
- every ```bash / ```sh block of the walked sections runs, in order, in one shell (variables
  carry over); a block right after `<!-- readme-test: skip ... -->` is shown only;
- a ```python block right after `<!-- readme-test: run -->` runs with the repository's venv
  python, with the shell's variables in its environment;
- `curl` is wrapped: an answer of 400 or more stops the walk, unless the curl's last line
  ends with a comment naming the status it expects (`# 401`); a named status must match.
"""

import ast
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agent_client import AgentClient
from auth.testing import Workspace
from devstack.pytest_plugin import TEST_ENV, serve_in_thread
from devstack.stack import Stack

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SECTIONS = (
    "Calling it",
    "Your team",
    "Sensor nodes, and what a farmer sees",
    "Webhooks and metrics (002)",
    "Bots and AI chat (001, 002, 004)",
    "The support desk (003, and 000's chats)",
)
PUBLIC_URL = "http://127.0.0.1:8000"
PASSWORD_PLACEHOLDER = "<printed by make run>"
BUDGET_SECONDS = 90

FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\w*)\s*$")
MARK = re.compile(r"^\s*<!--\s*readme-test:\s*(?P<what>skip|run)\b.*-->\s*$")
EXPECT = re.compile(r"#\s*(?P<status>[1-5]\d\d)\b")

PRELUDE = r"""
set -euo pipefail
set -a  # every variable reaches the python snippets too
curl() {
    local headers rc=0 code
    headers=$(mktemp)
    command curl -D "$headers" "$@" || rc=$?
    code=$(awk '/^HTTP\//{c=$2} END{print c}' "$headers")
    rm -f "$headers"
    echo "${code:-none} expected=${README_EXPECT:-} curl $*" \
        | sed -E 's/(eyJ|ak_|Node )[A-Za-z0-9._-]{6,}/\1.../g' | cut -c1-220 >> "$README_STATUS_LOG"
    if [ "$rc" -ne 0 ]; then
        echo "README: curl failed ($rc): curl $*" >&2
        return "$rc"
    fi
    if [ -n "${README_EXPECT:-}" ]; then
        if [ "$code" != "$README_EXPECT" ]; then
            echo "README: HTTP $code, the README says $README_EXPECT: curl $*" >&2
            return 22
        fi
    elif [ "${code:-0}" -ge 400 ]; then
        echo "README: HTTP $code: curl $*" >&2
        return 22
    fi
}
"""


def sections(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each walked section's lines, in the README's order (a section ends at the next heading)."""
    lines = text.splitlines()
    heads = [(i, line.lstrip("#").strip()) for i, line in enumerate(lines) if re.match(r"^#{2,3} ", line)]
    for n, (start, title) in enumerate(heads):
        if title in SECTIONS:
            end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
            yield title, lines[start + 1 : end]
    found = [title for _, title in heads]
    missing = [s for s in SECTIONS if s not in found]
    assert not missing, f"README sections gone: {missing}"


def blocks(lines: list[str]) -> Iterator[tuple[str, str]]:
    """(language, code) of the fenced blocks to run, with `skip`/`run` marks applied."""
    mark = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if m := MARK.match(line):
            mark = m["what"]
        fence = FENCE.match(line)
        if fence and fence["lang"]:
            indent = len(fence["indent"])
            body = []
            i += 1
            while not re.match(r"^ *```\s*$", lines[i]):
                body.append(lines[i][indent:])
                i += 1
            lang = fence["lang"]
            code = "\n".join(body) + "\n"
            if lang in ("bash", "sh") and mark != "skip":
                yield "bash", code
            elif lang == "python" and mark == "run":
                yield "python", code
            mark = None
        i += 1


def expectations(code: str) -> str:
    """`README_EXPECT=<status>` before each curl command whose last line names a status."""
    out: list[str] = []
    command: list[str] = []
    for line in code.splitlines():
        command.append(line)
        if line.rstrip().endswith("\\"):
            continue
        first, last = command[0], command[-1]
        comment = last.split(" #", 1)[1] if " #" in last else ""
        if first.startswith("curl ") and (m := EXPECT.match("#" + comment.strip())):
            command[0] = f"README_EXPECT={m['status']} {first}"
        out.extend(command)
        command = []
    out.extend(command)
    return "\n".join(out) + "\n"


def script(text: str, gateway: str, password: str) -> str:
    parts = [PRELUDE]
    for title, lines in sections(text):
        parts.append(f'\n# ---- {title}\necho {shlex.quote("---- " + title)} >> "$README_STATUS_LOG"\n')
        for lang, code in blocks(lines):
            if lang == "bash":
                parts.append(expectations(code))
            else:
                parts.append(f"{sys.executable} - <<'README_PYTHON'\n{code}README_PYTHON\n")
    walk = "".join(parts)
    ws = gateway.replace("http://", "ws://", 1)
    walk = walk.replace(PUBLIC_URL, gateway).replace(PUBLIC_URL.replace("http", "ws", 1), ws)
    return walk.replace(PASSWORD_PLACEHOLDER, password)


def test_the_extraction_sees_every_section() -> None:
    text = README.read_text()
    walked = [title for title, _ in sections(text)]
    assert walked == list(SECTIONS)
    walk = script(text, "http://gw", "pw")
    assert PUBLIC_URL not in walk
    assert PASSWORD_PLACEHOLDER not in walk
    assert "README_EXPECT=401 curl" in walk
    assert walk.count("<<'README_PYTHON'") == 2  # the webhook receiver and the desk's WebSocket


@pytest.mark.timeout(240)
def test_the_readme_walkthrough_runs_as_written(isolated_stack: Stack, tmp_path: Path) -> None:
    walk = script(README.read_text(), isolated_stack.url("gateway"), TEST_ENV["ADMIN_PASSWORD"])
    (tmp_path / "walk.sh").write_text(walk)
    log = tmp_path / "statuses.log"
    log.touch()
    env = {**os.environ, "README_STATUS_LOG": str(log), "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    started = time.monotonic()
    done = subprocess.run(
        ["bash", str(tmp_path / "walk.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS,
        check=False,
    )
    took = time.monotonic() - started
    calls = log.read_text()
    assert done.returncode == 0, (
        f"the walkthrough stopped ({done.returncode}) after {took:.1f}s\n--- stderr\n{done.stderr[-4000:]}"
        f"\n--- statuses\n{calls[-4000:]}\n--- stdout\n{done.stdout[-3000:]}"
    )
    assert calls.count("curl ") > 50, calls
    # What the README's answers promise, seen in what the walk printed.
    for promised in (
        '"msg":"Agricultor creado"',
        '"status":"aceptada"',
        "El token de refresco no es válido",
        '"inserted":1',
        '"origen":"ia"',
        '"avg":23.4',
        '"type": "done"',
        "cada dos días",
    ):
        assert promised in done.stdout, promised


# 002's SDK snippet ("## SDK (Próximamente)"), as the seed writes it. The README shows it too
# ("## Python SDK and command line"); both run as written, with the placeholders standing for
# things of the workspace: a key, a conversation and a tool made first.
SEED_002_SNIPPET = """\
from agent_client import AgentClient

client = AgentClient(api_key="tu-api-key")

# Enviar mensaje
response = client.chat.send(
    conversation_id="conv_123",
    message="Lista las instancias EC2"
)

# Ejecutar tool
result = client.tools.execute(
    "list_ec2_instances",
    region="us-east-1"
)
"""
PLACEHOLDERS = ('"tu-api-key"', '"conv_123"', '"list_ec2_instances"')
# What the snippet left behind, printed after it by the test (not part of the snippet).
REPORT = """
import json
print(json.dumps({"answer": [type(response).__name__, response.conversation_id, response.status],
                  "run": [type(result).__name__, result.tool, result.result]}))
"""
EC2_DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "EC2"},
    "servers": [{"url": "/ec2"}],
    "paths": {"/instances": {"get": {
        "operationId": "list_ec2_instances", "summary": "Lista las instancias EC2 de una región",
        "parameters": [{"name": "region", "in": "query", "required": True, "schema": {"type": "string"}}],
    }}},
}  # fmt: skip


def readme_snippet() -> str:
    """The README's Python block that follows "002's snippet"."""
    text = README.read_text()
    after = text[text.index("002's snippet") :]
    start = after.index("```python\n") + len("```python\n")
    return after[start : after.index("```", start)]


def test_the_readme_shows_002s_snippet_as_the_seed_writes_it() -> None:
    assert ast.dump(ast.parse(readme_snippet())) == ast.dump(ast.parse(SEED_002_SNIPPET))
    for placeholder in PLACEHOLDERS:
        assert SEED_002_SNIPPET.count(placeholder) == 1


def test_002s_sdk_snippet_runs_as_written(platform_stack: Stack, workspace: Workspace) -> None:
    seen: list[str] = []

    async def instances(request: Request) -> JSONResponse:
        seen.append(request.url.query)
        return JSONResponse({"instances": [{"id": "i-0abc", "region": request.query_params["region"]}]})

    async def document(request: Request) -> JSONResponse:
        return JSONResponse(EC2_DOCUMENT)

    gateway = platform_stack.url("gateway")
    routes = [Route("/openapi.json", document), Route("/ec2/instances", instances)]
    with (
        serve_in_thread(Starlette(routes=routes)) as ec2,
        AgentClient(workspace.owner_token, base_url=gateway) as owner,
    ):
        # What the placeholders stand for: an API key, a conversation, and a tool (a learned API's operation).
        key = owner.api_keys.create_api_key(name="snippet 002", role="administrador")
        conversation = owner.conversations.create_conversation(title="Instancias")
        owner.learned_apis.learn_api(type="openapi", source=f"{ec2}/openapi.json")
        tool = next(t for t in owner.tools.list() if t.name.endswith("_list_ec2_instances"))  # api<id>_<operationId>
        values = (key["key"], conversation["id"], tool.name)
        code = SEED_002_SNIPPET
        for placeholder, value in zip(PLACEHOLDERS, values, strict=True):
            code = code.replace(placeholder, repr(value))
        done = subprocess.run(
            [sys.executable, "-c", code + REPORT],
            env={**os.environ, "AGENT_CLIENT_BASE_URL": gateway},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["answer"] == ["AnswerRead", conversation["id"], "complete"]
    assert report["run"] == ["ToolCallRead", tool.name, {"instances": [{"id": "i-0abc", "region": "us-east-1"}]}]
    assert seen == ["region=us-east-1"]
