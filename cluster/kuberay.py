"""Kubernetes manifests for the stack on EKS: ``python -m cluster.kuberay [--out DIR]``.

A KubeRay RayService whose ``serveConfigV2`` is serve_config.yaml itself (only the HTTP host is
changed, to 0.0.0.0, so the Service can reach the proxy), the Streamlit dashboard, and a Job that
applies the migrations. Settings come from a ConfigMap and secrets from a Secret, both written by
cluster/deploy.sh from the Terraform outputs; Ray's ingress settings are ``RAY_ENV_DEFAULTS`` of
the local launcher. The ``render_*`` functions only build dicts; :func:`main` writes YAML.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import itertools
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from cluster import monitoring
from cluster.ray_head import SERVE_CONFIG
from cluster.stack import GENERATED_SECRETS, RAY_ENV_DEFAULTS

Manifest = dict[str, Any]

INGRESS_HOST = "0.0.0.0"  # noqa: S104 (the proxy must answer on the pod IP)
SECRET_KEYS = (*GENERATED_SECRETS, "DATABASE_URL", "REDIS_URL")
"""Keys of the Secret; every Ray container gets each of them through a ``secretKeyRef``."""
OPTIONAL_SECRET_KEYS = ("TRACKING_SECRET_PREVIOUS", "NOTIFY_WEBHOOK_URL", "NOTIFY_WEBHOOK_SECRET")
"""Keys the Secret may hold: a rotated-out tracking secret (for a while, see docs/RUNBOOK.md),
the campaign news webhook and its signing key."""
MIGRATE_COMMAND = ("python", "-m", "storage.migrate")
APP_UID = 1000
"""The image's unprivileged user (``APP_UID`` in cluster/docker/Dockerfile)."""
DASHBOARD_PORT = 8501
"""Streamlit's port in the image's default command."""
RAY_DASHBOARD_PORT = 8265
RAY_AGENT_PORT = 52365
RAY_METRICS_PORT = 8080
MANIFEST_FILES = (
    "base.yaml",
    "migrate.yaml",
    "rayservice.yaml",
    "dashboard.yaml",
    "monitoring.yaml",
)
"""What ``--out`` writes, in the order cluster/deploy.sh applies them (monitoring.yaml only where
the Prometheus operator's resources exist)."""


@dataclasses.dataclass(frozen=True, slots=True)
class ManifestOptions:
    """What differs between deployments; the defaults suit a small production cluster."""

    image: str
    namespace: str = "ctv"
    name: str = "ctv-adserver"
    service_account: str = "ctv-adserver"
    role_arn: str | None = None
    """IAM role (IRSA) the Ray pods assume for the creatives bucket."""
    settings_configmap: str = "ctv-settings"
    secret_name: str = "ctv-secrets"  # noqa: S105 (a name)
    min_workers: int = 1
    max_workers: int = 4
    head_cpu: str = "2"
    head_memory: str = "8Gi"
    worker_cpu: str = "3"
    worker_memory: str = "12Gi"
    dashboard_replicas: int = 1
    serve_service_type: str = "LoadBalancer"
    tls_certificate_arn: str | None = None
    """ACM certificate: the serve load balancer terminates TLS on 443 (else plain HTTP on 80)."""
    dashboard_service_type: str = "ClusterIP"
    config_version: str = ""
    """Changes whenever the ConfigMap or Secret does (deploy.sh passes their hash): it annotates
    the pod templates, so a settings change rolls the pods that read them at start."""


def load_serve_config(source: Path = SERVE_CONFIG) -> dict[str, Any]:
    """serve_config.yaml with the one override the in-cluster ingress needs: HTTP host 0.0.0.0."""
    config: dict[str, Any] = yaml.safe_load(source.read_text())
    config.setdefault("http_options", {})["host"] = INGRESS_HOST
    return config


def _labels(options: ManifestOptions, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": options.name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "ctv-adserver",
    }


def _meta(options: ManifestOptions, name: str, component: str) -> Manifest:
    return {"name": name, "namespace": options.namespace, "labels": _labels(options, component)}


def _secret_env(
    options: ManifestOptions, keys: Sequence[str], *, optional: bool = False
) -> list[Manifest]:
    ref: Manifest = {"name": options.secret_name}
    if optional:
        ref["optional"] = True
    return [{"name": key, "valueFrom": {"secretKeyRef": {**ref, "key": key}}} for key in keys]


