"""Invitations: an administrator invites a person by email with a role; the person accepts with
the token (mailed by the workspace's own systems from `auth.invitation.created`) and is a member.

Tokens are single use, expire, can be withdrawn, and only their digest is stored.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from auth import events, opaque
from auth.account import repository as accounts
from auth.account import service as registration
from auth.config import settings
from auth.errors import AccountExists, AlreadyMember, EmailInOtherWorkspace, InvitationUnusable
from auth.invitation import repository
from auth.invitation.schemas import InvitationAcceptanceCreate, InvitationCreate, InvitationRead, InvitationStatus
from auth.member import service as members
from auth.models import Invitation, Profile, Tenant, User
from auth.profile import service as profiles
from auth.session import service as sessions
from auth.session.service import SignedIn
from shared.errors import NotFound
from shared.pagination import PageParams
from shared.repository import fetch_page
from shared.security import Principal


def status_of(invitation: Invitation, now: datetime) -> InvitationStatus:
    if invitation.accepted_at is not None:
        return "aceptada"
    if invitation.revoked_at is not None:
        return "revocada"
    return "expirada" if invitation.expires_at <= now else "pendiente"


def read(invitation: Invitation, now: datetime | None = None) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        role=invitation.role,
        status=status_of(invitation, now or datetime.now(UTC)),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        revoked_at=invitation.revoked_at,
    )


async def invite(session: AsyncSession, principal: Principal, body: InvitationCreate) -> tuple[Invitation, str]:
    """The invitation and its accept token (shown once; the event carries it for mailing)."""
    email = str(body.email)
    existing = await accounts.by_login(session, email)
    if existing is not None:
        if existing.tenant_id != principal.tenant_id:
            raise EmailInOtherWorkspace(fields={"email": [EmailInOtherWorkspace.message]})
        # A removed member of this workspace may be invited back (`accept` restores them).
        if existing.removed_at is None:
            raise AlreadyMember(fields={"email": [AlreadyMember.message]})
    await members.check_assignable(session, principal, body.role)
    now = datetime.now(UTC)
    await repository.revoke_pending(session, principal.tenant_id, email, now=now)
    token = opaque.new_secret()
    invitation = await repository.add(
        session,
        Invitation(
            tenant_id=principal.tenant_id,
            email=email,
            role=body.role,
            token_hash=opaque.digest(token),
            invited_by=principal.user_id,
            expires_at=now + timedelta(seconds=settings.invitation_seconds),
        ),
    )
    await session.refresh(invitation, ["created_at"])
    await events.outbox.emit(
        session,
        events.InvitationCreated(
            invitation_id=invitation.id,
            email=email,
            role=invitation.role,
            expires_at=invitation.expires_at.timestamp(),
            accept_token=token,
        ),
        tenant_id=principal.tenant_id,
    )
    return invitation, token


async def page(session: AsyncSession, tenant_id: int, params: PageParams) -> tuple[int, list[InvitationRead]]:
    count, rows = await fetch_page(session, repository.of_tenant(tenant_id), params)
    now = datetime.now(UTC)
    return count, [read(row, now) for row in rows]


async def revoke(session: AsyncSession, principal: Principal, invitation_id: int) -> None:
    """Withdraw a pending invitation of the caller's workspace (another workspace's is a 404)."""
    invitation = await repository.get(session, invitation_id)
    if invitation is None or invitation.tenant_id != principal.tenant_id:
        raise NotFound()
    if invitation.accepted_at is not None:
        raise InvitationUnusable("La invitación ya fue aceptada.")
    if invitation.revoked_at is None:
        invitation.revoked_at = datetime.now(UTC)


async def preview(session: AsyncSession, token: str) -> tuple[Invitation, Tenant]:
    """The pending invitation a token names and its workspace; refused as `accept` would refuse it."""
    now = datetime.now(UTC)
    invitation = await repository.by_digest(session, opaque.digest(token))
    if invitation is None or status_of(invitation, now) != "pendiente":
        raise _why_unusable(invitation, now)
    tenant = await session.get(Tenant, invitation.tenant_id)
    if tenant is None or not tenant.is_active:
        raise InvitationUnusable()
    return invitation, tenant


async def accept(session: AsyncSession, body: InvitationAcceptanceCreate) -> SignedIn:
    """Make the invited person a member with the invited role, and sign them in."""
    now = datetime.now(UTC)
    token_hash = opaque.digest(body.token)
    invitation = await repository.claim(session, token_hash, now=now)
    if invitation is None:
        raise _why_unusable(await repository.by_digest(session, token_hash), now)
    tenant = await session.get(Tenant, invitation.tenant_id)
    if tenant is None or not tenant.is_active:
        raise InvitationUnusable()
    name = profiles.display_name(body.nombres, body.apellidos)
    former = await _removed_member(session, invitation)
    try:
        if former is not None:
            user = await registration.restore_member(
                session, former, username=body.username, password=body.password, role=invitation.role
            )
        else:
            user = await registration.add_member(
                session,
                tenant_id=invitation.tenant_id,
                username=body.username,
                email=invitation.email,
                password=body.password,
                role=invitation.role,
                display_name=name,
            )
    except AccountExists as exc:
        raise AccountExists(fields={"username": [AccountExists.message]}) from exc
    invitation.accepted_user_id = user.id
    if name is not None:
        user.first_name, user.last_name = body.nombres.strip(), body.apellidos.strip()
        profile = await profiles.get(session, user.id)
        if profile is None:
            session.add(Profile(user_id=user.id, nombres=body.nombres.strip(), apellidos=body.apellidos.strip()))
        else:
            profile.nombres, profile.apellidos = body.nombres.strip(), body.apellidos.strip()
        await session.flush()
        await profiles.announce_names(session, user.id, name)
    return await sessions.sign_in(session, user, tenant)


async def _removed_member(session: AsyncSession, invitation: Invitation) -> User | None:
    """The removed member of the invitation's workspace its email names, locked: they come back.
    Anyone else with that email (another workspace's, removed or not) is left to `add_member`,
    which refuses a taken email."""
    existing = await accounts.by_login(session, invitation.email)
    if existing is None or existing.tenant_id != invitation.tenant_id or existing.removed_at is None:
        return None
    locked = await accounts.get_for_update(session, existing.id)
    return locked if locked is not None and locked.removed_at is not None else None


def _why_unusable(invitation: Invitation | None, now: datetime) -> InvitationUnusable:
    if invitation is None:
        return InvitationUnusable()
    messages: dict[InvitationStatus, str] = {
        "aceptada": "La invitación ya fue usada.",
        "revocada": "La invitación fue revocada.",
        "expirada": "La invitación ha expirado.",
        "pendiente": "La invitación no es válida.",
    }
    return InvitationUnusable(messages[status_of(invitation, now)])
