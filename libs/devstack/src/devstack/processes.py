"""Child processes that die with their parent, and port helpers."""

import ctypes
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1


class StartupError(RuntimeError):
    """Something the user can fix stopped the stack from starting; the message says what."""


def _die_with_parent(sig: int) -> Callable[[], None]:
    def preexec() -> None:
        # Linux: the kernel signals the child when the parent dies, so a killed `make run`
        # or test session leaves no orphan servers behind.
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig)
        os.setpgrp()

    return preexec


def spawn(
    argv: Sequence[str],
    *,
    log: IO[bytes] | int | None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: int | None = None,
    group: int | None = None,
    death_signal: int = signal.SIGTERM,
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(argv),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=dict(env) if env is not None else None,
        cwd=cwd,
        user=user,
        group=group,
        preexec_fn=_die_with_parent(death_signal),
    )


def stop(process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """Ask politely, then kill."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def stop_all(processes: list[subprocess.Popen[bytes]], *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """Ask them all at once, then kill whichever has not finished within `timeout`: their
    shutdowns overlap instead of adding up."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.send_signal(sig)
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST_PORT = 10_000
_handed_out: set[int] = set()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = (int(part) for part in _EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
    return low, high


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nobody is listening on, for a server started a moment later.

    Chosen below the kernel's ephemeral range: a port the kernel hands out (bind to 0, or the
    local end of any outgoing connection) can be taken again by the next connect() before our
    server binds it, which once failed a whole test session with 'address already in use'.
    Ports outside that range are only ever taken by an explicit bind. This process never hands
    the same port out twice."""
    low, _ = _ephemeral_range()
    if low - _LOWEST_PORT >= 1_000:
        rng = random.SystemRandom()
        for _ in range(200):
            port = rng.randrange(_LOWEST_PORT, low)
            if port not in _handed_out and _bindable(port):
                _handed_out.add(port)
                return port
    while True:  # an unusual range setting: let the kernel choose
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen[bytes] | None = None, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StartupError(f"{what} exited with code {process.returncode} while starting")
        if port_in_use(port):
            return
        time.sleep(0.05)
    raise StartupError(f"{what} did not open port {port} within {timeout:.0f}s")


def eventually(check: Callable[[], object], seconds: float, *, interval: float = 0.1) -> bool:
    """Whether `check()` came true within `seconds` (asked every `interval`): for tests and
    tools that wait on another process."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False
