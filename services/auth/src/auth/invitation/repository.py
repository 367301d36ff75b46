from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import Invitation


async def add(session: AsyncSession, invitation: Invitation) -> Invitation:
    session.add(invitation)
    await session.flush()
    return invitation


def of_tenant(tenant_id: int) -> Select[Invitation]:
    return select(Invitation).where(Invitation.tenant_id == tenant_id).order_by(Invitation.id.desc())


async def get(session: AsyncSession, invitation_id: int) -> Invitation | None:
    return await session.get(Invitation, invitation_id)


async def by_digest(session: AsyncSession, token_hash: str) -> Invitation | None:
    return await session.scalar(select(Invitation).where(Invitation.token_hash == token_hash))


async def claim(session: AsyncSession, token_hash: str, *, now: datetime) -> Invitation | None:
    """Mark a pending, unexpired invitation accepted, in one statement: two concurrent accepts
    of one token cannot both succeed. The invitation, or None if it was not pending."""
    return await session.scalar(
        update(Invitation)
        .where(
            Invitation.token_hash == token_hash,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now)
        .returning(Invitation)
    )


async def revoke_pending(session: AsyncSession, tenant_id: int, email: str, *, now: datetime) -> None:
    """Withdraw the pending invitations of `email` to the workspace (a new one replaces them)."""
    await session.execute(
        update(Invitation)
        .where(
            Invitation.tenant_id == tenant_id,
            func.lower(Invitation.email) == email.lower(),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
