"""Knowledge bases and documents (000): uploads in every format cut into chunks with exact
offsets, Spanish full-text search, workspace isolation, and agents answering from them with
citations (the local provider extractively, a provider through the knowledge-search tool)."""

import json
import secrets
from typing import Any

import httpx

from auth.testing import Workspace, auth_header
from bots.testing import LoopbackProvider

MANUAL = (
    "Manual de riego del tomate.\n\n"
    "En floración el tomate se riega cada dos días, temprano por la mañana. "
    "Un riego por goteo ahorra la mitad del agua.\n\n"
    "La poda de brotes laterales se hace cada semana."
)


def pdf_with(text: str) -> bytes:
    """A one-page PDF whose page shows `text` (ASCII), built by hand: no PDF writer needed."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


async def new_base(gateway: httpx.AsyncClient, token: str, **body: Any) -> dict[str, Any]:
    response = await gateway.post("/api/v1/knowledge/", json={"name": "Agronomía", **body}, headers=auth_header(token))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def upload(
    gateway: httpx.AsyncClient, token: str, base_id: int, name: str, data: bytes, content_type: str, **form: str
) -> httpx.Response:
    return await gateway.post(
        "/api/v1/documents/",
        files={"file": (name, data, content_type)},
        data={"knowledge_base": str(base_id), **form},
        headers=auth_header(token),
    )


async def stranger_header(gateway: httpx.AsyncClient) -> dict[str, str]:
    email, password = f"kb-{secrets.token_hex(4)}@example.com", "otra-clave-segura"
    await gateway.post("/users/", json={"email": email, "password": password})
    login = await gateway.post("/api/auth/login", json={"username": email, "password": password})
    return auth_header(login.json()["access_token"])


async def test_documents_of_every_format_are_chunked_and_found_in_spanish(
    gateway: httpx.AsyncClient, workspace: Workspace
) -> None:
    owner = workspace.owner_token
    base = await new_base(gateway, owner, description="Manuales de cultivo")
    assert (base["language"], base["document_count"], base["chunk_count"]) == ("spanish", 0, 0)
    uploads = {
        "manual.txt": (MANUAL.encode(), "text/plain", "text"),
        "poda.md": (b"# Poda\n\nLos **brotes** se podan en invierno.", "text/markdown", "markdown"),
        "plagas.html": (
            b"<html><head><style>p{}</style><script>alert(1)</script></head>"
            b"<body><h1>Plagas</h1><p>La mosca blanca se controla con trampas amarillas.</p></body></html>",
            "text/html", "html",
        ),
        "abono.pdf": (pdf_with("El abono de potasio mejora el fruto."), "application/pdf", "pdf"),
    }  # fmt: skip
    documents = {}
    for name, (data, content_type, kind) in uploads.items():
        response = await upload(gateway, owner, base["id"], name, data, content_type)
        assert response.status_code == 201, (name, response.text)
        assert (response.json()["kind"], response.json()["filename"], response.json()["title"]) == (kind, name, name)
        assert response.json()["chunk_count"] >= 1
        documents[name] = response.json()

    # The HTML's visible text only; the PDF's page text; chunk offsets point into the text.
    html = (
        await gateway.get(f"/api/v1/documents/{documents['plagas.html']['id']}/", headers=auth_header(owner))
    ).json()
    assert "alert" not in html["content"]
    assert "mosca blanca" in html["content"]
    pdf = (await gateway.get(f"/api/v1/documents/{documents['abono.pdf']['id']}/", headers=auth_header(owner))).json()
    assert "abono de potasio" in pdf["content"]
    for detail in (html, pdf):
        for chunk in detail["chunks"]:
            assert detail["content"][chunk["start"] : chunk["end"]] == chunk["content"]

    # Spanish stemming: "riegan" finds "riega" and "riego"; the best chunk comes first.
    found = await gateway.get(
        f"/api/v1/knowledge/{base['id']}/search/", params={"q": "¿Cada cuánto se riegan los tomates?"},
        headers=auth_header(owner),
    )  # fmt: skip
    assert found.status_code == 200, found.text
    [best, *_] = found.json()["results"]
    assert (best["document_id"], best["document"]) == (documents["manual.txt"]["id"], "manual.txt")
    assert "se riega cada dos días" in best["content"]
    assert MANUAL[best["start"] : best["end"]] == best["content"]
    nothing = await gateway.get(f"/api/v1/knowledge/{base['id']}/search/", params={"q": "helicóptero"},
                                headers=auth_header(owner))  # fmt: skip
    assert nothing.json()["results"] == []

    listed = (await gateway.get(f"/api/v1/knowledge/{base['id']}/", headers=auth_header(owner))).json()
    assert listed["document_count"] == 4
    page = (await gateway.get("/api/v1/documents/", params={"knowledge_base": base["id"], "page_size": 2},
                              headers=auth_header(owner))).json()  # fmt: skip
    assert (page["count"], len(page["results"])) == (4, 2)
    assert page["next"]

    # Renaming; a new language re-indexes (English stems "watering" to "water").
    doc_id = documents["manual.txt"]["id"]
    renamed = await gateway.patch(f"/api/v1/documents/{doc_id}/", json={"title": "Riego"}, headers=auth_header(owner))
    assert renamed.json()["title"] == "Riego"
    english = await gateway.put(f"/api/v1/knowledge/{base['id']}/", json={"language": "english"},
                                headers=auth_header(owner))  # fmt: skip
    assert english.json()["language"] == "english"
    assert (await gateway.delete(f"/api/v1/documents/{doc_id}/", headers=auth_header(owner))).status_code == 204
    assert (await gateway.get(f"/api/v1/documents/{doc_id}/", headers=auth_header(owner))).status_code == 404


async def test_uploads_are_checked_and_bases_are_the_workspaces_own(
    gateway: httpx.AsyncClient, workspace: Workspace
) -> None:
    owner, farmer = workspace.owner_token, workspace.farmer_token
    base = await new_base(gateway, owner)
    bad = await upload(gateway, owner, base["id"], "x.pdf", b"%PDF-1.4 not really", "application/pdf")
    assert bad.status_code == 400
    assert bad.json() == {"detail": "El PDF no se pudo leer.", "file": ["PDF inválido."]}
    image = await upload(gateway, owner, base["id"], "foto.png", b"\x89PNG....", "image/png")
    assert image.status_code == 400
    latin1 = await upload(gateway, owner, base["id"], "x.txt", "riego en invierno".encode("utf-16"), "text/plain")
    assert latin1.status_code == 400
    empty = await upload(gateway, owner, base["id"], "x.txt", b"   ", "text/plain")
    assert empty.status_code == 400
    huge = await upload(gateway, owner, base["id"], "big.txt", b"a " * (6 * 1024 * 1024), "text/plain")
    assert huge.status_code == 413, huge.text
    # Documents are the workspace administrators' to change; a farmer may read and search.
    refused = await upload(gateway, farmer, base["id"], "x.txt", b"hola", "text/plain")
    assert refused.status_code == 403
    assert (await gateway.get(f"/api/v1/knowledge/{base['id']}/", headers=auth_header(farmer))).status_code == 200

    doc = await upload(gateway, owner, base["id"], "secreto.txt", b"La clave del riego es secreta.", "text/plain")
    stranger = await stranger_header(gateway)
    for method, path in [
        ("GET", f"/api/v1/knowledge/{base['id']}/"), ("PATCH", f"/api/v1/knowledge/{base['id']}/"),
        ("DELETE", f"/api/v1/knowledge/{base['id']}/"), ("GET", f"/api/v1/knowledge/{base['id']}/search/?q=riego"),
        ("GET", f"/api/v1/documents/{doc.json()['id']}/"), ("DELETE", f"/api/v1/documents/{doc.json()['id']}/"),
    ]:  # fmt: skip
        body = {"name": "x"} if method == "PATCH" else None
        response = await gateway.request(method, path, headers=stranger, json=body)
        assert response.status_code == 404, (method, path, response.text)
    theirs = await new_base(gateway, stranger["Authorization"].split()[1])
    assert (await upload(gateway, owner, theirs["id"], "x.txt", b"hola", "text/plain")).status_code == 404
    assert (await gateway.get("/api/v1/documents/", headers=stranger)).json()["count"] == 0
    agent = await gateway.post("/api/v1/agents/", json={"name": "Espía", "knowledge_bases": [base["id"]]},
                               headers=stranger)  # fmt: skip
    assert agent.status_code == 404


async def test_an_agent_answers_from_its_knowledge_and_cites_the_chunks(
    gateway: httpx.AsyncClient, workspace: Workspace
) -> None:
    owner, farmer = workspace.owner_token, workspace.farmer_token
    base = await new_base(gateway, owner)
    document = (await upload(gateway, owner, base["id"], "manual.txt", MANUAL.encode(), "text/plain")).json()
    unknown = await gateway.post("/api/v1/agents/", json={"name": "x", "tools": ["no_existe"]},
                                 headers=auth_header(owner))  # fmt: skip
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "No existe el tool 'no_existe'."
    created = await gateway.post(
        "/api/v1/agents/",
        json={"name": "Agrónomo", "instructions": "Eres un agrónomo.", "model": "local",
              "tools": ["search_knowledge", "my_fields"], "knowledge_bases": [base["id"]]},
        headers=auth_header(owner),
    )  # fmt: skip
    assert created.status_code == 201, created.text
    agent = created.json()
    assert (agent["model"], agent["tools"], agent["knowledge_bases"]) == (
        "local:local",
        ["search_knowledge", "my_fields"],
        [base["id"]],
    )

    answer = await gateway.post(f"/api/v1/agents/{agent['id']}/chat/",
                                json={"message": "¿Cada cuánto se riega el tomate en floración?"},
                                headers=auth_header(farmer))  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "se riega cada dos días" in body["content"]
    assert "[1]" in body["content"]
    [citation, *_] = body["citations"]
    assert (citation["document_id"], citation["document"]) == (document["id"], "manual.txt")
    quoted = MANUAL[citation["start"] : citation["end"]]
    assert quoted == "En floración el tomate se riega cada dos días, temprano por la mañana."
    assert quoted in body["content"]
    detail = await gateway.get(f"/api/conversations/{body['conversation_id']}", headers=auth_header(farmer))
    assert detail.json()["messages"][1]["citations"] == body["citations"]

    # The agent list and its changes; a deleted base is dropped from the agent.
    listed = (await gateway.get("/api/v1/agents/", headers=auth_header(owner))).json()
    assert agent["id"] in [a["id"] for a in listed["results"]]
    patched = await gateway.patch(f"/api/v1/agents/{agent['id']}/", json={"tools": None}, headers=auth_header(owner))
    assert patched.json()["tools"] is None
    assert (await gateway.delete(f"/api/v1/knowledge/{base['id']}/", headers=auth_header(owner))).status_code == 204
    after = (await gateway.get(f"/api/v1/agents/{agent['id']}/", headers=auth_header(owner))).json()
    assert after["knowledge_bases"] == []
    # A farmer may chat with an agent but holds no `bots:actualizar`: refused before the agent is looked up.
    refused = await gateway.delete(f"/api/v1/agents/{agent['id']}/", headers=auth_header(farmer))
    assert refused.status_code == 403, refused.text
    assert (await gateway.delete(f"/api/v1/agents/{agent['id']}/", headers=auth_header(owner))).status_code == 204


async def test_a_model_searches_the_knowledge_and_its_answer_cites_what_it_found(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any
) -> None:
    owner = workspace.owner_token
    await integrate("openai")
    base = await new_base(gateway, owner)
    document = (await upload(gateway, owner, base["id"], "manual.txt", MANUAL.encode(), "text/plain")).json()
    agent = (await gateway.post(
        "/api/v1/agents/",
        json={"name": "Agrónomo", "model": "openai:gpt-agent", "tools": ["search_knowledge"],
              "knowledge_bases": [base["id"]]},
        headers=auth_header(owner),
    )).json()  # fmt: skip
    events = []
    question = {"message": "search_knowledge poda de brotes", "stream": True}
    path = f"/api/v1/agents/{agent['id']}/chat/"
    async with gateway.stream("POST", path, headers=auth_header(owner), json=question) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
    kinds = [e["type"] for e in events]
    assert kinds[:3] == ["thinking", "tool_call", "tool_result"], kinds
    assert kinds[-1] == "done"
    assert events[1]["params"] == {"query": "poda de brotes"}
    [hit] = [h for h in events[2]["result"]["results"] if "poda" in h["content"]]
    cited = events[-1]["citations"]
    assert {(c["document_id"], c["chunk_id"]) for c in cited} >= {(document["id"], hit["chunk_id"])}
    # The chunks found for the question were put in front of the model, numbered to cite.
    system = provider.calls[-2].messages[0]
    assert system["role"] == "system"
    assert "[1] (manual.txt)" in system["content"]


async def test_a_base_with_an_embedding_model_finds_chunks_by_meaning(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any
) -> None:
    owner = workspace.owner_token
    refused = await gateway.post("/api/v1/knowledge/", json={"name": "x", "embedding_model": "openai:emb"},
                                 headers=auth_header(owner))  # fmt: skip
    assert refused.status_code == 400  # no OpenAI integration yet
    assert "embedding_model" in refused.json()
    claude = await gateway.post("/api/v1/knowledge/", json={"name": "x", "embedding_model": "claude-3.5"},
                                headers=auth_header(owner))  # fmt: skip
    assert claude.status_code == 400
    await integrate("openai")
    words_only = await new_base(gateway, owner)
    by_meaning = await new_base(gateway, owner, embedding_model="openai:text-embedding-loopback")
    assert by_meaning["embedding_model"] == "openai:text-embedding-loopback"
    documents = {
        "riego.txt": "El tomate se riega cada dos días con goteo.",
        "plagas.txt": "La mosca blanca se controla con trampas amarillas.",
    }
    for base in (words_only, by_meaning):
        for name, content in documents.items():
            uploaded = await upload(gateway, owner, base["id"], name, content.encode(), "text/plain")
            assert uploaded.status_code == 201, uploaded.text

    async def found(base: dict[str, Any], question: str) -> list[str]:
        response = await gateway.get(f"/api/v1/knowledge/{base['id']}/search/", params={"q": question},
                                     headers=auth_header(owner))  # fmt: skip
        assert response.status_code == 200, response.text
        return [hit["document"] for hit in response.json()["results"]]

    # Other words than the document's: full-text search alone finds nothing; meaning finds it.
    assert await found(words_only, "irrigation") == []
    assert (await found(by_meaning, "irrigation"))[0] == "riego.txt"
    assert (await found(by_meaning, "insects"))[0] == "plagas.txt"
    # Both rankings agree on a question in the document's own words.
    assert (await found(by_meaning, "¿Cada cuánto se riega el tomate?"))[0] == "riego.txt"
    assert any(call.protocol == "embeddings" for call in provider.calls)
    # Dropping the model keeps the base searchable by its words.
    dropped = await gateway.patch(f"/api/v1/knowledge/{by_meaning['id']}/", json={"embedding_model": None},
                                  headers=auth_header(owner))  # fmt: skip
    assert dropped.json()["embedding_model"] is None
    assert await found(by_meaning, "irrigation") == []
