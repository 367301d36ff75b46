"""Every operation of the gateway, by resource: the names are the SDK's (kept by hand: the
README, the CLI and programs use them); what each takes and answers, and its docstring, come
from the generated `_operations.py`. `sdk/python/tests/test_sdk.py` fails when the methods and
the gateway's operations drift. Hand-written methods (`operation`) stand for the operations
that need more than JSON in and out; they validate their bodies with the same models."""

from typing import Any
from urllib.parse import quote

from agent_client._core import Endpoint, operation, spec
from agent_client.models import ChatAnswer, Tool, ToolRun
from agent_client.models._generated import ToolList


class Resource:
    def __init__(self, client: Any) -> None:
        self._client = client


class Catalog(Resource):
    """Crops, varieties, growth stages and their rules (004)."""

    list_crops = Endpoint("GET", "/api/cultivos/")
    create_crop = Endpoint("POST", "/api/cultivos/")
    get_crop = Endpoint("GET", "/api/cultivos/{id}/")
    replace_crop = Endpoint("PUT", "/api/cultivos/{id}/")
    patch_crop = Endpoint("PATCH", "/api/cultivos/{id}/")
    delete_crop = Endpoint("DELETE", "/api/cultivos/{id}/")
    list_crop_varieties = Endpoint("GET", "/api/cultivos/{cultivo_id}/variedades/")
    create_crop_variety = Endpoint("POST", "/api/cultivos/{cultivo_id}/variedades/")
    list_varieties = Endpoint("GET", "/api/variedades/")
    create_variety = Endpoint("POST", "/api/variedades/")
    get_variety = Endpoint("GET", "/api/variedades/{id}/")
    replace_variety = Endpoint("PUT", "/api/variedades/{id}/")
    patch_variety = Endpoint("PATCH", "/api/variedades/{id}/")
    delete_variety = Endpoint("DELETE", "/api/variedades/{id}/")
    list_stages = Endpoint("GET", "/api/etapas/")
    create_stage = Endpoint("POST", "/api/etapas/")
    list_variety_stages = Endpoint("GET", "/api/variedades/{variedad_id}/etapas/")
    create_variety_stage = Endpoint("POST", "/api/variedades/{variedad_id}/etapas/")
    get_stage = Endpoint("GET", "/api/etapas/{id}/")
    replace_stage = Endpoint("PUT", "/api/etapas/{id}/")
    patch_stage = Endpoint("PATCH", "/api/etapas/{id}/")
    delete_stage = Endpoint("DELETE", "/api/etapas/{id}/")
    list_stage_rules = Endpoint("GET", "/api/etapas/{etapa_id}/reglas/")
    create_stage_rule = Endpoint("POST", "/api/etapas/{etapa_id}/reglas/")
    list_rules = Endpoint("GET", "/api/reglas/")
    create_rule = Endpoint("POST", "/api/reglas/")
    get_rule = Endpoint("GET", "/api/reglas/{id}/")
    replace_rule = Endpoint("PUT", "/api/reglas/{id}/")
    patch_rule = Endpoint("PATCH", "/api/reglas/{id}/")
    delete_rule = Endpoint("DELETE", "/api/reglas/{id}/")


class Plans(Resource):
    """Plans (004): the catalogue is public to read."""

    list_plans = Endpoint("GET", "/api/planes/")
    create_plan = Endpoint("POST", "/api/planes/")
    get_plan = Endpoint("GET", "/api/planes/{id}/")
    replace_plan = Endpoint("PUT", "/api/planes/{id}/")
    patch_plan = Endpoint("PATCH", "/api/planes/{id}/")
    delete_plan = Endpoint("DELETE", "/api/planes/{id}/")


class Fields(Resource):
    """Fields (parcelas) and their plan subscriptions (004)."""

    list_fields = Endpoint("GET", "/api/parcelas/")
    create_field = Endpoint("POST", "/api/parcelas/")
    get_field = Endpoint("GET", "/api/parcelas/{id}/")
    replace_field = Endpoint("PUT", "/api/parcelas/{id}/")
    patch_field = Endpoint("PATCH", "/api/parcelas/{id}/")
    delete_field = Endpoint("DELETE", "/api/parcelas/{id}/")
    list_subscriptions = Endpoint("GET", "/api/parcelas/{parcela_id}/planes/")
    change_plan = Endpoint("POST", "/api/parcelas/{parcela_id}/planes/crear/")
    get_subscription = Endpoint("GET", "/api/parcelas/planes/{id}/")
    update_subscription = Endpoint("PATCH", "/api/parcelas/planes/{id}/")
    replace_subscription = Endpoint("PUT", "/api/parcelas/planes/{id}/")
    delete_subscription = Endpoint("DELETE", "/api/parcelas/planes/{id}/")


