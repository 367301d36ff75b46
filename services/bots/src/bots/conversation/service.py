"""A user's conversations, and the messages the chat stores in them."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots import events
from bots.conversation.schemas import ConversationDetailRead, ConversationRead, MessageRead
from bots.errors import ConversationNotFound
from bots.models import Bot, Conversation, Message
from bots.toolbox.service import in_workspace
from shared.ids import PrefixedId
from shared.security import Principal

CONVERSATION_ID = PrefixedId("conv_")


def public_id(conversation_id: int) -> str:
    return CONVERSATION_ID.format(conversation_id)


def parse_id(text: str) -> int:
    found = CONVERSATION_ID.parse(text)
    if found is None:
        raise ConversationNotFound()
    return found


async def get(session: AsyncSession, principal: Principal, conversation_id: str, *, lock: bool = False) -> Conversation:
    """The caller's own conversation; anyone else's is a 404."""
    query = select(Conversation).where(
        Conversation.id == parse_id(conversation_id),
        Conversation.tenant_id == principal.tenant_id,
        Conversation.owner_id == principal.user_id,
    )
    found = await session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise ConversationNotFound()
    return found


async def listing(session: AsyncSession, principal: Principal, limit: int) -> list[Conversation]:
    query = (
        select(Conversation)
        .where(Conversation.tenant_id == principal.tenant_id, Conversation.owner_id == principal.user_id)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))


async def create(
    session: AsyncSession, principal: Principal, title: str, bot: Bot | None = None, *, reserved_id: int | None = None
) -> Conversation:
    """A new conversation (`reserved_id`: an id taken from its sequence already); `announce` it
    in the same transaction."""
    conversation = Conversation(
        tenant_id=principal.tenant_id, owner_id=principal.user_id, title=title, bot_id=bot.id if bot else None,
        message_count=0, **({"id": reserved_id} if reserved_id is not None else {}),
    )  # fmt: skip
    session.add(conversation)
    await session.flush()
    return conversation


async def start(session: AsyncSession, principal: Principal, title: str, bot_id: int | None) -> Conversation:
    """A conversation opened by the client (`POST /api/conversations`), maybe with a bot of the workspace."""
    bot = await in_workspace(session, principal.tenant_id, bot_id) if bot_id is not None else None
    conversation = await create(session, principal, title, bot)
    await announce(session, conversation)
    return conversation


async def announce(session: AsyncSession, conversation: Conversation) -> None:
    """`bots.conversation.created` (002's `conversation.created` webhook event)."""
    event = events.ConversationCreated(
        conversation_id=public_id(conversation.id), owner_id=conversation.owner_id, title=conversation.title,
        bot_id=conversation.bot_id,
    )  # fmt: skip
    await events.outbox.emit(session, event, tenant_id=conversation.tenant_id)


async def rename(session: AsyncSession, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title
    await session.flush()
    await session.refresh(conversation)
    return conversation


async def delete(session: AsyncSession, conversation: Conversation) -> None:
    await session.delete(conversation)
    await session.flush()


async def messages(session: AsyncSession, conversation: Conversation) -> list[Message]:
    query = select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
    return list(await session.scalars(query))


def as_out(conversation: Conversation) -> ConversationRead:
    return ConversationRead(
        id=public_id(conversation.id), title=conversation.title, bot_id=conversation.bot_id,
        created_at=conversation.created_at, updated_at=conversation.updated_at,
        message_count=conversation.message_count,
    )  # fmt: skip


def as_detail(conversation: Conversation, stored: list[Message]) -> ConversationDetailRead:
    return ConversationDetailRead(
        **as_out(conversation).model_dump(),
        messages=[
            MessageRead(role=m.role, content=m.content, timestamp=m.created_at, tool_calls=m.tool_calls,
                       status=m.status, model=m.model, citations=m.citations)
            for m in stored
        ],
    )  # fmt: skip
