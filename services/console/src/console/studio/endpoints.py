"""The bot studio (000, 001, 002): agents and bots with their models, tools and knowledge bases;
the playground (an answer streamed through the console's relay, resumed by event id, with
tool confirmations and citations linked to their passage); knowledge bases with uploads and
search; the month's usage and budget. The studio needs `bots:ver`, its knowledge pages
`ia:ver`, asking `ia:crear`; the API checks every call again, and each of its refusals is shown
in the page in its own words."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from console.access import ConsoleUser, require
from console.errors import ApiError
from console.gateway import GatewayDep
from console.live import live_response
from console.studio import service
from console.templating import render
from shared.validation import Id

router = APIRouter(prefix="/console/studio", include_in_schema=False)

# The studio lists the workspace's agents (bots:ver); its knowledge pages need ia:ver.
Reader = Annotated[ConsoleUser, Depends(require("bots:ver"))]
KnowledgeReader = Annotated[ConsoleUser, Depends(require("ia:ver"))]
Chatter = Annotated[ConsoleUser, Depends(require("ia:crear"))]
ConversationId = Annotated[str, Path(pattern=r"^conv_\d{1,18}$")]
LANGUAGES = {
    "spanish": "Español", "english": "Inglés", "portuguese": "Portugués", "french": "Francés",
    "italian": "Italiano", "german": "Alemán", "catalan": "Catalán", "dutch": "Neerlandés",
    "simple": "Sin idioma (palabras exactas)",
}  # fmt: skip
# Uploads the console reads into memory before handing them to the API (which refuses above its own limit).
MAX_UPLOAD = 11 * 1024 * 1024


def agent_form(
    name: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=5000)] = "",
    instructions: Annotated[str, Form(max_length=20000)] = "",
    model: Annotated[str, Form(max_length=200)] = "",
    tools_mode: Annotated[str, Form(pattern="^(todas|elegidas)$")] = "elegidas",
    tools: Annotated[list[str] | None, Form()] = None,
    knowledge_bases: Annotated[list[int] | None, Form()] = None,
) -> dict[str, Any]:
    """An agent's form (creating or changing one); "todas" leaves its tools unset: every tool."""
    return {
        "name": name.strip(), "description": description.strip(), "instructions": instructions.strip(),
        "model": model.strip(), "tools": None if tools_mode == "todas" else (tools or []),
        "knowledge_bases": knowledge_bases or [],
    }  # fmt: skip