class Nodes(Resource):
    """Master and secondary sensor nodes (004), and node ingest."""

    list_field_nodes = Endpoint("GET", "/api/parcelas/{parcela_id}/nodos/")
    get_field_node = Endpoint("GET", "/api/parcelas/{parcela_id}/nodos/{id}/")
    create_node = Endpoint("POST", "/api/parcelas/{parcela_id}/nodos/create/")
    list_nodes = Endpoint("GET", "/api/nodos/")
    get_node = Endpoint("GET", "/api/nodos/{id}/")
    delete_node = Endpoint("DELETE", "/api/nodos/{id}/delete/")
    rotate_node_token = Endpoint("POST", "/api/nodos/{id}/token/")
    revoke_node_token = Endpoint("DELETE", "/api/nodos/{id}/token/")
    list_node_secondaries = Endpoint("GET", "/api/nodos/{nodo_master_id}/secundarios/")
    create_secondary = Endpoint("POST", "/api/nodos/{nodo_master_id}/secundarios/create/")
    list_secondaries = Endpoint("GET", "/api/secundarios/")
    get_secondary = Endpoint("GET", "/api/secundarios/{id}/")
    delete_secondary = Endpoint("DELETE", "/api/secundarios/{id}/delete/")

    @operation("POST", "/api/nodes/ingest/")
    def ingest(self, node_token: str, **reading: Any) -> Any:
        """A master node's post (004): authenticated by the node's own token, not the user's."""
        headers = {"Authorization": f"Node {node_token}"}
        body = _body("POST", "/api/nodes/ingest/", "ingest", reading)
        ingest = spec("POST", "/api/nodes/ingest/")
        return self._client._send("POST", "/api/nodes/ingest/", json=body, headers=headers, anonymous=True,
                                  transform=ingest.parse)  # fmt: skip


class Tasks(Resource):
    """Tasks and AI recommendations of fields (004), with accept/reject."""

    list_field_tasks = Endpoint("GET", "/api/parcelas/{parcela_id}/tareas/")
    create_field_task = Endpoint("POST", "/api/parcelas/{parcela_id}/tareas/")
    list_tasks = Endpoint("GET", "/api/tareas/")
    create_task = Endpoint("POST", "/api/tareas/")
    get_task = Endpoint("GET", "/api/tareas/{id}/")
    replace_task = Endpoint("PUT", "/api/tareas/{id}/")
    patch_task = Endpoint("PATCH", "/api/tareas/{id}/")
    delete_task = Endpoint("DELETE", "/api/tareas/{id}/")
    accept_task = Endpoint("POST", "/api/tareas/{id}/accept/")
    reject_task = Endpoint("POST", "/api/tareas/{id}/reject/")
    list_field_recommendations = Endpoint("GET", "/api/parcelas/{parcela_id}/recomendaciones/")
    create_field_recommendation = Endpoint("POST", "/api/parcelas/{parcela_id}/recomendaciones/")
    list_recommendations = Endpoint("GET", "/api/recomendaciones/")
    get_recommendation = Endpoint("GET", "/api/recomendaciones/{id}/")
    replace_recommendation = Endpoint("PUT", "/api/recomendaciones/{id}/")
    patch_recommendation = Endpoint("PATCH", "/api/recomendaciones/{id}/")
    delete_recommendation = Endpoint("DELETE", "/api/recomendaciones/{id}/")


class Auth(Resource):
    """Accounts and every seed's login (001-004)."""

    jwks = Endpoint("GET", "/.well-known/jwks.json", public=True)
    create_user = Endpoint("POST", "/users/", public=True)
    oauth2_token = Endpoint("POST", "/token", public=True)
    agent_login = Endpoint("POST", "/api/auth/login", public=True)
    desk_login = Endpoint("POST", "/api/auth/login/", public=True)
    desk_logout = Endpoint("POST", "/api/auth/logout/")
    agro_login = Endpoint("POST", "/auth/login/", public=True)
    agro_token = Endpoint("POST", "/auth/token/", public=True)
    agro_logout = Endpoint("POST", "/auth/logout/")
    refresh = Endpoint("POST", "/auth/refresh/", public=True)
    refresh_api = Endpoint("POST", "/api/auth/refresh/", public=True)
    me = Endpoint("GET", "/auth/me/")


