"""deploy/k8s/monitoring: the scrape configuration, alert rules and dashboards are well formed,
and every query names only metrics the code registers (no promtool: a careful parser instead)."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "k8s" / "monitoring"
DASHBOARDS = sorted((MONITORING / "dashboards").glob("*.json"))
KUBECTL = Path(sys.executable).parent / "kubectl"

# The series each kind of metric exposes, by the name given to its constructor.
_SERIES = {
    "Counter": ("_total", "_created"),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_count", "_sum", "_created"),
    "Summary": ("", "_count", "_sum", "_created"),
    "Info": ("_info",),
    "Enum": ("",),
}
# Series Prometheus itself adds to every target.
_SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_series_added"}


def _registered_in(path: Path) -> set[str]:
    """Names of the prometheus_client metrics a module constructs (`Counter("name", ...)`)."""
    tree = ast.parse(path.read_text())
    kinds = {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "prometheus_client"
        for alias in node.names
        if alias.name in _SERIES
    }
    series = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in kinds:
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant), f"{path}: a computed metric name"
            assert isinstance(first.value, str), f"{path}: a computed metric name"
            kind = kinds[node.func.id]
            base = first.value.removesuffix("_total") if kind == "Counter" else first.value
            series |= {base + suffix for suffix in _SERIES[kind]}
    return series


def known_series() -> set[str]:
    sources = [*(ROOT / "libs" / "shared" / "src").rglob("*.py"), *(ROOT / "services").glob("*/src/**/*.py")]
    names = set().union(*(_registered_in(path) for path in sources))
    # The default collectors every process exposes (process_*, python_gc_*, python_info).
    names |= {sample.name for metric in REGISTRY.collect() for sample in metric.samples}
    return names | _SYNTHETIC


KNOWN = known_series()

# PromQL words that are not metric names: functions (followed by "("), aggregations and their
# modifiers, binary operators spelled as words.
_FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp", "clamp_max",
    "clamp_min", "count", "count_over_time", "count_values", "delta", "deriv", "floor", "group", "histogram_quantile",
    "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time", "max", "max_over_time", "min",
    "min_over_time", "predict_linear", "quantile", "quantile_over_time", "rate", "resets", "round", "scalar", "sort",
    "sort_desc", "stddev", "stddev_over_time", "stdvar", "sum", "sum_over_time", "time", "timestamp", "topk", "vector",
}  # fmt: skip
_MODIFIERS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_WORDS = {"and", "or", "unless", "bool", "offset"}
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads; fails on an unknown function."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)  # string literals
    text = re.sub(r"\{[^{}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\[\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\b(?:" + "|".join(_MODIFIERS) + r")\s*\([^()]*\)", " ", text)  # by (...), on (...)
    text = re.sub(r"\boffset\s+\S+", " ", text)
    text = re.sub(r"\$\w+", " ", text)  # Grafana variables
    text = re.sub(r"(?<![\w:])\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w:])", " ", text)  # numbers
    names = set()
    for match in _NAME.finditer(text):
        word = match.group()
        called = text[match.end() :].lstrip().startswith("(")
        if called:
            assert word in _FUNCTIONS, f"unknown PromQL function {word!r} in {expr!r}"
        elif word not in _WORDS and word not in _MODIFIERS:
            names.add(word)
    return names


def test_the_parser_finds_metric_names_and_only_them() -> None:
    expr = (
        'sum by (service) (rate(http_requests_total{status=~"5..", route!="/x"}[5m])) '
        "/ clamp_min(sum(rate(foo_seconds_count[5m] offset 1h)), 1e-9) > 0.02 and on (a) bar:recorded"
    )
    assert metric_names(expr) == {"http_requests_total", "foo_seconds_count", "bar:recorded"}
    with pytest.raises(AssertionError, match="unknown PromQL function"):
        metric_names("rates(x[5m])")


def test_the_code_registers_what_the_rules_rely_on() -> None:
    """The scan sees the metrics added for operators (a refactor that hid them would fail here)."""
    assert {
        "outbox_oldest_unpublished_age_seconds",
        "events_consumer_pending_messages",
        "events_dead_lettered_total",
        "webhooks_deliveries_due",
        "live_connections_open",
        "bots_provider_call_duration_seconds_bucket",
        "http_requests_total",
    } <= KNOWN


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    assert set(document) == {"groups"}
    rules = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules"}, group
        assert group["name"], group
        assert group["rules"], group
        rules += group["rules"]
    return rules


def test_alert_rules_are_well_formed_and_name_existing_metrics() -> None:
    rules = _rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), "alert names are unique"
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}, rule
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["alert"]), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
        unknown = metric_names(rule["expr"]) - KNOWN
        assert not unknown, f"{rule['alert']} reads metrics nobody registers: {unknown}"


def test_every_alert_is_explained_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for rule in _rules():
        assert f"`{rule['alert']}`" in readme, f"README's 'Watching it' says nothing of {rule['alert']}"


def test_the_scrape_configuration_reads_the_pods_annotations_and_the_rules() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    [job] = config["scrape_configs"]
    assert job["kubernetes_sd_configs"][0]["role"] == "pod"
    sources = {tuple(relabel.get("source_labels", ())) for relabel in job["relabel_configs"]}
    assert ("__meta_kubernetes_pod_annotation_prometheus_io_scrape",) in sources
    assert ("__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port") in sources


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for panel in panels:
        found.append(panel)
        found += _panels(panel.get("panels", []))  # rows hold panels
    return found


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_is_valid_and_queries_existing_metrics(path: Path) -> None:
    dashboard = json.loads(path.read_text())
    assert dashboard["uid"]
    assert dashboard["title"]
    panels = _panels(dashboard["panels"])
    assert panels
    assert len({panel["id"] for panel in panels}) == len(panels), "panel ids are unique"
    for panel in panels:
        for target in panel.get("targets", []):
            unknown = metric_names(target["expr"]) - KNOWN
            assert not unknown, f"{path.name}, {panel['title']!r} reads metrics nobody registers: {unknown}"


def test_one_dashboard_per_area() -> None:
    assert {path.stem for path in DASHBOARDS} == {"edge", "events", "sensor-loop", "desk", "bots"}


def test_the_monitoring_kustomization_builds_valid_configmaps() -> None:
    result = subprocess.run([str(KUBECTL), "kustomize", str(MONITORING)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    documents = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    for doc in documents:
        kubernetes_validate.validate(doc, "1.33.0", strict=True)
    by_name = {doc["metadata"]["name"]: doc for doc in documents}
    assert set(by_name["prometheus-platform"]["data"]) == {"prometheus.yml", "alerts.yml"}
    assert by_name["grafana-dashboards-platform"]["metadata"]["labels"]["grafana_dashboard"] == "1"
