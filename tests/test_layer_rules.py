"""Layer rules that imports cannot express, checked on the source with `ast`.

- An endpoint module opens no session and commits nothing: `SessionDep` is the one commit
  point, and a function that needs its own transaction takes the sessionmaker and lives in a
  service. So in `*/endpoints.py`: no `.commit()`, no `.begin()`, no sessionmaker called.
- A service, repository or handler never chooses an HTTP status or builds headers: it raises
  the service's domain error classes, each with its status as a class attribute. So in
  `*/service.py`, `*/repository.py` and `*/handlers.py`: no `status_code=` or `headers=`
  given to an error it raises or builds.

Each check is tried on planted violations first, so a check that cannot fail fails.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "services"

SESSION_METHODS = frozenset({"commit", "begin", "begin_nested"})
SESSIONMAKERS = frozenset({"sessionmaker", "async_sessionmaker", "create_sessionmaker"})
HTTP_KEYWORDS = frozenset({"status_code", "headers"})
DOMAIN_MODULES = frozenset({"service.py", "repository.py", "handlers.py"})


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def session_calls(source: str) -> list[str]:
    """Each session opened, begun or committed in an endpoint module's source, as `line: call`."""
    tree = ast.parse(source)
    # Names bound to a sessionmaker (`sessions = request.app.state.sessionmaker`) are sessionmakers.
    makers = set(SESSIONMAKERS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _name(node.value) in makers:
            makers.update(target.id for target in node.targets if isinstance(target, ast.Name))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        if isinstance(node.func, ast.Attribute) and called in SESSION_METHODS:
            found.append(f"{node.lineno}: .{called}()")
        elif called in makers:
            found.append(f"{node.lineno}: {called}() opens a session")
    return sorted(found, key=lambda entry: (int(entry.split(":")[0]), entry))


def _is_error(node: ast.expr) -> bool:
    name = _name(node)
    return name is not None and name[:1].isupper() and name.endswith(("Error", "Exception"))


def http_in_errors(source: str) -> list[str]:
    """Each `status_code=` / `headers=` given to an error raised or built in the source."""
    tree = ast.parse(source)
    calls: list[ast.Call] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            calls.append(node.exc)
        elif isinstance(node, ast.Call) and _is_error(node.func):
            calls.append(node)
    found = {
        f"{call.lineno}: {_name(call.func)}({keyword.arg}=...)"
        for call in calls
        for keyword in call.keywords
        if keyword.arg in HTTP_KEYWORDS
    }
    return sorted(found, key=lambda entry: (int(entry.split(":")[0]), entry))


def _modules(names: frozenset[str]) -> Iterator[Path]:
    for path in sorted(SOURCES.glob("*/src/**/*.py")):
        if path.name in names:
            yield path


def _violations(names: frozenset[str], check: object) -> dict[str, list[str]]:
    assert callable(check)
    found = {}
    for path in _modules(names):
        problems = check(path.read_text())
        if problems:
            found[str(path.relative_to(SOURCES))] = problems
    return found


# -- the checks, on planted violations ---------------------------------------------------------

PLANTED_ENDPOINT = """
async def create(request, session: SessionDep):
    sessions = request.app.state.sessionmaker
    async with sessions() as other, other.begin():
        pass
    async with request.app.state.sessionmaker() as third:
        await third.commit()
    maker = async_sessionmaker(engine)
    return await service.create(session, request.app.state.sessionmaker)  # passing one on is fine
"""

PLANTED_SERVICE = """
async def check(session, *, limit):
    if limit:
        raise QuotaExceeded("over", status_code=429, headers={"Retry-After": "60"})
    error = UpstreamError("bad gateway", status_code=502)
    raise error
    raise Refused("fine: the class carries its status")
"""


def test_the_endpoint_check_catches_every_planted_session_call() -> None:
    assert session_calls(PLANTED_ENDPOINT) == [
        "4: .begin()",
        "4: sessions() opens a session",
        "6: sessionmaker() opens a session",
        "7: .commit()",
        "8: async_sessionmaker() opens a session",
    ]


def test_the_service_check_catches_every_planted_status_and_header() -> None:
    assert http_in_errors(PLANTED_SERVICE) == [
        "4: QuotaExceeded(headers=...)",
        "4: QuotaExceeded(status_code=...)",
        "5: UpstreamError(status_code=...)",
    ]


# -- the checks, on the services ----------------------------------------------------------------


def test_endpoint_modules_open_and_commit_no_session() -> None:
    found = _violations(frozenset({"endpoints.py"}), session_calls)
    assert not found, (
        f"endpoints that open, begin or commit a session (take SessionDep, or move it to a service): {found}"
    )


@pytest.mark.parametrize("module", sorted(DOMAIN_MODULES))
def test_domain_modules_choose_no_status_and_build_no_headers(module: str) -> None:
    found = _violations(frozenset({module}), http_in_errors)
    assert not found, f"errors given a status or headers (define an error class with its status instead): {found}"
