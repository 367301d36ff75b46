"""What every benchmark shares: a suite of its own on free ports (as the tests start one), and
the CPU time its processes spend.

    with suite(only={"auth", "gateway"}, GATEWAY_RATE_LIMIT_PER_MINUTE=UNLIMITED) as stack:
        meter = CpuMeter(stack)
        ...
        meter.spent()  # CPU-seconds of each process tree since the meter was made
"""

import contextlib
import os
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from devstack.catalog import discover
from devstack.stack import Stack, StackConfig

__all__ = ["UNLIMITED", "CpuMeter", "suite"]

# A gateway rate limit no load generator reaches (the limit is not what a benchmark measures).
UNLIMITED = "100000000"
_TICKS = os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def suite(only: Collection[str] | None = None, **env: str) -> Iterator[Stack]:
    """Engines and services (`only` these, else all) started in a temporary folder, then stopped."""
    services = [spec for spec in discover() if only is None or spec.name in only]
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(StackConfig.ephemeral(Path(folder), services, **env), services)
        try:
            stack.start()
            yield stack
        finally:
            stack.stop()


class CpuMeter:
    """CPU-seconds (user + system, from /proc) of each process tree of a suite: every service
    process by name (replicas the benchmark spawned included), NATS and PostgreSQL (the
    postmaster and its backends), from the meter's making on."""

    def __init__(self, stack: Stack) -> None:
        self.roots = {name: process.pid for name, process in stack.processes.items()}
        if stack.nats:
            self.roots["nats"] = stack.nats.process.pid
        if stack.postgres:
            self.roots["postgres"] = stack.postgres.process.pid
        self.before = self._now()

    def spent(self) -> dict[str, float]:
        now = self._now()
        return {name: now[name] - self.before[name] for name in self.roots}

    def _now(self) -> dict[str, float]:
        tree = _children()
        return {name: _tree_seconds(pid, tree) for name, pid in self.roots.items()}


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry))
    return tree


def _tree_seconds(root: int, tree: dict[int, list[int]]) -> float:
    """utime+stime of `root` and every descendant alive now (children reaped earlier are in cutime)."""
    total, pending = 0.0, [root]
    while pending:
        pid = pending.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / _TICKS
        pending.extend(tree.get(pid, []))
    return total
