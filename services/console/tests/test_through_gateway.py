"""The console behind the real gateway: its headers come through, no user's cookie is kept by
the gateway for another, and the gateway's merged API documents neither list its pages nor miss
it as an unavailable service."""

import re
from typing import Any

import httpx

from auth.testing import Account
from console.security_headers import CSP

CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


async def test_the_gateways_merged_documents_list_no_console_page_and_have_its_document(
    gateway: httpx.AsyncClient,
) -> None:
    document = (await gateway.get("/api/schema/")).json()
    assert [path for path in document["paths"] if path.startswith("/console")] == []
    assert "console" not in unavailable(document)
    events = (await gateway.get("/api/asyncapi/")).json()
    assert "console" not in unavailable(events)


def unavailable(document: dict[str, Any]) -> list[str]:
    """The services the gateway could not fetch a document from (a slow one, on a loaded machine,
    may be named: the console must not be)."""
    said = re.search(r"Unavailable right now: ([^.]*)\.", document["info"].get("description", ""))
    return said.group(1).split(", ") if said else []


async def test_console_pages_come_through_the_gateway_with_their_headers_and_no_one_elses_cookie(
    gateway: httpx.AsyncClient, account: Account
) -> None:
    origin = str(gateway.base_url).rstrip("/")
    async with httpx.AsyncClient(base_url=origin, timeout=10, headers={"Origin": origin}) as someone:
        form = await someone.get("/console/login/")
        token = CSRF_FIELD.search(form.text)
        assert token, form.text
        signed_in = await someone.post(
            "/console/login/",
            data={"csrf_token": token.group(1), "username": account.email, "password": account.password},
        )
        assert signed_in.status_code == 303
        assert (await someone.get("/console/")).status_code == 200

    # A stranger right after: the gateway relayed that Set-Cookie, and kept none of it.
    page = await gateway.get("/console/login/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["set-cookie"].startswith("console_session="), "a fresh anonymous session"
    async with httpx.AsyncClient(base_url=origin, timeout=10) as stranger:
        home = await stranger.get("/console/")
    assert (home.status_code, home.headers["location"]) == (303, "/console/login/")
    assert (await gateway.get("/console/static/htmx.min.js")).status_code == 200
