"""The documented examples, sent as written: schemathesis' examples phase, one operation at a time,
over every operation of the gateway's merged document. Each request is built from the document's
`example`/`examples` (bodies, parameters), what they leave out filled from defaults or generated;
an operation with no example to send (a GET without parameters) is called once with the simplest
request its document allows, so that its documented answer is checked too. No 5xx, and every answer is
one the document states (status, content type, schema): an example that no longer fits its
operation fails here.

Ids in the examples need not exist: a documented 404 or 400 is a right answer. Runs as the
platform admin, without the fuzz pass's self-defeating operations (test_fuzz.py). The operations
are the snapshot's (tests/contracts/api/operations.json), which test_api_document keeps equal to the
document, so a failure names its operation.

schemathesis' own pytest integration (`schemathesis.pytest.from_fixture`) is not used: at the
pinned versions it reaches for pytest's private `Function._nodeid`, gone in pytest 9.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.hypothesis.examples import generate_one
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devstack.stack import Stack

OPERATIONS = Path(__file__).parents[1] / "contracts" / "api" / "operations.json"
# As test_fuzz.SELF_DEFEATING and test_fuzz.UPSTREAM: what would end the identity's own session or
# workspace, and answers from an AI provider none of which is reachable here (a documented 502).
SELF_DEFEATING = re.compile(r"logout|^/api/v1/tenants/\{tenant_id\}/$")
UPSTREAM = re.compile(
    r"^/api/ai/chat/$|^/api/chat$|^/chat/\{bot_id\}$|^/api/v1/agents/\{agent_id\}/chat/$"
    r"|^/api/v1/documents/$|^/api/v1/documents/\{document_id\}/$|^/api/v1/knowledge/\{base_id\}/$"
)
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _operations() -> list[str]:
    keys = json.loads(OPERATIONS.read_text()) if OPERATIONS.exists() else {}
    return [key for key in sorted(keys) if not SELF_DEFEATING.search(key.split(" ", 1)[1])]


@pytest.fixture(scope="module")
def documented(platform_stack: Stack) -> Any:
    return schemathesis.openapi.from_url(f"{platform_stack.url('gateway')}/api/schema/")


@pytest.mark.parametrize("key", _operations())
def test_documented_examples_are_answered_as_documented(documented: Any, fuzzing_admin_token: str, key: str) -> None:
    method, path = key.split(" ", 1)
    operation = documented[path][method]
    cases = [generate_one(strategy) for strategy in operation.get_strategies_from_examples(fill_missing=True)]
    if not cases:
        cases = [generate_one(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))]
    checks = CONFORMANCE if UPSTREAM.search(path) else [not_a_server_error, *CONFORMANCE]
    for case in cases:
        case.call_and_validate(headers={"Authorization": f"Bearer {fuzzing_admin_token}"}, checks=checks, timeout=20)
