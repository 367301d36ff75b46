"""What an idle suite costs: CPU-seconds per process tree over a quiet minute, no traffic at all.

Starts the whole suite on free ports (as `make run` would, minus the fixed ports), lets it settle,
then reads utime+stime from /proc for each service's process tree, NATS and PostgreSQL (the
postmaster and its backends) at the start and the end of the window. Relative to one core.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from devstack.catalog import discover
from devstack.stack import Stack, StackConfig

_TICKS = os.sysconf("SC_CLK_TCK")


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


def _cpu_seconds(root: int, tree: dict[int, list[int]]) -> float:
    """utime+stime of `root` and every descendant alive now (children reaped earlier are in cutime)."""
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / _TICKS
        stack.extend(tree.get(pid, []))
    return total


def _roots(stack: Stack) -> dict[str, int]:
    roots = {name: process.pid for name, process in stack.processes.items()}
    if stack.nats:
        roots["nats"] = stack.nats.process.pid
    if stack.postgres:
        roots["postgres"] = stack.postgres.process.pid
    return roots


def measure(stack: Stack, seconds: float) -> dict[str, float]:
    roots = _roots(stack)
    tree = _children()
    before = {name: _cpu_seconds(pid, tree) for name, pid in roots.items()}
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    tree = _children()
    return {name: 100 * (_cpu_seconds(pid, tree) - before[name]) / elapsed for name, pid in roots.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to wait after start-up")
    args = parser.parse_args()
    services = discover()
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(StackConfig.ephemeral(Path(folder), services), services)
        try:
            stack.start()
            time.sleep(args.settle)
            shares = measure(stack, args.seconds)
        finally:
            stack.stop()
    for name, share in sorted(shares.items(), key=lambda item: -item[1]):
        print(f"{name:<10} {share:5.2f}% of a core")
    print(f"idle suite: {sum(shares.values()):.1f}% of a core over {args.seconds:.0f} s, no traffic")


if __name__ == "__main__":
    main()
