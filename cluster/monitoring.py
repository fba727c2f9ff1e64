"""What operators watch: Prometheus alerting rules and a Grafana dashboard over the stack's
metrics (the ``ctv_*`` ones our code records, Ray Serve's ``serve_*``), as data. Ray exports
every metric with a ``ray_`` prefix, counters with ``_total``. cluster/kuberay.py wraps them in
the Prometheus operator's and Grafana's Kubernetes objects; tests check every expression with
``promtool`` and the alerts against sample series.

The thresholds follow the product's promises: decisions in single-digit milliseconds (p99 under
10 ms), no beacon lost (one waiting outside Redis is an incident), figures a minute behind at
most.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SERVING_APP = "serving"
"""The Serve application of the player API (serve_config.yaml)."""
RUNBOOK = "docs/RUNBOOK.md"


@dataclass(frozen=True, slots=True)
class Alert:
    name: str
    expr: str
    duration: str
    """How long ``expr`` must hold before the alert fires (Prometheus ``for``)."""
    severity: str
    """``critical``: players or money are affected now; ``warning``: look today."""
    summary: str
    description: str
    runbook_section: str


_FILLED = 'sum(rate(ray_ctv_decisions_total{outcome="filled"}[10m]))'
_ANSWERED = 'sum(rate(ray_ctv_decisions_total{outcome=~"filled|no_fill"}[10m]))'
_LATENCY = f'ray_serve_http_request_latency_ms_bucket{{application="{SERVING_APP}"}}'

ALERTS = (
    Alert(
        name="CTVServingDown",
        expr=(
            f'sum(ray_serve_deployment_replica_healthy{{application="{SERVING_APP}"}}) < 1'
            f' or absent(ray_serve_deployment_replica_healthy{{application="{SERVING_APP}"}})'
        ),
        duration="2m",
        severity="critical",
        summary="No healthy ad-serving replica",
        description="Players get no ads and no beacon is recorded.",
        runbook_section="troubleshooting",
    ),
    Alert(
        name="CTVBeaconsSpilling",
        expr="max(ray_ctv_beacon_spill_size) > 0",
        duration="1m",
        severity="critical",
        summary="Beacons are waiting in replica memory: Redis is unreachable",
        description=(
            "{{ $value }} beacons are held in a serving replica until Redis answers; a full "
            "spill answers beacons with 503 and a restarted replica loses what it holds."
        ),
        runbook_section="troubleshooting",
    ),
    Alert(
        name="CTVServerErrors",
        expr=(
            'sum(rate(ray_serve_num_http_error_requests_total{error_code=~"5.."}[5m]))'
            " / sum(rate(ray_serve_num_http_requests_total[5m])) > 0.01"
        ),
        duration="5m",
        severity="critical",
        summary="Over 1% of HTTP requests fail with a server error",
        description="{{ $value | humanizePercentage }} of requests answered 5xx.",
        runbook_section="troubleshooting",
    ),
    Alert(
        name="CTVDecisionLatencyHigh",
        expr=f"histogram_quantile(0.99, sum by (le) (rate({_LATENCY}[5m]))) > 10",
        duration="10m",
        severity="warning",
        summary="Player API p99 latency over 10 ms",
        description=(
            "p99 {{ $value | humanize }} ms: more replicas (autoscaling at its maximum?) or a "
            "busy node."
        ),
        runbook_section="scaling",
    ),
    Alert(
        name="CTVFillRateLow",
        expr=f"{_FILLED} / {_ANSWERED} < 0.5 and {_ANSWERED} > 1",
        duration="15m",
        severity="warning",
        summary="Under half of the ad requests get an ad",
        description=(
            "Fill rate {{ $value | humanizePercentage }}: campaigns ended, paused, out of "
            "budget or targeted away from the requests (the campaigns' serving checks say)."
        ),
        runbook_section="troubleshooting",
    ),
    Alert(
        name="CTVStatsDelayed",
        expr="max(ray_ctv_sink_lag_seconds) > 60",
        duration="5m",
        severity="warning",
        summary="Beacons reach PostgreSQL over a minute late",
        description=(
            "Reports and budgets lag by {{ $value | humanize }} s: PostgreSQL slow or "
            "unreachable, or too few impression sinks (IMPRESSION_SINKS)."
        ),
        runbook_section="scaling",
    ),
    Alert(
        name="CTVBeaconRejectionsHigh",
        expr=(
            "sum(rate(ray_ctv_beacons_rejected_total[15m]))"
            " / (sum(rate(ray_ctv_beacons_accepted_total[15m]))"
            " + sum(rate(ray_ctv_beacons_rejected_total[15m]))) > 0.05"
        ),
        duration="15m",
        severity="warning",
        summary="Over 5% of beacons are refused",
        description=(
            "{{ $value | humanizePercentage }} refused: tampered URLs, a rotated "
            "TRACKING_SECRET without TRACKING_SECRET_PREVIOUS, or player clocks."
        ),
        runbook_section="rotating-secrets",
    ),
)


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    exprs: tuple[tuple[str, str], ...]
    """(PromQL, legend) per line."""
    unit: str = "short"


PANELS = (
    Panel(
        "Ad requests by outcome",
        (("sum by (outcome) (rate(ray_ctv_decisions_total[1m]))", "{{outcome}}"),),
        "reqps",
    ),
    Panel(
        "Fill rate",
        ((f"{_FILLED} / {_ANSWERED}", "filled"),),
        "percentunit",
    ),
    Panel(
        "Player API latency",
        tuple(
            (f"histogram_quantile({q}, sum by (le) (rate({_LATENCY}[5m])))", f"p{round(q * 100)}")
            for q in (0.5, 0.99)
        ),
        "ms",
    ),
    Panel(
        "Ads served and frequency-capped requests",
        (
            ("sum(rate(ray_ctv_ads_served_total[1m]))", "ads"),
            ("sum(rate(ray_ctv_frequency_capped_total[1m]))", "capped requests"),
        ),
        "reqps",
    ),
    Panel(
        "Beacons",
        (
            ("sum by (event) (rate(ray_ctv_beacons_accepted_total[1m]))", "{{event}}"),
            ("sum by (reason) (rate(ray_ctv_beacons_rejected_total[1m]))", "refused: {{reason}}"),
            ("sum by (reason) (rate(ray_ctv_beacons_invalid_total[1m]))", "invalid: {{reason}}"),
        ),
        "reqps",
    ),
    Panel(
        "Beacon pipeline",
        (
            ("max(ray_ctv_beacon_spill_size)", "waiting for Redis"),
            ("max(ray_ctv_event_stream_length)", "in the stream"),
        ),
    ),
    Panel("Stats delay", (("max(ray_ctv_sink_lag_seconds)", "sink lag"),), "s"),
    Panel(
        "Beacons per flush to PostgreSQL",
        (
            (
                "sum(rate(ray_ctv_sink_batch_size_sum[5m]))"
                " / sum(rate(ray_ctv_sink_batch_size_count[5m]))",
                "mean batch",
            ),
        ),
    ),
    Panel(
        "Privacy signals",
        (("sum by (reason) (rate(ray_ctv_tracking_limited_total[5m]))", "{{reason}}"),),
        "reqps",
    ),
    Panel(
        "Healthy replicas",
        (("sum by (deployment) (ray_serve_deployment_replica_healthy)", "{{deployment}}"),),
    ),
    Panel(
        "Server errors",
        (
            (
                "sum by (application) "
                '(rate(ray_serve_num_http_error_requests_total{error_code=~"5.."}[5m]))',
                "{{application}}",
            ),
        ),
        "reqps",
    ),
)

_PANEL_WIDTH, _PANEL_HEIGHT = 12, 8


def rule_groups() -> list[dict[str, Any]]:
    """The alerting rules, as a Prometheus rules file's ``groups``."""
    rules = [
        {
            "alert": a.name,
            "expr": a.expr,
            "for": a.duration,
            "labels": {"severity": a.severity, "service": "ctv-adserver"},
            "annotations": {
                "summary": a.summary,
                "description": a.description,
                "runbook": f"{RUNBOOK}#{a.runbook_section}",
            },
        }
        for a in ALERTS
    ]
    return [{"name": "ctv-adserver", "rules": rules}]


def grafana_dashboard() -> dict[str, Any]:
    """The Grafana dashboard (JSON model), two panels a row, on a Prometheus data source the
    viewer picks."""
    panels = []
    for number, panel in enumerate(PANELS):
        column, row = number % 2, number // 2
        panels.append(
            {
                "id": number + 1,
                "type": "timeseries",
                "title": panel.title,
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "gridPos": {
                    "x": column * _PANEL_WIDTH,
                    "y": row * _PANEL_HEIGHT,
                    "w": _PANEL_WIDTH,
                    "h": _PANEL_HEIGHT,
                },
                "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
                "targets": [
                    {"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend}
                    for i, (expr, legend) in enumerate(panel.exprs)
                ],
            }
        )
    return {
        "uid": "ctv-adserver",
        "title": "CTV ad server",
        "tags": ["ctv", "ray"],
        "timezone": "utc",
        "schemaVersion": 39,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "type": "datasource",
                    "query": "prometheus",
                    "label": "Prometheus",
                }
            ]
        },
        "panels": panels,
    }


def grafana_json() -> str:
    return json.dumps(grafana_dashboard(), indent=2) + "\n"
