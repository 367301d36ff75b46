"""No cluster or Docker engine here: the manifests are checked against their schemas instead."""

import json
from pathlib import Path
from typing import Any

import check_jsonschema
import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33.0"
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _kustomizations() -> list[Path]:
    return sorted(K8S.rglob("kustomization.yaml"))


def _resource_files() -> list[Path]:
    files = []
    for kustomization in _kustomizations():
        for entry in yaml.safe_load(kustomization.read_text()).get("resources", []):
            target = (kustomization.parent / entry).resolve()
            if target.is_file():
                files.append(target)
    return sorted(set(files))


@pytest.mark.parametrize("path", _resource_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_manifest_is_valid_kubernetes(path: Path) -> None:
    for document in _documents(path):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("kustomization", _kustomizations(), ids=lambda p: str(p.relative_to(K8S)))
def test_kustomization_references_exist(kustomization: Path) -> None:
    for entry in yaml.safe_load(kustomization.read_text()).get("resources", []):
        assert (kustomization.parent / entry).exists(), f"{kustomization}: missing {entry}"


def _base_objects() -> list[dict[str, Any]]:
    base = K8S / "base" / "kustomization.yaml"
    return [doc for entry in yaml.safe_load(base.read_text())["resources"] for doc in _documents(base.parent / entry)]


def test_every_service_has_a_deployment_with_probes_and_resources() -> None:
    deployments = {doc["metadata"]["name"]: doc for doc in _base_objects() if doc["kind"] == "Deployment"}
    assert set(SERVICES) <= set(deployments), f"missing Deployments: {set(SERVICES) - set(deployments)}"
    for name, deployment in deployments.items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert container["resources"]["requests"], name


def test_every_service_with_a_schema_has_a_migration_job() -> None:
    jobs = {doc["metadata"]["name"] for doc in _base_objects() if doc["kind"] == "Job"}
    for service in SERVICES:
        if (ROOT / "services" / service / "alembic.ini").exists():
            assert f"{service}-migrate" in jobs, service


def test_compose_file_follows_the_compose_specification() -> None:
    schema_path = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
    schema = json.loads(schema_path.read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    jsonschema.validate(compose, schema)


def test_compose_runs_every_service_with_healthchecks() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for service in SERVICES:
        assert service in compose, f"{service} is missing from docker-compose.yml"
        assert "healthcheck" in compose[service], service
    for name, definition in compose.items():
        for dependency, condition in definition.get("depends_on", {}).items():
            assert dependency in compose, f"{name} depends on unknown {dependency}"
            assert condition["condition"] in {"service_healthy", "service_completed_successfully"}


def test_dockerfile_builds_any_service_by_argument() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "ARG SERVICE" in dockerfile
    assert "${SERVICE}.main:app" in dockerfile
    for service in SERVICES:
        assert (ROOT / "services" / service / "src" / service / "main.py").exists(), service