def _settings_env_from(options: ManifestOptions) -> list[Manifest]:
    return [{"configMapRef": {"name": options.settings_configmap}}]


def _resources(cpu: str, memory: str) -> Manifest:
    amount = {"cpu": cpu, "memory": memory}
    return {"requests": amount, "limits": amount}


def _pod_spec(containers: list[Manifest], **extra: Any) -> Manifest:
    """A pod spec running as the image's user, without privileges."""
    return {
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": APP_UID,
            "runAsGroup": APP_UID,
            # Lets that user read the projected IRSA token.
            "fsGroup": APP_UID,
        },
        "containers": [
            {
                **container,
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
            for container in containers
        ],
        **extra,
    }


def _pod_metadata(options: ManifestOptions, component: str) -> Manifest:
    metadata: Manifest = {"labels": _labels(options, component)}
    if options.config_version:
        metadata["annotations"] = {"ctv.io/config-version": options.config_version}
    return metadata


def _ray_pod(
    options: ManifestOptions, *, container: str, cpu: str, memory: str, ports: list[Manifest]
) -> Manifest:
    """Pod template of a Ray node. Its probes ask the node's own agent (raylet, and GCS on the
    head): KubeRay's default worker probe also waits for a Serve proxy, which workers do not run
    with ``proxy_location: HeadOnly``."""
    health = {"httpGet": {"path": "/api/healthz", "port": RAY_AGENT_PORT}, "timeoutSeconds": 5}
    # KubeRay's own timing: ready within seconds, restarted only after 10 minutes of failures
    # (a GCS hiccup must not kill the head and every replica with it).
    ray_container = {
        "name": container,
        "image": options.image,
        "imagePullPolicy": "IfNotPresent",
        "resources": _resources(cpu, memory),
        "ports": ports,
        "env": [
            *({"name": key, "value": value} for key, value in RAY_ENV_DEFAULTS.items()),
            *_secret_env(options, SECRET_KEYS),
            *_secret_env(options, OPTIONAL_SECRET_KEYS, optional=True),
        ],
        "envFrom": _settings_env_from(options),
        "readinessProbe": {**health, "initialDelaySeconds": 10, "periodSeconds": 5},
        "livenessProbe": {
            **health,
            "initialDelaySeconds": 30,
            "periodSeconds": 5,
            "failureThreshold": 120,
        },
        "volumeMounts": [
            # Ray's session dir, HAProxy's files, uploads and renditions being made.
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108
            {"name": "shm", "mountPath": "/dev/shm"},  # noqa: S108
        ],
    }
    return {
        "metadata": _pod_metadata(options, "ray"),
        "spec": _pod_spec(
            [ray_container],
            serviceAccountName=options.service_account,
            volumes=[
                {"name": "tmp", "emptyDir": {}},
                # Ray's object store: the container runtime's default /dev/shm is 64 MB.
                {"name": "shm", "emptyDir": {"medium": "Memory"}},
            ],
        ),
    }


def serve_port(serve_config: dict[str, Any]) -> int:
    """The Serve HTTP port of ``serve_config`` (Serve's default when it names none)."""
    return int(serve_config.get("http_options", {}).get("port", 8000))


