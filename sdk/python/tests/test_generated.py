"""The SDK's generated surface (`agent_client/models/_generated.py`, `agent_client/_operations.py`)
kept equal to what the generator makes of the gateway's merged OpenAPI document.

This module does not import `agent_client` (its generated files may be the ones out of step):
it loads the generator by its path. To write the files again, one command:

    SDK_WRITE_GENERATED=1 .venv/bin/python -m pytest sdk/python/tests/test_generated.py -q
"""

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from devstack.stack import Stack

GENERATOR = Path(__file__).resolve().parents[1] / "src" / "agent_client" / "_generate.py"


def generator() -> ModuleType:
    loaded = importlib.util.spec_from_file_location("agent_client_generate", GENERATOR)
    assert loaded is not None
    assert loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    sys.modules[loaded.name] = module
    loaded.loader.exec_module(module)
    return module


def test_the_generated_models_and_operations_are_the_gateways_document(platform_stack: Stack) -> None:
    generate = generator()
    document = httpx.get(platform_stack.url("gateway") + "/api/schema/", timeout=30).json()
    files: dict[Path, str] = generate.generated(document)
    if os.environ.get("SDK_WRITE_GENERATED"):
        generate.write(files)
    stale = [str(path.relative_to(GENERATOR.parent)) for path, text in files.items() if path.read_text() != text]
    assert stale == [], (
        f"{stale} differ from the gateway's document: SDK_WRITE_GENERATED=1 .venv/bin/python -m pytest {__file__} -q"
    )


def test_the_generator_names_classes_and_describes_operations() -> None:
    """In-process, on a small document: names, query models, bodies and answers of each kind."""
    generate = generator()
    x, chat_page = {"$ref": "#/components/schemas/Page_X_"}, {"$ref": "#/components/schemas/chat__Page"}
    page = {"type": "object", "properties": {"results": {"type": "array", "items": x}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x/": {
                "get": {
                    "operationId": "list_x",
                    "summary": "List X",
                    "description": "Every X.",
                    "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": {"content": {"application/json": {"schema": chat_page}}}},
                },
                "post": {
                    "operationId": "create_x",
                    "requestBody": {"content": {"application/json": {"schema": x}}},
                    "responses": {"201": {"content": {"application/json": {"schema": {"type": "array", "items": x}}}}},
                },
            },
            "/t/": {
                "post": {
                    "operationId": "talk",
                    "responses": {"200": {"content": {"text/plain": {}, "text/event-stream": {}}}},
                }
            },
        },
        "components": {
            "schemas": {
                "Page_X_": {"type": "object", "properties": {"mail": {"type": "string", "format": "email"}}},
                "chat__Page": page,
            }
        },
    }
    prepared, operations = generate.prepared(document)
    assert set(prepared["components"]["schemas"]) == {"PageX", "ChatPage", "ListXQuery"}
    assert prepared["components"]["schemas"]["ChatPage"]["properties"]["results"]["items"] == {
        "$ref": "#/components/schemas/PageX"
    }
    assert "format" not in prepared["components"]["schemas"]["PageX"]["properties"]["mail"]  # no email-validator
    listed, created, talked = operations["GET /x/"], operations["POST /x/"], operations["POST /t/"]
    assert (listed["summary"], listed["description"], listed["query"]) == ("List X", "Every X.", "ListXQuery")
    assert (listed["answer"], listed["items"], listed["many"]) == ("ChatPage", "PageX", False)
    assert (created["body"], created["body_kind"], created["answer"], created["many"]) == (
        "PageX",
        "json",
        "PageX",
        True,
    )
    assert (talked["text"], talked["stream"], talked["answer"]) == (True, True, None)


def test_a_schema_the_generator_would_rename_is_refused() -> None:
    """`Model` is the base class's name: datamodel-code-generator renames such a class, and the
    operations would name the base class instead; the generator stops and says so."""
    generate = generator()
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Model"}}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/m/": {"post": {"operationId": "make", "requestBody": body, "responses": {"204": {}}}}},
        "components": {"schemas": {"Model": {"type": "object", "properties": {"a": {"type": "integer"}}}}},
    }
    with pytest.raises(ValueError, match=r"\['Model'\]"):
        generate.generated(document)
