"""The whole suite on one machine: engines, schemas, migrations, one process per service.

`make run` and the test session both drive this class; only ports and folders differ.
"""

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devstack.catalog import ServiceSpec, discover
from devstack.engines import Nats, Postgres, start_nats, start_postgres
from devstack.processes import StartupError, free_port, port_in_use, spawn, stop, stop_all
from shared.provisioning import SchemaGrant, grant_for, provision, role_url

# Services that seal secrets at rest (webhook secrets, provider API keys): each gets a key,
# kept with the data it protects, as <PREFIX>SECRET_ENCRYPTION_KEY.
SEALING_SERVICES = ("webhooks", "bots")


@dataclass
class StackConfig:
    data_dir: Path
    service_ports: dict[str, int]
    postgres_port: int
    nats_port: int
    database_url: str | None = None  # an existing server (superuser URL) instead of ours
    nats_url: str | None = None
    durable: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    # The gateway's /readyz and /metrics (gateway.admin): never on the public port.
    gateway_admin_port: int = 9100

    @classmethod
    def ephemeral(cls, data_dir: Path, services: list[ServiceSpec], **extra: str) -> "StackConfig":
        """Free ports everywhere: what the tests use, so they never collide with `make run`."""
        return cls(
            data_dir=data_dir,
            service_ports={spec.name: free_port() for spec in services},
            postgres_port=free_port(),
            nats_port=free_port(),
            durable=False,
            extra_env=dict(extra),
            gateway_admin_port=free_port(),
        )