class Rbac(Resource):
    """Modules, roles and permissions (004)."""

    list_modules = Endpoint("GET", "/api/rbac/modulos/")
    get_module = Endpoint("GET", "/api/rbac/modulos/{id}/")
    list_roles = Endpoint("GET", "/api/rbac/roles/")
    get_role = Endpoint("GET", "/api/rbac/roles/{id}/")
    list_permissions = Endpoint("GET", "/api/rbac/permissions/")
    create_permission = Endpoint("POST", "/api/rbac/permissions/")
    get_permission = Endpoint("GET", "/api/rbac/permissions/{id}/")
    delete_permission = Endpoint("DELETE", "/api/rbac/permissions/{id}/")
    change_user_role = Endpoint("PATCH", "/api/rbac/users/{user_id}/role/")


class Profile(Resource):
    """The caller's profile (004)."""

    read_profile = Endpoint("GET", "/api/user/profile/")
    replace_profile = Endpoint("PUT", "/api/user/profile/")
    create_profile = Endpoint("POST", "/api/user/profile/")
    patch_profile = Endpoint("PATCH", "/api/user/profile/")


class Prospects(Resource):
    """Prospective farmers (004)."""

    list_prospects = Endpoint("GET", "/api/user/prospectos/")
    apply = Endpoint("POST", "/api/user/prospectos/")
    get_prospect = Endpoint("GET", "/api/user/prospectos/{id}/")
    accept = Endpoint("POST", "/api/user/prospectos/{id}/aceptar/")


class Tenants(Resource):
    """Workspaces (000)."""

    list_tenants = Endpoint("GET", "/api/v1/tenants/")
    create_tenant = Endpoint("POST", "/api/v1/tenants/")
    get_tenant = Endpoint("GET", "/api/v1/tenants/{tenant_id}/")
    update_tenant = Endpoint("PATCH", "/api/v1/tenants/{tenant_id}/")
    replace_tenant = Endpoint("PUT", "/api/v1/tenants/{tenant_id}/")
    deactivate_tenant = Endpoint("DELETE", "/api/v1/tenants/{tenant_id}/")


class Members(Resource):
    """The people of the caller's workspace and their roles."""

    list_members = Endpoint("GET", "/api/v1/members/")
    change_member_role = Endpoint("PATCH", "/api/v1/members/{user_id}/")
    remove_member = Endpoint("DELETE", "/api/v1/members/{user_id}/")


class Invitations(Resource):
    """Inviting people to the workspace, and accepting an invitation (no token needed)."""

    invite = Endpoint("POST", "/api/v1/invitations/")
    list_invitations = Endpoint("GET", "/api/v1/invitations/")
    revoke_invitation = Endpoint("DELETE", "/api/v1/invitations/{invitation_id}/")
    accept_invitation = Endpoint("POST", "/api/v1/invitations/accept/", public=True)
    preview_invitation = Endpoint("POST", "/api/v1/invitations/preview/", public=True)


class ApiKeys(Resource):
    """API keys for programs (`AgentClient(api_key="ak_...")`); the key is shown once."""

    create_api_key = Endpoint("POST", "/api/v1/api-keys/")
    list_api_keys = Endpoint("GET", "/api/v1/api-keys/")
    revoke_api_key = Endpoint("DELETE", "/api/v1/api-keys/{key_id}/")


class Bots(Resource):
    """Bots and their model toolboxes (001)."""

    list_bots = Endpoint("GET", "/bots/")
    create_bot = Endpoint("POST", "/bots/")
    get_bot = Endpoint("GET", "/bots/{bot_id}")
    update_bot = Endpoint("PUT", "/bots/{bot_id}")
    delete_bot = Endpoint("DELETE", "/bots/{bot_id}")
    add_model = Endpoint("POST", "/bots/{bot_id}/models/")
    remove_model = Endpoint("DELETE", "/bots/{bot_id}/models/{model_id}")
    chat_with_bot = Endpoint("POST", "/chat/{bot_id}", query=("query",))


