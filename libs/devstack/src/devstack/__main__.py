"""`python -m devstack run`: start the suite and supervise it until Ctrl-C."""

import argparse
import os
import signal
import sys
import time

from devstack.catalog import REPO_ROOT
from devstack.processes import StartupError
from devstack.stack import Stack, default_config

# A service that crashes more often than this in a minute is left down, with a message.
MAX_RESTARTS_PER_MINUTE = 5


def _print_table(stack: Stack) -> None:
    rows = [("component", "address", "logs")]
    if stack.postgres:
        rows.append(("postgres", stack.superuser_dsn, str(stack.postgres.data_dir / "postgres.log")))
    else:
        rows.append(("postgres", "external (DATABASE_URL)", "-"))
    rows.append(("nats", stack.nats_url, str(stack.nats.data_dir / "nats.log") if stack.nats else "-"))
    for spec in stack.services:
        rows.append((spec.name, stack.url(spec.name), str(stack.log_path(spec.name))))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print()
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print(
        f"\nGateway: {stack.url('gateway')}  (docs at {stack.url('gateway')}/api/docs/, "
        f"console at {stack.url('gateway')}/console/)  Ctrl-C stops everything.\n",
        flush=True,
    )


def _supervise(stack: Stack) -> None:
    crashes: dict[str, list[float]] = {}
    while True:
        time.sleep(0.5)
        for name, process in list(stack.processes.items()):
            if process.poll() is None:
                continue
            recent = [t for t in crashes.get(name, []) if time.monotonic() - t < 60] + [time.monotonic()]
            crashes[name] = recent
            print(
                f"\n!! {name} exited with code {process.returncode}. Last log lines:\n{stack.log_tail(name)}\n",
                flush=True,
            )
            del stack.processes[name]
            if len(recent) > MAX_RESTARTS_PER_MINUTE:
                print(
                    f"!! {name} keeps crashing; leaving it down (the gateway answers 503 for its routes).", flush=True
                )
                continue
            print(f"-> restarting {name}", flush=True)
            stack.start_service(name)


def run() -> int:
    stack = Stack(default_config(REPO_ROOT, os.environ))

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Explicit for SIGINT too: a shell that starts us in the background ignores it by default.
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        print("Starting engines, migrating, starting services...", flush=True)
        stack.start()
        _print_table(stack)
        _supervise(stack)
    except StartupError as exc:
        print(f"\nCould not start the suite: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
    finally:
        stack.stop()
    print("Stopped. Data is kept in", stack.config.data_dir)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the whole suite (make run)")
    parser.parse_args()
    return run()


if __name__ == "__main__":
    sys.exit(main())