def render_rayservice(options: ManifestOptions, serve_config: dict[str, Any]) -> Manifest:
    """The RayService: head (GCS, Serve controller, the HAProxy ingress) and autoscaled workers
    (Serve replicas, actors, transcoding tasks), serving ``serve_config``."""
    port = serve_port(serve_config)
    head_ports = [
        {"name": "gcs-server", "containerPort": 6379},
        {"name": "dashboard", "containerPort": RAY_DASHBOARD_PORT},
        {"name": "client", "containerPort": 10001},
        {"name": "serve", "containerPort": port},
        {"name": "metrics", "containerPort": RAY_METRICS_PORT},
    ]
    metrics = {"metrics-export-port": str(RAY_METRICS_PORT)}
    head = {
        # No tasks or replicas on the head: it runs the cluster's control plane and the ingress.
        "rayStartParams": {"dashboard-host": INGRESS_HOST, "num-cpus": "0", **metrics},
        "template": _ray_pod(
            options,
            container="ray-head",
            cpu=options.head_cpu,
            memory=options.head_memory,
            ports=head_ports,
        ),
    }
    workers = {
        "groupName": "workers",
        "replicas": options.min_workers,
        "minReplicas": options.min_workers,
        "maxReplicas": options.max_workers,
        "rayStartParams": metrics,
        "template": _ray_pod(
            options,
            container="ray-worker",
            cpu=options.worker_cpu,
            memory=options.worker_memory,
            ports=[{"name": "metrics", "containerPort": RAY_METRICS_PORT}],
        ),
    }
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": _meta(options, options.name, "ray"),
        "spec": {
            "serveConfigV2": yaml.safe_dump(serve_config, sort_keys=False),
            "serveService": _serve_service(options, port),
            "rayClusterConfig": {
                "rayVersion": importlib.metadata.version("ray"),
                # Ray's autoscaler adds workers when Serve autoscaling asks for more replicas.
                "enableInTreeAutoscaling": True,
                "autoscalerOptions": {
                    "upscalingMode": "Default",
                    "idleTimeoutSeconds": 300,
                    "resources": _resources("500m", "512Mi"),
                },
                "headGroupSpec": head,
                "workerGroupSpecs": [workers],
            },
        },
    }


def _serve_service(options: ManifestOptions, port: int) -> Manifest:
    """The players' way in: an AWS NLB (KubeRay points it at the pods whose proxy is healthy)."""
    annotations = {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}
    public = {"name": "http", "port": 80, "targetPort": port}
    if options.tls_certificate_arn:
        annotations |= {
            "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": options.tls_certificate_arn,
            "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
        }
        public = {"name": "https", "port": 443, "targetPort": port}
    return {
        "metadata": {"name": f"{options.name}-serve", "annotations": annotations},
        "spec": {"type": options.serve_service_type, "ports": [public]},
    }


def _route_prefix(serve_config: dict[str, Any], app: str) -> str:
    prefixes = {a["name"]: a["route_prefix"] for a in serve_config["applications"]}
    return str(prefixes[app])


def render_dashboard(options: ManifestOptions, serve_config: dict[str, Any]) -> list[Manifest]:
    """The Streamlit dashboard (the image's default command) and its Service. It reaches the
    management API inside the cluster, through the head Service KubeRay keeps for the RayService
    (``<name>-head-svc``, which follows the active cluster across upgrades)."""
    admin_api = "http://{}-head-svc.{}.svc:{}{}".format(
        options.name,
        options.namespace,
        serve_port(serve_config),
        _route_prefix(serve_config, "management"),
    )
    name = f"{options.name}-dashboard"
    health = {"httpGet": {"path": "/_stcore/health", "port": DASHBOARD_PORT}}
    container = {
        "name": "dashboard",
        "image": options.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": DASHBOARD_PORT}],
        "env": [{"name": "ADMIN_API_URL", "value": admin_api}],
        "envFrom": _settings_env_from(options),
        "resources": _resources("500m", "1Gi"),
        "readinessProbe": health,
        "livenessProbe": {**health, "initialDelaySeconds": 20},
    }
    selector = _labels(options, "dashboard")
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(options, name, "dashboard"),
        "spec": {
            "replicas": options.dashboard_replicas,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": _pod_metadata(options, "dashboard"),
                "spec": _pod_spec([container], automountServiceAccountToken=False),
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(options, name, "dashboard"),
        "spec": {
            "type": options.dashboard_service_type,
            "selector": selector,
            "ports": [{"name": "http", "port": 80, "targetPort": DASHBOARD_PORT}],
        },
    }
    return [deployment, service]


def render_migration_job(options: ManifestOptions) -> Manifest:
    """``alembic upgrade head`` (storage/migrate.py) once; deploy.sh runs it before the Ray
    cluster is updated and replaces it on every deploy (a Job's pod template is immutable)."""
    container = {
        "name": "migrate",
        "image": options.image,
        "imagePullPolicy": "IfNotPresent",
        "command": list(MIGRATE_COMMAND),
        "env": _secret_env(options, ["DATABASE_URL"]),
        "resources": _resources("250m", "512Mi"),
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(options, f"{options.name}-migrate", "migrate"),
        "spec": {
            "backoffLimit": 3,
            "activeDeadlineSeconds": 900,
            "ttlSecondsAfterFinished": 86_400,
            "template": {
                "metadata": {"labels": _labels(options, "migrate")},
                "spec": _pod_spec(
                    [container], restartPolicy="Never", automountServiceAccountToken=False
                ),
            },
        },
    }


