"""The gateway's merged OpenAPI document, made for clients (issue 24): every operation has a
stable readable operationId, a Spanish summary and description, and examples of its request
and its answers.

The operations are parametrized from the snapshot `contracts/api/operations.json` ("METHOD path" ->
operationId), so a failure names its operation; the snapshot itself is compared with the live
document, so a new operation or a renamed one is a deliberate act:

    API_DOCUMENT_WRITE=1 .venv/bin/python -m pytest tests/test_api_document.py -k snapshot
"""

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from devstack.stack import Stack

SNAPSHOT = Path(__file__).parent / "contracts" / "api" / "operations.json"
METHODS = ("get", "put", "post", "delete", "patch")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
EXAMPLE_MEDIA = ("application/json", "text/event-stream")


def _snapshot() -> dict[str, str]:
    return dict(json.loads(SNAPSHOT.read_text())) if SNAPSHOT.exists() else {}


@pytest.fixture(scope="module")
def document(platform_stack: Stack) -> dict[str, Any]:
    response = httpx.get(platform_stack.url("gateway") + "/api/schema/", timeout=30)
    assert response.status_code == 200, response.text
    return dict(response.json())


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ "METHOD path" -> operation, for every operation of the document."""
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return dict(document["components"]["schemas"][ref.removeprefix("#/components/schemas/")])
    return schema


def examples(document: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    """The media type's own `example`/`examples`, and its schema's (for an array, its items'
    as one-item arrays): what Swagger UI shows and what schemathesis' examples phase sends."""
    found = [media["example"]] if "example" in media else []
    found += [named["value"] for named in media.get("examples", {}).values() if "value" in named]
    schema = resolve(document, media.get("schema", {}))
    if schema.get("type") == "array":
        items = resolve(document, schema.get("items", {}))
        found += [[item] for item in [*items.get("examples", []), *([items["example"]] if "example" in items else [])]]
    else:
        found += [*schema.get("examples", []), *([schema["example"]] if "example" in schema else [])]
    return found


def example_problems(document: dict[str, Any], media: dict[str, Any], where: str) -> list[str]:
    """No example, or one its own schema refuses."""
    found = examples(document, media)
    if not found:
        return [f"{where} has no example"]
    validator = Draft202012Validator(
        {**media.get("schema", {}), "components": document["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [
        f"{where}'s example is refused by its schema: {error.message}"
        for e in found
        for error in validator.iter_errors(e)
    ]


def test_the_snapshot_of_operation_ids_is_the_documents(document: dict[str, Any]) -> None:
    live = {key: operation.get("operationId", "") for key, operation in sorted(operations(document).items())}
    if os.environ.get("API_DOCUMENT_WRITE"):
        SNAPSHOT.write_text(json.dumps(live, indent=1, ensure_ascii=False) + "\n")
    assert _snapshot() == live, "operations or operationIds changed: rerun with API_DOCUMENT_WRITE=1 if meant"


@pytest.mark.parametrize("key", sorted(_snapshot()))
def test_operation_is_documented_for_clients(document: dict[str, Any], key: str) -> None:
    every = operations(document)
    assert key in every, "no longer in the document: rerun the snapshot test with API_DOCUMENT_WRITE=1"
    operation = every[key]
    problems: list[str] = []

    operation_id = operation.get("operationId", "")
    method, path = key.split(" ", 1)
    # FastAPI's default: the function's name, then the path and the method (`list_crops_api_cultivos__get`).
    fastapi_default = re.sub(r"\W", "_", path) + "_" + method.lower()
    if not SNAKE_CASE.match(operation_id) or operation_id.endswith(fastapi_default):
        problems.append(f"operationId {operation_id!r} is not a snake_case function name")
    elif [o.get("operationId") for o in every.values()].count(operation_id) > 1:
        problems.append(f"operationId {operation_id!r} is used by another operation")

    summary = operation.get("summary", "")
    if not summary:
        problems.append("no summary")
    elif [o.get("summary") for o in every.values()].count(summary) > 1:
        problems.append(f"summary {summary!r} is used by another operation")
    if not operation.get("description", "").strip():
        problems.append("no description")

    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        problems += example_problems(document, body, "the JSON request body")
    for status, answer in operation.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        for media_type in EXAMPLE_MEDIA:
            media = answer.get("content", {}).get(media_type)
            if media is not None:
                problems += example_problems(document, media, f"the {status} {media_type} answer")
    assert not problems, "\n".join(problems)