class Stack:
    def __init__(self, config: StackConfig, services: list[ServiceSpec] | None = None) -> None:
        self.config = config
        self.services = services if services is not None else discover()
        self.postgres: Postgres | None = None
        self.nats: Nats | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._secrets: dict[str, str] = {}
        self.migrated = False

    # -- addresses -------------------------------------------------------------------------
    def spec(self, name: str) -> ServiceSpec:
        return next(spec for spec in self.services if spec.name == name)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.config.service_ports[name]}"

    def admin_url(self, name: str) -> str:
        """Where `name`'s /readyz and /metrics answer: the gateway's admin port, else the service's own."""
        if name == "gateway":
            return f"http://127.0.0.1:{self.config.gateway_admin_port}"
        return self.url(name)

    @property
    def superuser_dsn(self) -> str:
        if self.config.database_url:
            return self.config.database_url.replace("postgresql+asyncpg://", "postgresql://")
        assert self.postgres is not None
        return self.postgres.superuser_url

    @property
    def nats_url(self) -> str:
        if self.config.nats_url:
            return self.config.nats_url
        assert self.nats is not None
        return self.nats.url

    def log_path(self, name: str) -> Path:
        return self.config.data_dir / "logs" / f"{name}.log"

    # -- lifecycle -------------------------------------------------------------------------
    def check_ports(self) -> None:
        wanted = dict(self.config.service_ports)
        wanted["gateway admin"] = self.config.gateway_admin_port
        if not self.config.database_url:
            wanted["postgres"] = self.config.postgres_port
        if not self.config.nats_url:
            wanted["nats"] = self.config.nats_port
        busy = [f"{name} ({port})" for name, port in wanted.items() if port_in_use(port)]
        if busy:
            raise StartupError("ports already in use: " + ", ".join(busy) + ". Is another `make run` still running?")

    def start(self) -> None:
        self.start_engines()
        self.start_services()

    def start_engines(self) -> None:
        """Engines up, roles and schemas provisioned."""
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path("x").parent.mkdir(exist_ok=True)
        self._load_secrets()
        self.check_ports()
        if not self.config.database_url:
            self.postgres = start_postgres(
                self.config.data_dir / "postgres", self.config.postgres_port, durable=self.config.durable
            )
        if not self.config.nats_url:
            self.nats = start_nats(self.config.data_dir / "nats", self.config.nats_port)
        asyncio.run(provision(self.superuser_dsn, [self.grant(spec) for spec in self.services if spec.schema]))

    def prepare_databases(self) -> None:
        """Every schema migrated and bootstrapped, no process started: what in-process tests need."""
        if not self.migrated:
            self.migrate()
            self.bootstrap()
            self.migrated = True

    def start_services(self) -> None:
        """Migrations and bootstrap (once), then every service process, waiting until each is ready."""
        self.prepare_databases()
        # The gateway last, so its first answers find its upstreams ready.
        backends = [spec.name for spec in self.services if spec.name != "gateway"]
        for name in backends:
            self.start_service(name)
        for name in backends:
            self.wait_healthy(name)
        if any(spec.name == "gateway" for spec in self.services):
            self.start_service("gateway")
            self.wait_healthy("gateway")

    def stop(self) -> None:
        """The gateway first (no new requests come in), then every service at once."""
        if "gateway" in self.processes:
            stop(self.processes.pop("gateway"))
        stop_all([self.processes.pop(name) for name in reversed(list(self.processes))])
        if self.nats:
            self.nats.stop()
        if self.postgres:
            self.postgres.stop()

    def _load_secrets(self) -> None:
        # Role passwords and the auth key secret live with the data they protect.
        path = self.config.data_dir / "secrets.json"
        stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        for spec in self.services:
            stored.setdefault(spec.name, secrets.token_hex(16))
        stored.setdefault("auth_key_secret", secrets.token_urlsafe(32))
        stored.setdefault("console_secret", secrets.token_urlsafe(32))
        for name in SEALING_SERVICES:
            stored.setdefault(f"{name}_secret_key", secrets.token_urlsafe(32))
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
        self._secrets = stored

    # -- per service -----------------------------------------------------------------------
    def grant(self, spec: ServiceSpec) -> SchemaGrant:
        assert spec.schema is not None
        return grant_for(spec.schema, self._secrets[spec.name])

    def env_for(self, spec: ServiceSpec) -> dict[str, str]:
        prefix = spec.env_prefix
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            f"{prefix}SERVICE_NAME": spec.name,
            f"{prefix}NATS_URL": self.nats_url,
            f"{prefix}JWKS_URL": f"{self.url('auth')}/.well-known/jwks.json",
        }
        if spec.schema:
            env[f"{prefix}DATABASE_URL"] = role_url(self.superuser_dsn, self.grant(spec))
        if spec.name == "auth":
            env["AUTH_KEY_ENCRYPTION_SECRET"] = self._secrets["auth_key_secret"]
        if spec.name == "bots":  # its tools call the platform's API as their user
            env["BOTS_PLATFORM_URL"] = self.url("gateway")
        if spec.name == "console":  # its pages call the public API; plain http here, so no Secure cookie
            env["CONSOLE_GATEWAY_URL"] = self.url("gateway")
            env["CONSOLE_SECRET"] = self._secrets["console_secret"]
            env["CONSOLE_COOKIE_SECURE"] = "false"
        if spec.name in SEALING_SERVICES:
            env[f"{prefix}SECRET_ENCRYPTION_KEY"] = self._secrets[f"{spec.name}_secret_key"]
        if spec.name == "gateway":
            upstreams = {other.name: self.url(other.name) for other in self.services if other.name != "gateway"}
            env["GATEWAY_UPSTREAMS"] = json.dumps(upstreams)
            env["GATEWAY_PUBLIC_URL"] = self.url("gateway")
            env["GATEWAY_ADMIN_PORT"] = str(self.config.gateway_admin_port)
            # Nothing stands in front of it here: X-Forwarded-For from a client is never believed.
            env["FORWARDED_ALLOW_IPS"] = ""
        env.update(self.config.extra_env)
        return env

    def migrate(self) -> None:
        """Every service's Alembic history, in parallel; one failure stops the start."""
        running = {
            spec.name: subprocess.Popen(
                [sys.executable, "-m", "alembic", "-c", str(spec.alembic_ini), "upgrade", "head"],
                env=self.env_for(spec),
                cwd=spec.directory,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for spec in self.services
            if spec.schema
        }
        for name, process in running.items():
            output, _ = process.communicate(timeout=300)
            if process.returncode != 0:
                raise StartupError(f"migrations of {name} failed:\n{output.decode(errors='replace')[-4000:]}")

    def bootstrap(self) -> None:
        for spec in self.services:
            if not spec.bootstrap:
                continue
            result = subprocess.run(
                [sys.executable, "-m", spec.bootstrap],
                env=self.env_for(spec),
                cwd=spec.directory,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if result.returncode != 0:
                raise StartupError(f"bootstrap of {spec.name} failed:\n{result.stderr[-4000:]}")
            if result.stdout.strip():
                print(result.stdout.strip(), flush=True)

    def start_service(self, name: str) -> None:
        self.processes[name] = self.spawn_service(name, self.config.service_ports[name])

    def spawn_service(
        self, name: str, port: int, *, extra_env: Mapping[str, str] | None = None, log_name: str | None = None
    ) -> subprocess.Popen[bytes]:
        """One uvicorn process of `name` on `port`; `extra_env` overrides its settings."""
        spec = self.spec(name)
        server = ["--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools"]
        quiet = ["--no-access-log", "--proxy-headers", "--timeout-graceful-shutdown", "5"]
        # uvicorn's command line with a main loop that wakes once a second, not ten times.
        argv = [sys.executable, "-m", "shared.serve", spec.app, *server, *quiet]
        env = {**self.env_for(spec), **(extra_env or {})}
        with open(self.log_path(log_name or name), "ab") as log:
            return spawn(argv, log=log, env=env, cwd=spec.directory)

    def stop_service(self, name: str, *, kill: bool = False) -> None:
        process = self.processes.pop(name)
        if kill:
            process.kill()
            process.wait(5)
        else:
            stop(process)

    def wait_healthy(self, name: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"{self.admin_url(name)}/readyz"
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise StartupError(
                    f"{name} exited with code {process.returncode} while starting. Last lines of "
                    f"{self.log_path(name)}:\n{self.log_tail(name)}"
                )
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise StartupError(f"{name} was not ready within {timeout:.0f}s; see {self.log_path(name)}")

    def log_tail(self, name: str, lines: int = 20) -> str:
        path = self.log_path(name)
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def default_config(root: Path, env: Mapping[str, str]) -> StackConfig:
    """`make run`: fixed ports so URLs are stable, data kept under `.data/`."""
    services = discover(root)
    return StackConfig(
        data_dir=Path(env.get("DATA_DIR", root / ".data")),
        service_ports={spec.name: spec.port for spec in services},
        postgres_port=int(env.get("POSTGRES_PORT", "55432")),
        nats_port=int(env.get("NATS_PORT", "54222")),
        database_url=env.get("DATABASE_URL") or None,
        nats_url=env.get("NATS_URL") or None,
        gateway_admin_port=int(env.get("GATEWAY_ADMIN_PORT", "9100")),
    )
