"""`python -m shared.devtools run`: start the suite and supervise it until Ctrl-C."""

import argparse
import asyncio
import os
import signal
import sys
import time

from shared.devtools.catalog import REPO_ROOT
from shared.devtools.processes import StartupError
from shared.devtools.provision import grant_for, provision
from shared.devtools.stack import Stack, default_config

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
        f"\nGateway: {stack.url('gateway')}  (docs at {stack.url('gateway')}/api/docs/)  Ctrl-C stops everything.\n",
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


def provision_command(services: list[str]) -> int:
    """Containers' db-init: superuser `DATABASE_URL`, each password in `DB_PASSWORD_<SERVICE>`."""
    dsn = os.environ.get("DATABASE_URL", "").replace("postgresql+asyncpg://", "postgresql://")
    if not dsn:
        print("DATABASE_URL (a superuser URL) is required", file=sys.stderr)
        return 2
    missing = [name for name in services if not os.environ.get(f"DB_PASSWORD_{name.upper()}")]
    if missing:
        print("missing passwords: " + ", ".join(f"DB_PASSWORD_{n.upper()}" for n in missing), file=sys.stderr)
        return 2
    grants = [grant_for(name, os.environ[f"DB_PASSWORD_{name.upper()}"]) for name in services]
    asyncio.run(provision(dsn, grants))
    print("provisioned schemas: " + ", ".join(services))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.devtools")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the whole suite (make run)")
    provision_parser = commands.add_parser("provision", help="create each service's role and schema")
    provision_parser.add_argument("services", nargs="+")
    args = parser.parse_args()
    if args.command == "provision":
        return provision_command(args.services)
    return run()


if __name__ == "__main__":
    sys.exit(main())