class Conversations(Resource):
    """Conversations (002)."""

    list_conversations = Endpoint("GET", "/api/conversations")
    create_conversation = Endpoint("POST", "/api/conversations")
    get_conversation = Endpoint("GET", "/api/conversations/{conversation_id}")
    rename_conversation = Endpoint("PATCH", "/api/conversations/{conversation_id}")
    delete_conversation = Endpoint("DELETE", "/api/conversations/{conversation_id}")
    confirm = Endpoint("POST", "/api/conversations/{conversation_id}/confirm")
    resume = Endpoint("GET", "/api/conversations/{conversation_id}/stream")


class Chat(Resource):
    """Chat (002): one answer, or a stream of typed events."""

    @operation("POST", "/api/chat")
    def send(
        self, message: str, *, conversation_id: str | None = None, bot_id: int | None = None, model: str | None = None
    ) -> Any:
        """One answer (`ChatAnswer`), stored in the conversation (a new one without `conversation_id`)."""
        body = {"message": message, "conversation_id": conversation_id, "bot_id": bot_id, "model": model}
        return self._client._send("POST", "/api/chat", json=_body("POST", "/api/chat", "send", body),
                                  transform=ChatAnswer.model_validate)  # fmt: skip

    def stream(
        self, message: str, *, conversation_id: str | None = None, bot_id: int | None = None, model: str | None = None
    ) -> Any:
        """The answer as it is produced: an iterator (async iterator) of `ChatEvent`."""
        body = {
            "message": message,
            "conversation_id": conversation_id,
            "bot_id": bot_id,
            "model": model,
            "stream": True,
        }
        return self._client._stream("POST", "/api/chat", json=_body("POST", "/api/chat", "stream", body))

    def resume(self, conversation_id: str, last_event_id: str | None = None) -> Any:
        """The rest of a streamed answer after `last_event_id` (any replica, while it is kept)."""
        headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
        return self._client._stream("GET", f"/api/conversations/{conversation_id}/stream", headers=headers)


class Agents(Resource):
    """AI agents (000): bots with tools and knowledge bases."""

    @operation("POST", "/api/v1/agents/{agent_id}/chat/")
    def chat_with_agent(
        self, agent_id: int, message: str, *, conversation_id: str | None = None, stream: bool = False
    ) -> Any:
        """Like `chat.send` (a `ChatAnswer`, with the `citations` of the knowledge it used), or
        with `stream=True` like `chat.stream` (an iterator, async iterator, of `ChatEvent`)."""
        path = f"/api/v1/agents/{quote(str(agent_id), safe='')}/chat/"
        fields = {"message": message, "conversation_id": conversation_id, "stream": stream or None}
        body = _body("POST", "/api/v1/agents/{agent_id}/chat/", "chat_with_agent", fields)
        if stream:
            return self._client._stream("POST", path, json=body)
        return self._client._send("POST", path, json=body, transform=ChatAnswer.model_validate)

    list_agents = Endpoint("GET", "/api/v1/agents/")
    create_agent = Endpoint("POST", "/api/v1/agents/")
    get_agent = Endpoint("GET", "/api/v1/agents/{agent_id}/")
    replace_agent = Endpoint("PUT", "/api/v1/agents/{agent_id}/")
    update_agent = Endpoint("PATCH", "/api/v1/agents/{agent_id}/")
    delete_agent = Endpoint("DELETE", "/api/v1/agents/{agent_id}/")


class Ai(Resource):
    """AI chat, provider integrations, usage and budget (004)."""

    ai_chat = Endpoint("POST", "/api/ai/chat/")
    list_integrations = Endpoint("GET", "/api/ai/config/")
    create_integration = Endpoint("POST", "/api/ai/config/")
    get_integration = Endpoint("GET", "/api/ai/config/{id}/")
    replace_integration = Endpoint("PUT", "/api/ai/config/{id}/")
    update_integration = Endpoint("PATCH", "/api/ai/config/{id}/")
    delete_integration = Endpoint("DELETE", "/api/ai/config/{id}/")
    get_usage = Endpoint("GET", "/api/ai/usage/")
    set_budget = Endpoint("PUT", "/api/ai/budget/")


