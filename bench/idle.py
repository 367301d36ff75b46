"""What an idle suite costs: CPU-seconds per process tree over a quiet minute, no traffic at all.

Starts the whole suite on free ports (as `make run` would, minus the fixed ports), lets it settle,
then reads utime+stime from /proc for each service's process tree, NATS and PostgreSQL (the
postmaster and its backends) at the start and the end of the window. Relative to one core.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _suite import CpuMeter, suite

from devstack.stack import Stack


def measure(stack: Stack, seconds: float) -> dict[str, float]:
    meter = CpuMeter(stack)
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    return {name: 100 * spent / elapsed for name, spent in meter.spent().items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to wait after start-up")
    args = parser.parse_args()
    with suite() as stack:
        time.sleep(args.settle)
        shares = measure(stack, args.seconds)
    for name, share in sorted(shares.items(), key=lambda item: -item[1]):
        print(f"{name:<10} {share:5.2f}% of a core")
    print(f"idle suite: {sum(shares.values()):.1f}% of a core over {args.seconds:.0f} s, no traffic")


if __name__ == "__main__":
    main()
