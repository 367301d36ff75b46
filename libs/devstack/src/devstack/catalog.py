"""The services of this repository, as each one's `[tool.platform]` table describes it."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    directory: Path
    port: int
    app: str  # "auth.main:app"
    schema: str | None  # None: owns no tables (the gateway)
    bootstrap: str | None  # a module run once after migrations ("auth.bootstrap")

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"

    @property
    def alembic_ini(self) -> Path:
        return self.directory / "alembic.ini"


def discover(root: Path = REPO_ROOT) -> list[ServiceSpec]:
    """Every `services/*/pyproject.toml` with a `[tool.platform]` table, gateway last."""
    specs = []
    for pyproject in sorted((root / "services").glob("*/pyproject.toml")):
        table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("platform")
        if not table:
            continue
        specs.append(
            ServiceSpec(
                name=table["name"],
                directory=pyproject.parent,
                port=int(table["port"]),
                app=table["app"],
                schema=table.get("schema"),
                bootstrap=table.get("bootstrap"),
            )
        )
    return sorted(specs, key=lambda spec: spec.name == "gateway")