AgentForm = Annotated[dict[str, Any], Depends(agent_form)]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _studio_page(
    request: Request,
    user: ConsoleUser,
    gw: GatewayDep,
    *,
    error: str = "",
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    studio = await service.studio(gw, sees_usage=user.can("ia:actualizar"))
    context = {
        "studio": studio,
        "error": error,
        "form": form or {},
        "budget_saved": "presupuesto" in request.query_params,
    }
    return render(request, "studio/index.html", context, status=status)


@router.get("/", summary="Estudio de bots")
async def studio_page(request: Request, user: Reader, gw: GatewayDep) -> Response:
    """Agentes y bots con sus modelos, herramientas y bases; el consumo del mes y su presupuesto."""
    return await _studio_page(request, user, gw)


@router.post("/agentes/", summary="Crear un agente")
async def create_agent(
    request: Request,
    user: Reader,
    gw: GatewayDep,
    form: AgentForm,
) -> Response:
    """Crea un agente con la API (`POST /api/v1/agents/`) y abre su playground."""
    try:
        created = await service.create_agent(gw, form)
    except ApiError as exc:
        return await _studio_page(request, user, gw, error=exc.message, status=exc.status, form=form)
    return _see_other(f"/console/studio/agentes/{created['id']}/")


@router.post("/bots/{bot_id}/modelos", summary="Añadir un modelo a un bot")
async def add_bot_model(
    request: Request,
    bot_id: Id,
    user: Reader,
    gw: GatewayDep,
    provider: Annotated[str, Form(max_length=40)],
    model_id: Annotated[str, Form(max_length=200)],
    task_type: Annotated[str, Form(max_length=20)] = "complex",
) -> Response:
    """Añade un modelo a la caja de un bot (001: `POST /bots/{id}/models/`)."""
    try:
        await service.add_bot_model(gw, bot_id, provider=provider, model_id=model_id.strip(), task_type=task_type)
    except ApiError as exc:
        return await _studio_page(request, user, gw, error=exc.message, status=exc.status)
    return _see_other("/console/studio/#bots")


@router.post("/presupuesto", summary="Fijar el presupuesto de tokens")
async def set_budget(
    request: Request, user: Reader, gw: GatewayDep, monthly_tokens: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """Fija el presupuesto mensual de tokens del espacio (vacío: sin límite)."""
    text = monthly_tokens.strip().replace(".", "").replace(" ", "")
    if text and not text.isdigit():
        return await _studio_page(
            request, user, gw, error="El presupuesto debe ser un número entero de tokens.", status=400
        )
    try:
        await service.set_budget(gw, int(text) if text else None)
    except ApiError as exc:
        return await _studio_page(request, user, gw, error=exc.message, status=exc.status)
    return _see_other("/console/studio/?presupuesto=1#consumo")


# -- the playground --------------------------------------------------------------------------


async def _playground_page(
    request: Request,
    user: ConsoleUser,
    gw: GatewayDep,
    agent_id: int,
    *,
    conversation_id: str | None = None,
    error: str = "",
    status: int = 200,
    saved: bool = False,
) -> Response:
    page = await service.playground(gw, agent_id, conversation_id, sees_knowledge=user.can("ia:ver"))
    context = {
        "agent": page.agent,
        "conversation": page.conversation,
        "conversations": page.conversations,
        "bases": page.bases,
        "base_names": {b["id"]: b["name"] for b in page.bases},
        "tools": page.tools,
        "can_chat": user.can("ia:crear"),
        "can_change": user.can("bots:actualizar"),
        "passage_href": service.passage_href,
        "error": error,
        "saved": saved,
    }
    return render(request, "studio/playground.html", context, status=status)


@router.get("/agentes/{agent_id}/", summary="Playground de un agente")
async def playground(
    request: Request,
    agent_id: Id,
    user: Reader,
    gw: GatewayDep,
    conversacion: Annotated[str | None, Query(pattern=r"^conv_\d{1,18}$")] = None,
    guardado: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """Un agente y su playground: preguntas y respuestas en vivo, sus conversaciones recientes y
    la elegida (`?conversacion=`), y sus ajustes."""
    return await _playground_page(request, user, gw, agent_id, conversation_id=conversacion, saved=bool(guardado))


@router.post("/agentes/{agent_id}/", summary="Cambiar un agente")
async def update_agent(
    request: Request,
    agent_id: Id,
    user: Reader,
    gw: GatewayDep,
    form: AgentForm,
) -> Response:
    """Cambia el modelo, las instrucciones, las herramientas o las bases de un agente
    (`PATCH /api/v1/agents/{id}/`)."""
    try:
        await service.update_agent(gw, agent_id, form)
    except ApiError as exc:
        return await _playground_page(request, user, gw, agent_id, error=exc.message, status=exc.status)
    return _see_other(f"/console/studio/agentes/{agent_id}/?guardado=1")


def _started(started: service.Started) -> JSONResponse:
    stream = f"/console/studio/conversaciones/{started.conversation_id}/flujo?desde={started.after}"
    return JSONResponse({"conversation_id": started.conversation_id, "stream_url": stream})


def _refused(exc: ApiError) -> JSONResponse:
    return JSONResponse({"message": exc.message}, status_code=exc.status)


@router.post("/agentes/{agent_id}/preguntar", summary="Preguntar a un agente")
async def ask(
    request: Request,
    agent_id: Id,
    user: Chatter,
    gw: GatewayDep,
    message: Annotated[str, Form(min_length=1, max_length=20000)],
    conversation_id: Annotated[str, Form(pattern=r"^(conv_\d{1,18})?$")] = "",
) -> Response:
    """Empieza la respuesta del agente (`POST /api/v1/agents/{id}/chat/`, en streaming) y dice
    dónde seguirla: el relay de la consola, desde su primer evento. Sin JavaScript (un
    formulario sin `Accept: application/json`), lleva a la conversación guardada."""
    scripted = "application/json" in request.headers.get("accept", "")
    try:
        started = await service.ask(gw, agent_id, message, conversation_id or None)
    except ApiError as exc:
        if not scripted:
            raise
        return _refused(exc)
    if not scripted:
        return _see_other(f"/console/studio/agentes/{agent_id}/?conversacion={started.conversation_id}")
    return _started(started)


@router.post("/conversaciones/{conversation_id}/confirmar", summary="Confirmar herramientas")
async def confirm(
    request: Request,
    conversation_id: ConversationId,
    user: Chatter,
    gw: GatewayDep,
    approve: Annotated[str, Form(pattern="^(si|no)$")],
    agente: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Aprueba o rechaza las herramientas que la respuesta espera (`POST .../confirm`); la
    respuesta sigue y se sigue por el relay. Sin JavaScript, lleva a la conversación guardada
    del agente `?agente=`."""
    scripted = "application/json" in request.headers.get("accept", "")
    try:
        started = await service.confirm(gw, conversation_id, approve=approve == "si")
    except ApiError as exc:
        if not scripted:
            raise
        return _refused(exc)
    if not scripted and agente is not None:
        return _see_other(f"/console/studio/agentes/{agente}/?conversacion={conversation_id}")
    return _started(started)


@router.get("/conversaciones/{conversation_id}/flujo", summary="Relay de una respuesta")
async def follow(
    conversation_id: ConversationId,
    user: Chatter,
    gw: GatewayDep,
    desde: Annotated[str, Query(max_length=200)] = "",
    last_event_id: Annotated[str | None, Header(max_length=200)] = None,
) -> StreamingResponse:
    """Los eventos de la respuesta (`GET /api/conversations/{id}/stream`) como Server-Sent Events
    con los ids de la API: el navegador la retoma con `Last-Event-ID` si se corta."""
    return await live_response(service.relay(gw, conversation_id, last_event_id or desde))


# -- knowledge -------------------------------------------------------------------------------


async def _knowledge_page(
    request: Request, gw: GatewayDep, *, error: str = "", status: int = 200, form: dict[str, Any] | None = None
) -> Response:
    bases = await service.bases(gw)
    context = {"bases": bases, "languages": LANGUAGES, "error": error, "form": form or {}}
    return render(request, "studio/knowledge.html", context, status=status)


@router.get("/conocimiento/", summary="Bases de conocimiento")
async def knowledge_page(request: Request, user: KnowledgeReader, gw: GatewayDep) -> Response:
    """Las bases de conocimiento del espacio y el formulario para crear una."""
    return await _knowledge_page(request, gw)


@router.post("/conocimiento/", summary="Crear una base de conocimiento")
async def create_base(
    request: Request,
    user: KnowledgeReader,
    gw: GatewayDep,
    name: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=5000)] = "",
    language: Annotated[str, Form(max_length=20)] = "spanish",
) -> Response:
    """Crea una base (`POST /api/v1/knowledge/`) y abre su página."""
    form = {"name": name.strip(), "description": description.strip(), "language": language}
    try:
        created = await service.create_base(gw, name=form["name"], description=form["description"], language=language)
    except ApiError as exc:
        return await _knowledge_page(request, gw, error=exc.message, status=exc.status, form=form)
    return _see_other(f"/console/studio/conocimiento/{created['id']}/")


async def _base_page(
    request: Request, gw: GatewayDep, base_id: int, *, query: str = "", error: str = "", status: int = 200
) -> Response:
    base = await service.base(gw, base_id)
    documents = await service.documents(gw, base_id)
    hits = await service.search(gw, base_id, query) if query else None
    uploaded = request.query_params.get("subido", "")
    context = {"base": base, "documents": documents, "query": query, "hits": hits, "error": error,
               "uploaded": uploaded}  # fmt: skip
    return render(request, "studio/kb.html", context, status=status)


@router.get("/conocimiento/{base_id}/", summary="Una base de conocimiento")
async def base_page(
    request: Request,
    base_id: Id,
    user: KnowledgeReader,
    gw: GatewayDep,
    q: Annotated[str, Query(max_length=1000)] = "",
) -> Response:
    """Los documentos de una base, subir uno, y buscar en ella (`?q=`): cada resultado enlaza
    a su pasaje en el documento."""
    try:
        return await _base_page(request, gw, base_id, query=q.strip())
    except ApiError as exc:
        if exc.status == 404:
            raise
        return await _base_page(request, gw, base_id, error=exc.message, status=exc.status)


@router.post("/conocimiento/{base_id}/documentos", summary="Subir un documento")
async def upload(
    request: Request,
    base_id: Id,
    user: KnowledgeReader,
    gw: GatewayDep,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Sube un documento a la base (`POST /api/v1/documents/`); la API lo corta y lo indexa."""
    data = await file.read(MAX_UPLOAD + 1)
    try:
        document = await service.upload(
            gw, base_id, filename=file.filename or "documento", data=data,
            content_type=file.content_type or "application/octet-stream", title=title.strip(),
        )  # fmt: skip
    except ApiError as exc:
        return await _base_page(request, gw, base_id, error=exc.message, status=exc.status)
    return _see_other(f"/console/studio/conocimiento/{base_id}/?subido={document['id']}")


@router.get("/documentos/{document_id}/", summary="Un pasaje de un documento")
async def passage(
    request: Request,
    document_id: Id,
    user: KnowledgeReader,
    gw: GatewayDep,
    inicio: Annotated[int | None, Query(ge=0)] = None,
    fin: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """El texto de un documento con el pasaje citado (`inicio`-`fin`, en caracteres) marcado y
    a la vista (`#pasaje`)."""
    found = await service.passage(gw, document_id, inicio, fin)
    return render(request, "studio/passage.html", {"passage": found})
