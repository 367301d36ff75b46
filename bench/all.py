"""Every benchmark, one after the other, then one table of each one's last line.

Each script prints its figures as it goes and sums them up in its last line; that line is
what the table keeps (the README's "Benchmarks" shows the latest table and its machine).
`--only gateway,ingest` runs some of them.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "gateway", "auth", "ingest", "history", "retention", "webhooks", "stream", "knowledge", "chat", "console", "idle",
]  # fmt: skip


def run(name: str) -> tuple[str, float]:
    """Run `bench/<name>.py`, echoing its output; (its last line, or why there is none; seconds)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(HERE / f"{name}.py")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    last = ""
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if line.strip():
            last = line.strip()
    code = process.wait()
    seconds = time.monotonic() - started
    return (last if code == 0 else f"failed (exit {code}): {last}"), seconds


def machine() -> str:
    cpus = os.cpu_count() or 0
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{platform.node()}: {cpus} cores, {python}, load {load}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated names, e.g. gateway,ingest")
    args = parser.parse_args()
    names = [name for name in args.only.split(",") if name] or BENCHMARKS
    before = machine()
    results = []
    for name in names:
        print(f"== bench/{name}.py", flush=True)
        results.append((name, *run(name)))
    print()
    print(f"Machine: {before} at the start; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at the end")
    print()
    print("| benchmark | last line | seconds |")
    print("|---|---|---|")
    for name, last, seconds in results:
        print(f"| `bench/{name}.py` | {last.replace('|', '/')} | {seconds:.0f} |")
    return 1 if any(last.startswith("failed") for _, last, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
