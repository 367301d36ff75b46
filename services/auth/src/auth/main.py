from datetime import timedelta

from fastapi import FastAPI

from auth import events
from auth.account.endpoints import router as account_router
from auth.apikey.endpoints import internal as apikey_internal_router
from auth.apikey.endpoints import router as apikey_router
from auth.config import settings
from auth.desk.handlers import on_agent_updated
from auth.invitation.endpoints import router as invitation_router
from auth.keys.endpoints import router as keys_router
from auth.keys.service import published_jwks
from auth.member.endpoints import rbac_users as member_role_router
from auth.member.endpoints import router as member_router
from auth.models import SCHEMA, inbox_table, outbox_table
from auth.profile.endpoints import router as profile_router
from auth.prospect.endpoints import router as prospect_router
from auth.rbac.endpoints import router as rbac_router
from auth.session import service as sessions
from auth.session.endpoints import router as session_router
from auth.tenant.endpoints import router as tenant_router
from shared.service import ConsumerSpec, create_service_app


async def start(app: FastAPI) -> None:
    """auth verifies its own tokens from its table, not over HTTP to itself; login failures
    are counted in NATS, shared with the other auth replicas."""
    async with app.state.sessionmaker() as session:
        jwks = await published_jwks(session, token_lifetime=timedelta(seconds=settings.access_token_seconds))
    app.state.verifier.install_keys(jwks)
    await sessions.throttle.attach(app.state.nats)


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="auth",
        version="0.1.0",
        schema=SCHEMA,
        routers=[
            keys_router,
            account_router,
            session_router,
            rbac_router,
            member_role_router,
            profile_router,
            prospect_router,
            tenant_router,
            member_router,
            invitation_router,
            apikey_router,
            apikey_internal_router,
        ],
        messaging=(outbox_table, inbox_table),
        consumers=[ConsumerSpec(durable="auth-desk-agents", event=events.AgentUpdated, handler=on_agent_updated)],
        events=events.PUBLISHED,
        on_startup=start,
    )


app = create_app()