def render_base(options: ManifestOptions) -> list[Manifest]:
    """The namespace and the Ray pods' service account (annotated for IRSA when a role is set)."""
    account: Manifest = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(options, options.service_account, "ray"),
    }
    if options.role_arn:
        account["metadata"]["annotations"] = {"eks.amazonaws.com/role-arn": options.role_arn}
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": options.namespace}}
    return [namespace, account]


def render_monitoring(options: ManifestOptions) -> list[Manifest]:
    """For the Prometheus operator and Grafana (cluster/monitoring.py): a PodMonitor scraping
    the Ray pods' metrics port, the alerting rules, and the dashboard as a ConfigMap Grafana's
    sidecar loads (label ``grafana_dashboard``)."""
    ray_pods = {"matchLabels": _labels(options, "ray")}
    scrape: Manifest = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": _meta(options, f"{options.name}-ray", "monitoring"),
        "spec": {
            "selector": ray_pods,
            "podMetricsEndpoints": [{"port": "metrics", "interval": "15s"}],
        },
    }
    rules: Manifest = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": _meta(options, f"{options.name}-alerts", "monitoring"),
        "spec": {"groups": monitoring.rule_groups()},
    }
    dashboard_meta = _meta(options, f"{options.name}-grafana", "monitoring")
    dashboard_meta["labels"]["grafana_dashboard"] = "1"
    dashboard: Manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": dashboard_meta,
        "data": {"ctv-adserver.json": monitoring.grafana_json()},
    }
    return [scrape, rules, dashboard]


def render_manifests(
    options: ManifestOptions, serve_config: dict[str, Any] | None = None
) -> dict[str, list[Manifest]]:
    """Every manifest, by the file :func:`main` writes it to (see ``MANIFEST_FILES``)."""
    config = serve_config if serve_config is not None else load_serve_config()
    rendered = {
        "base.yaml": render_base(options),
        "migrate.yaml": [render_migration_job(options)],
        "rayservice.yaml": [render_rayservice(options, config)],
        "dashboard.yaml": render_dashboard(options, config),
        "monitoring.yaml": render_monitoring(options),
    }
    return {name: rendered[name] for name in MANIFEST_FILES}


class _ManifestDumper(yaml.SafeDumper):
    """Plain YAML for kubectl and for people: no anchors, multi-line strings as blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ManifestDumper.add_representer(str, _str_presenter)


def to_yaml(documents: Iterable[Manifest]) -> str:
    """``documents`` as one YAML stream."""
    return yaml.dump_all(documents, Dumper=_ManifestDumper, sort_keys=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cluster.kuberay",
        description="Render the stack's Kubernetes manifests.",
        allow_abbrev=False,
    )
    image = f"ctv-adserver:{importlib.metadata.version('ctv-adserver')}"
    parser.add_argument("--image", default=image, help=f"container image (default {image})")
    parser.add_argument("--out", type=Path, help="write one YAML file per part here, not stdout")
    parser.add_argument("--serve-config", type=Path, default=SERVE_CONFIG)
    for field in dataclasses.fields(ManifestOptions):
        if field.name != "image":
            parser.add_argument(
                "--" + field.name.replace("_", "-"),
                type=int if isinstance(field.default, int) else str,
                default=field.default,
                help=f"(default {field.default!r})",
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = vars(parser.parse_args(argv))
    out: Path | None = args.pop("out")
    serve_config = load_serve_config(args.pop("serve_config"))
    options = ManifestOptions(**args)
    if not 0 <= options.min_workers <= options.max_workers:
        parser.error("need 0 <= --min-workers <= --max-workers")
    manifests = render_manifests(options, serve_config)
    if out is None:
        sys.stdout.write(to_yaml(itertools.chain.from_iterable(manifests.values())))
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for name, documents in manifests.items():
        (out / name).write_text(to_yaml(documents))
        print(f"[kuberay] wrote {out / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