class Tools(Resource):
    """Tools (002)."""

    list_tools = Endpoint("GET", "/api/tools")

    @operation("POST", "/api/tools/execute")
    def execute(self, tool: str, **parameters: Any) -> Any:
        """Runs a tool as the caller: `client.tools.execute("latest_readings", parcela_id=1)` (`ToolRun`)."""
        body = _body("POST", "/api/tools/execute", "execute", {"tool": tool, "parameters": parameters})
        return self._client._send("POST", "/api/tools/execute", json=body, transform=ToolRun.model_validate)

    def list(self) -> Any:
        """The tools of the workspace, as `Tool` models (`list_tools` answers them in their `ToolList`)."""
        return self._client._send("GET", "/api/tools", transform=_tools)


class LearnedApis(Resource):
    """Learned APIs (002)."""

    list_apis = Endpoint("GET", "/api/learned-apis")
    learn_api = Endpoint("POST", "/api/learned-apis")
    get_api = Endpoint("GET", "/api/learned-apis/{api_id}")
    forget_api = Endpoint("DELETE", "/api/learned-apis/{api_id}")


class Knowledge(Resource):
    """Knowledge bases (000)."""

    list_bases = Endpoint("GET", "/api/v1/knowledge/")
    create_base = Endpoint("POST", "/api/v1/knowledge/")
    get_base = Endpoint("GET", "/api/v1/knowledge/{base_id}/")
    update_base = Endpoint("PATCH", "/api/v1/knowledge/{base_id}/")
    replace_base = Endpoint("PUT", "/api/v1/knowledge/{base_id}/")
    delete_base = Endpoint("DELETE", "/api/v1/knowledge/{base_id}/")
    search_base = Endpoint("GET", "/api/v1/knowledge/{base_id}/search/")


class Documents(Resource):
    """Documents of knowledge bases (000)."""

    list_documents = Endpoint("GET", "/api/v1/documents/")
    get_document = Endpoint("GET", "/api/v1/documents/{document_id}/")
    update_document = Endpoint("PATCH", "/api/v1/documents/{document_id}/")
    replace_document = Endpoint("PUT", "/api/v1/documents/{document_id}/")
    delete_document = Endpoint("DELETE", "/api/v1/documents/{document_id}/")

    @operation("POST", "/api/v1/documents/")
    def upload_document(
        self,
        knowledge_base: int,
        filename: str,
        content: bytes,
        *,
        title: str | None = None,
        content_type: str | None = None,
    ) -> Any:
        """Uploads a text, Markdown, HTML or PDF file to a knowledge base."""
        files = {"file": (filename, content, content_type or "application/octet-stream")}
        data = _given({"knowledge_base": str(knowledge_base), "title": title})
        return self._client._send("POST", "/api/v1/documents/", files=files, data=data)


class Config(Resource):
    """The workspace's agent configuration (002)."""

    get_config = Endpoint("GET", "/api/config")
    update_config = Endpoint("PUT", "/api/config")


class Brain(Resource):
    """Analytics: history, series, KPIs (004); a field's alerts, nodes and sensors."""

    history = Endpoint("GET", "/api/brain/history/")
    series = Endpoint("GET", "/api/brain/series/")
    kpis = Endpoint("GET", "/api/brain/kpis/")
    alerts = Endpoint("GET", "/api/brain/alertas/")
    acknowledge_alert = Endpoint("POST", "/api/brain/alertas/{id}/reconocer/")
    nodes = Endpoint("GET", "/api/brain/nodos/")
    sensors = Endpoint("GET", "/api/brain/sensores/")


_GUEST = {"guest_token": "X-Guest-Token"}


class Guests(Resource):
    """The support desk's guest side (003): no token; the room's operations take the
    `guest_token` complete_chat answers (`guest_token=`, sent as `X-Guest-Token`)."""

    start_chat = Endpoint("POST", "/api/chat/start_chat/", public=True)
    complete_chat = Endpoint("POST", "/api/chat/complete_chat/", public=True)
    validate_session = Endpoint("POST", "/api/chat/validate_session/", public=True)
    send_message = Endpoint("POST", "/api/chat/send_message/", public=True, headers=_GUEST)
    get_chat_status = Endpoint("GET", "/api/chat/get_chat_status/", public=True, headers=_GUEST)
    get_widget_settings = Endpoint("GET", "/api/chat/widget_settings/", public=True)
    send_guest_message = Endpoint("POST", "/api/messages/send_guest_message/", public=True, headers=_GUEST)
    guest_notifications = Endpoint("GET", "/api/user-notifications/get_notifications/", public=True, headers=_GUEST)
    guest_mark_read = Endpoint("POST", "/api/user-notifications/mark_read/", public=True, headers=_GUEST)


