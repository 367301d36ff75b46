"""free_port picks ports the kernel never hands out on its own."""

import socket

import pytest

from devstack.processes import _LOWEST_PORT, _bindable, _ephemeral_range, free_port


def test_free_ports_are_below_the_ephemeral_range_distinct_and_bindable() -> None:
    low, _ = _ephemeral_range()
    if low - _LOWEST_PORT < 1_000:
        pytest.skip("this machine's ephemeral range leaves no room below it: the kernel chooses")
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(port < low for port in ports)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[-1]))


def test_a_port_someone_listens_on_is_not_bindable() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        assert not _bindable(port)
    assert _bindable(port)
