"""The alerting rules and the Grafana dashboard (cluster/monitoring.py): every metric they read
is one the code records, every expression is PromQL that Prometheus accepts (``promtool``, from
Debian's prometheus package), and the alerts fire on the series they watch, and only then."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cluster import kuberay, monitoring
from cluster.kuberay import ManifestOptions

REPO = Path(__file__).resolve().parents[2]
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed")
_REGISTERED = re.compile(r'metrics\.(Counter|Gauge|Histogram)\(\s*(?:name=)?"(ctv_[a-z_]+)"')
_SUFFIXES = {"Counter": ("_total",), "Gauge": ("",), "Histogram": ("_bucket", "_sum", "_count")}


def exported_metrics() -> dict[str, str]:
    """What Prometheus sees of each ``ctv_*`` metric our code registers (Ray adds ``ray_``,
    counters get ``_total``), by the name registered."""
    names: dict[str, str] = {}
    for folder in ("actors", "deployments", "storage", "ads"):
        for path in (REPO / folder).rglob("*.py"):
            for kind, name in _REGISTERED.findall(path.read_text()):
                names.update({f"ray_{name}{suffix}": name for suffix in _SUFFIXES[kind]})
    return names


def expressions() -> list[str]:
    return [a.expr for a in monitoring.ALERTS] + [
        expr for panel in monitoring.PANELS for expr, _ in panel.exprs
    ]


def test_every_stack_metric_read_is_recorded_and_every_one_recorded_is_charted() -> None:
    exported = exported_metrics()
    assert len(set(exported.values())) >= 11  # the scan finds the metrics
    read = {name for expr in expressions() for name in re.findall(r"ray_ctv_[a-z_]+", expr)}
    assert read - exported.keys() == set()
    charted = " ".join(expr for panel in monitoring.PANELS for expr, _ in panel.exprs)
    assert {n for e, n in exported.items() if e in charted} == set(exported.values())


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )


def write_rules(folder: Path, groups: list[dict[str, Any]]) -> str:
    (folder / "rules.yml").write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return "rules.yml"


@needs_promtool
def test_prometheus_accepts_the_rules_and_every_panels_query(tmp_path: Path) -> None:
    checked = promtool(
        "check", "rules", write_rules(tmp_path, monitoring.rule_groups()), cwd=tmp_path
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    queries = [
        {"record": f"ctv:panel_query_{n}", "expr": expr} for n, expr in enumerate(expressions())
    ]
    checked = promtool(
        "check", "rules", write_rules(tmp_path, [{"name": "q", "rules": queries}]), cwd=tmp_path
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def firing(name: str, *, value: str = "", **labels: str) -> dict[str, Any]:
    """The alert ``name`` as promtool expects it firing, ``{{ $value ... }}`` shown as ``value``."""
    (alert,) = [a for a in monitoring.ALERTS if a.name == name]
    return {
        "exp_labels": {"severity": alert.severity, "service": "ctv-adserver", **labels},
        "exp_annotations": {
            "summary": alert.summary,
            "description": re.sub(r"\{\{ \$value[^}]*\}\}", value, alert.description),
            "runbook": f"{monitoring.RUNBOOK}#{alert.runbook_section}",
        },
    }


HEALTHY = 'ray_serve_deployment_replica_healthy{application="serving",deployment="ServingIngress"}'
CASES: list[dict[str, Any]] = [
    {  # Redis away: beacons spill from minute 2; the alert waits its minute, then fires.
        "input_series": [
            {"series": 'ray_ctv_beacon_spill_size{replica="a"}', "values": "0 0 5 5 5 5"},
            {"series": HEALTHY, "values": "1x10"},
        ],
        "alert_rule_test": [
            {"eval_time": "2m", "alertname": "CTVBeaconsSpilling", "exp_alerts": []},
            {
                "eval_time": "4m",
                "alertname": "CTVBeaconsSpilling",
                "exp_alerts": [firing("CTVBeaconsSpilling", value="5")],
            },
            {"eval_time": "4m", "alertname": "CTVServingDown", "exp_alerts": []},
        ],
    },
    {  # 10 requests/s, 30% filled; 1 beacon in 11 refused; the replica gone from minute 10.
        "input_series": [
            {"series": 'ray_ctv_decisions_total{outcome="filled"}', "values": "0+180x40"},
            {"series": 'ray_ctv_decisions_total{outcome="no_fill"}', "values": "0+420x40"},
            {"series": 'ray_ctv_beacons_accepted_total{event="start"}', "values": "0+600x40"},
            {"series": 'ray_ctv_beacons_rejected_total{reason="signature"}', "values": "0+60x40"},
            {"series": HEALTHY, "values": "1x10 0x30"},
        ],
        "alert_rule_test": [
            {
                "eval_time": "35m",
                "alertname": "CTVFillRateLow",
                "exp_alerts": [firing("CTVFillRateLow", value="30%")],
            },
            {
                "eval_time": "35m",
                "alertname": "CTVBeaconRejectionsHigh",
                "exp_alerts": [firing("CTVBeaconRejectionsHigh", value="9.091%")],
            },
            {"eval_time": "11m", "alertname": "CTVServingDown", "exp_alerts": []},
            {
                "eval_time": "13m",
                "alertname": "CTVServingDown",
                "exp_alerts": [firing("CTVServingDown")],
            },
        ],
    },
    {  # A quiet night: 0.5 requests/s, 20% filled, is no fill-rate incident; no metrics at all
        # (Ray down) is one.
        "input_series": [
            {"series": 'ray_ctv_decisions_total{outcome="filled"}', "values": "0+6x40"},
            {"series": 'ray_ctv_decisions_total{outcome="no_fill"}', "values": "0+24x40"},
        ],
        "alert_rule_test": [
            {"eval_time": "35m", "alertname": "CTVFillRateLow", "exp_alerts": []},
            {
                "eval_time": "5m",
                "alertname": "CTVServingDown",
                "exp_alerts": [firing("CTVServingDown", application="serving")],
            },
        ],
    },
]


@needs_promtool
def test_alerts_fire_on_what_they_watch_and_not_before(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, monitoring.rule_groups())
    tests = {
        "rule_files": [rules],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", **case} for case in CASES],
    }
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(tests, sort_keys=False))
    tested = promtool("test", "rules", "tests.yml", cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_manifests_scrape_the_ray_pods_and_carry_the_rules_and_dashboard() -> None:
    options = ManifestOptions(image="x")
    manifests = kuberay.render_manifests(options)
    scrape, rules, board = manifests["monitoring.yaml"]
    (service,) = manifests["rayservice.yaml"]
    cluster = service["spec"]["rayClusterConfig"]
    pods = [cluster["headGroupSpec"]["template"], cluster["workerGroupSpecs"][0]["template"]]
    for pod in pods:
        labels = pod["metadata"]["labels"]
        assert scrape["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ports = [p["name"] for c in pod["spec"]["containers"] for p in c.get("ports", [])]
        assert "metrics" in ports
    assert scrape["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    assert rules["kind"] == "PrometheusRule"
    assert rules["spec"]["groups"] == monitoring.rule_groups()
    assert board["metadata"]["labels"]["grafana_dashboard"] == "1"
    dashboard = json.loads(board["data"]["ctv-adserver.json"])
    assert dashboard == monitoring.grafana_dashboard()
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)) == len(monitoring.PANELS)
    spots = {(p["gridPos"]["x"], p["gridPos"]["y"]) for p in dashboard["panels"]}
    assert len(spots) == len(ids)  # no panel on top of another
    for doc in (scrape, rules, board):
        assert doc["metadata"]["namespace"] == options.namespace