class Rooms(Resource):
    """The support desk's chat rooms (003)."""

    filtered_chats = Endpoint("GET", "/api/chat-rooms/filtered_chats/")
    waiting_chats = Endpoint("GET", "/api/chat-rooms/waiting_chats/")
    my_chats = Endpoint("GET", "/api/chat-rooms/my_chats/")
    all_chats = Endpoint("GET", "/api/chat-rooms/all_chats/")
    get_room = Endpoint("GET", "/api/chat-rooms/{id}/")
    room_messages = Endpoint("GET", "/api/chat-rooms/{id}/messages/")
    send_message = Endpoint("POST", "/api/chat-rooms/{id}/send_message/")
    take_chat = Endpoint("POST", "/api/chat-rooms/{id}/take_chat/")
    resolve = Endpoint("POST", "/api/chat-rooms/{id}/resolve/")
    close = Endpoint("POST", "/api/chat-rooms/{id}/close/")
    assign_agent = Endpoint("POST", "/api/chat-rooms/{id}/assign_agent/")
    transfer_chat = Endpoint("POST", "/api/chat-rooms/{id}/transfer_chat/")
    unassign_agent = Endpoint("POST", "/api/chat-rooms/{id}/unassign_agent/")
    signal_typing = Endpoint("POST", "/api/chat-rooms/{id}/typing/")


class Messages(Resource):
    """The support desk's messages and read state (003)."""

    send = Endpoint("POST", "/api/messages/")
    mark_bulk_read = Endpoint("POST", "/api/messages/mark_bulk_read/")
    mark_chat_read = Endpoint("POST", "/api/messages/mark_chat_read/")
    unread_count = Endpoint("GET", "/api/messages/unread_count/")
    by_chat = Endpoint("GET", "/api/messages/by_chat/")
    recent_chats = Endpoint("GET", "/api/messages/recent_chats/")
    mark_read = Endpoint("POST", "/api/messages/{id}/mark_read/")


class Notifications(Resource):
    """The support desk's agent notifications (003)."""

    list_notifications = Endpoint("GET", "/api/notifications/")
    mark_read = Endpoint("POST", "/api/notifications/mark_read/")
    mark_all_read = Endpoint("POST", "/api/notifications/mark_all_read/")
    unread_count = Endpoint("GET", "/api/notifications/unread_count/")


class DeskAgents(Resource):
    """The support desk's agents (003)."""

    list_agents = Endpoint("GET", "/api/agents/")
    me = Endpoint("GET", "/api/agents/me/")
    update_me = Endpoint("PATCH", "/api/agents/me/")
    get_auto_assignment = Endpoint("GET", "/api/agents/auto_assignment/")
    set_auto_assignment = Endpoint("PUT", "/api/agents/auto_assignment/")


class Chats(Resource):
    """Support chats (000)."""

    list_chats = Endpoint("GET", "/api/v1/chats/")
    create_chat = Endpoint("POST", "/api/v1/chats/")
    get_chat = Endpoint("GET", "/api/v1/chats/{chat_id}/")
    update_chat = Endpoint("PATCH", "/api/v1/chats/{chat_id}/")
    replace_chat = Endpoint("PUT", "/api/v1/chats/{chat_id}/")
    delete_chat = Endpoint("DELETE", "/api/v1/chats/{chat_id}/")


class Webhooks(Resource):
    """Webhooks (002)."""

    list_webhooks = Endpoint("GET", "/api/webhooks")
    create_webhook = Endpoint("POST", "/api/webhooks")
    subscribable_events = Endpoint("GET", "/api/webhooks/events")
    get_webhook = Endpoint("GET", "/api/webhooks/{webhook_id}")
    replace_webhook = Endpoint("PUT", "/api/webhooks/{webhook_id}")
    update_webhook = Endpoint("PATCH", "/api/webhooks/{webhook_id}")
    delete_webhook = Endpoint("DELETE", "/api/webhooks/{webhook_id}")
    list_deliveries = Endpoint("GET", "/api/webhooks/{webhook_id}/deliveries")
    send_test_event = Endpoint("POST", "/api/webhooks/{webhook_id}/test")


