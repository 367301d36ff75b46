"""A client that cannot keep up: its queue overflows into one close marker, and nobody else
waits for it."""

import asyncio

from chat.hub import TOO_SLOW, Client, event


async def test_a_full_queue_marks_the_client_too_slow_and_drops_what_it_has_not_read() -> None:
    slow = Client(tenant_id=1, agent_id=7, queue=asyncio.Queue(3))
    fast = Client(tenant_id=1, agent_id=7, queue=asyncio.Queue(100))
    items = [event("message", "room", {"n": n}, agent_id=7) for n in range(10)]
    for item in items:
        for client in (slow, fast):
            if client.wants(item):
                client.offer(item)
    assert slow.too_slow
    assert slow.queue.qsize() == 1
    assert slow.queue.get_nowait() is TOO_SLOW
    assert [fast.queue.get_nowait()["data"]["n"] for _ in range(10)] == list(range(10))


def test_who_sees_what() -> None:
    guest, agent, other = Client(1, room_id="r1"), Client(1, agent_id=5), Client(1, agent_id=6)
    to_room = event("message", "r1", {}, agent_id=5)
    queue = event("new_chat", "r2", {}, agents=True)
    private = event("notification", "r1", {}, agent_id=5, guest=False)
    assert [guest.wants(e) for e in (to_room, queue, private)] == [True, False, False]
    assert [agent.wants(e) for e in (to_room, queue, private)] == [True, True, True]
    assert [other.wants(e) for e in (to_room, queue, private)] == [False, True, False]
