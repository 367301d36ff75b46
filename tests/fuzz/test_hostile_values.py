"""Every operation, every parameter and top-level body field, each known-hostile value: never a 5xx.

Random fuzzing rarely draws these (a NUL character, an integer beyond 64 bits, an explicit
null); each once answered 500 somewhere. Here every operation of the merged OpenAPI document
gets each of them, in each place, on top of an otherwise valid request generated from the
document by schemathesis.
"""

import re
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from schemathesis import GenerationMode

from auth.testing import auth_header
from shared.devtools.stack import Stack

SELF_DEFEATING = re.compile(r"logout|^/api/v1/tenants/\{tenant_id\}/$")
BODY_VALUES: list[Any] = [10**20, 5738665608, "a\x00b", None, -(10**20), 1e308]
PARAMETER_VALUES = ["99999999999999999999", "5738665608", "a\x00b", "%01", "-1", "ñ"]


def mutations(case: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, request) pairs: the valid request with one place made hostile."""
    base = {
        "path": dict(case.path_parameters or {}),
        "query": dict(case.query or {}),
        "body": case.body if isinstance(case.body, dict) else None,
    }
    for name in base["path"]:
        for value in PARAMETER_VALUES:
            yield f"path {name}={value!r}", {**base, "path": {**base["path"], name: value}}
    for name in [p.name for p in case.operation.query] or ["page"]:
        for value in PARAMETER_VALUES:
            yield f"query {name}={value!r}", {**base, "query": {**base["query"], name: value}}
    body_schema = (case.operation.body[0].definition.get("schema") if case.operation.body else None) or {}
    for name in body_schema.get("properties", {}) if base["body"] is not None else ():
        for value in BODY_VALUES:
            yield f"body {name}={value!r}", {**base, "body": {**base["body"], name: value}}


def send(client: httpx.Client, method: str, template: str, request: dict[str, Any], form: bool) -> httpx.Response:
    path = template
    for name, value in request["path"].items():
        path = path.replace("{" + name + "}", quote(str(value), safe="%"))
    if form and request["body"] is not None:
        fields = {k: str(v) for k, v in request["body"].items() if v is not None}
        return client.request(method, path, params=request["query"], data=fields)
    return client.request(method, path, params=request["query"], json=request["body"])


@pytest.mark.timeout(900)
def test_hostile_values_never_get_a_server_error(platform_stack: Stack, fuzzing_admin_token: str) -> None:
    gateway = platform_stack.url("gateway")
    schema = schemathesis.openapi.from_url(f"{gateway}/api/schema/")
    failures: list[str] = []
    sent = 0
    with httpx.Client(base_url=gateway, headers=auth_header(fuzzing_admin_token), timeout=20) as client:
        for result in schema.get_all_operations():
            operation = result.ok()
            if SELF_DEFEATING.search(operation.path):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # .example() outside a Hypothesis test warns
                case = operation.as_strategy(generation_mode=GenerationMode.POSITIVE).example()
            form = case.media_type == "application/x-www-form-urlencoded"
            if case.media_type not in (None, "application/json") and not form:
                continue
            for where, request in mutations(case):
                response = send(client, operation.method.upper(), operation.path, request, form)
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{operation.method.upper()} {operation.path} {where}: {response.status_code}")
    assert sent > 500
    assert not failures, "\n".join(failures)