class Metrics(Resource):
    """Platform metrics (002)."""

    get_metrics = Endpoint("GET", "/api/metrics")


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _body(method: str, path: str, caller: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields given, validated by the operation's body model (a TypeError names a wrong one)."""
    _, body = spec(method, path).split(caller, _given(fields))
    return body or {}


def _tools(body: Any) -> list[Tool]:
    return ToolList.model_validate(body).tools


class Platform(Resource):
    """The gateway's own pages: no token needed."""

    welcome = Endpoint("GET", "/", public=True)
    health = Endpoint("GET", "/healthz", public=True)
    openapi_document = Endpoint("GET", "/api/schema/", public=True)
    asyncapi_document = Endpoint("GET", "/api/asyncapi/", public=True)


class Desk(Resource):
    """The support desk's workspace settings and a guest's erasure (administrators)."""

    get_retention = Endpoint("GET", "/api/chat/retention/")
    set_retention = Endpoint("PUT", "/api/chat/retention/")
    erase_guest = Endpoint("POST", "/api/chat/guests/erase/")


class Events(Resource):
    """Each consuming service's dead letters, for platform admins: list, replay, discard."""

    list_agro_dead_letters = Endpoint("GET", "/api/v1/events/agro/dead-letters/")
    replay_agro_dead_letter = Endpoint("POST", "/api/v1/events/agro/dead-letters/{letter_id}/replay/")
    discard_agro_dead_letter = Endpoint("DELETE", "/api/v1/events/agro/dead-letters/{letter_id}/")
    list_auth_dead_letters = Endpoint("GET", "/api/v1/events/auth/dead-letters/")
    replay_auth_dead_letter = Endpoint("POST", "/api/v1/events/auth/dead-letters/{letter_id}/replay/")
    discard_auth_dead_letter = Endpoint("DELETE", "/api/v1/events/auth/dead-letters/{letter_id}/")
    list_brain_dead_letters = Endpoint("GET", "/api/v1/events/brain/dead-letters/")
    replay_brain_dead_letter = Endpoint("POST", "/api/v1/events/brain/dead-letters/{letter_id}/replay/")
    discard_brain_dead_letter = Endpoint("DELETE", "/api/v1/events/brain/dead-letters/{letter_id}/")
    list_chat_dead_letters = Endpoint("GET", "/api/v1/events/chat/dead-letters/")
    replay_chat_dead_letter = Endpoint("POST", "/api/v1/events/chat/dead-letters/{letter_id}/replay/")
    discard_chat_dead_letter = Endpoint("DELETE", "/api/v1/events/chat/dead-letters/{letter_id}/")
    list_ingest_dead_letters = Endpoint("GET", "/api/v1/events/ingest/dead-letters/")
    replay_ingest_dead_letter = Endpoint("POST", "/api/v1/events/ingest/dead-letters/{letter_id}/replay/")
    discard_ingest_dead_letter = Endpoint("DELETE", "/api/v1/events/ingest/dead-letters/{letter_id}/")
    list_webhooks_dead_letters = Endpoint("GET", "/api/v1/events/webhooks/dead-letters/")
    replay_webhooks_dead_letter = Endpoint("POST", "/api/v1/events/webhooks/dead-letters/{letter_id}/replay/")
    discard_webhooks_dead_letter = Endpoint("DELETE", "/api/v1/events/webhooks/dead-letters/{letter_id}/")


RESOURCES: dict[str, type[Resource]] = {
    "catalog": Catalog,
    "plans": Plans,
    "fields": Fields,
    "nodes": Nodes,
    "tasks": Tasks,
    "auth": Auth,
    "rbac": Rbac,
    "profile": Profile,
    "prospects": Prospects,
    "tenants": Tenants,
    "members": Members,
    "invitations": Invitations,
    "api_keys": ApiKeys,
    "bots": Bots,
    "conversations": Conversations,
    "chat": Chat,
    "agents": Agents,
    "ai": Ai,
    "tools": Tools,
    "learned_apis": LearnedApis,
    "knowledge": Knowledge,
    "documents": Documents,
    "config": Config,
    "brain": Brain,
    "guests": Guests,
    "rooms": Rooms,
    "messages": Messages,
    "notifications": Notifications,
    "desk_agents": DeskAgents,
    "chats": Chats,
    "webhooks": Webhooks,
    "metrics": Metrics,
    "desk": Desk,
    "events": Events,
    "platform": Platform,
}
