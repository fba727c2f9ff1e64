"""Static checks of cluster/terraform (parsed with python-hcl2: no terraform init, no network) and
of cluster/deploy.sh, which turns its outputs into the Secret, the ConfigMap and the manifests."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions

from cluster import kuberay
from cluster.kuberay import MANIFEST_FILES, SECRET_KEYS, ManifestOptions
from cluster.stack import GENERATED_SECRETS
from config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TF_DIR = ROOT / "cluster" / "terraform"
DEPLOY = ROOT / "cluster" / "deploy.sh"
HCL = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
REQUIRED_RESOURCES = {
    "helm_release",
    "aws_db_instance",
    "aws_elasticache_replication_group",
    "aws_s3_bucket",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_cloudfront_distribution",
    "aws_cloudfront_origin_access_control",
    "aws_iam_role",
}


@functools.cache
def _blocks() -> dict[str, list[dict[str, Any]]]:
    """Every top-level block of every .tf file by kind (resource, data, module, variable, ...)."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(TF_DIR.glob("*.tf")):
        with path.open() as file:
            for kind, blocks in hcl2.load(file, serialization_options=HCL).items():
                merged.setdefault(kind, []).extend(blocks)
    return merged


def _named(kind: str) -> dict[str, dict[str, Any]]:
    """Blocks with one label (variable, output, module) by label."""
    return {name: body for block in _blocks().get(kind, []) for name, body in block.items()}


def _typed(kind: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Blocks with two labels (resource, data) by (type, name)."""
    return {
        (kind_, name): body
        for block in _blocks().get(kind, [])
        for kind_, named in block.items()
        for name, body in named.items()
    }


def _resource(kind: str) -> dict[str, Any]:
    (body,) = [body for (type_, _), body in _typed("resource").items() if type_ == kind]
    return body


def _source() -> str:
    return "\n".join(path.read_text() for path in sorted(TF_DIR.glob("*.tf")))


def _script() -> str:
    return DEPLOY.read_text()


def test_the_infrastructure_the_stack_needs_is_declared() -> None:
    modules = _named("module")
    assert modules["vpc"]["source"] == "terraform-aws-modules/vpc/aws"
    assert modules["eks"]["source"] == "terraform-aws-modules/eks/aws"
    assert all(module["version"] for module in modules.values())
    assert modules["eks"]["eks_managed_node_groups"]
    assert {type_ for type_, _ in _typed("resource")} >= REQUIRED_RESOURCES
    assert _resource("helm_release")["chart"] == "kuberay-operator"
    assert _resource("aws_db_instance")["engine"] == "postgres"
    assert _resource("aws_elasticache_replication_group")["engine"] == "redis"


def test_terraform_and_providers_are_pinned() -> None:
    (settings,) = _blocks()["terraform"]
    assert settings["required_version"].startswith(">=")
    (providers,) = settings["required_providers"]
    used = {type_.split("_")[0] for type_, _ in _typed("resource") | _typed("data")}
    assert used <= set(providers)
    for provider in providers.values():
        assert provider["source"].startswith("hashicorp/")
        assert provider["version"].startswith("~>")


def test_every_variable_has_a_description_and_a_type() -> None:
    variables = _named("variable")
    assert variables
    for name, body in variables.items():
        assert body.get("description"), name
        assert body.get("type"), name


def test_every_reference_is_declared_and_every_variable_used() -> None:
    source = _source()
    declared = set(_named("variable"))
    used = set(re.findall(r"\bvar\.([A-Za-z_][\w-]*)", source))
    assert used == declared
    assert set(re.findall(r"\bmodule\.(\w+)", source)) <= set(_named("module"))
    locals_ = {name for block in _blocks().get("locals", []) for name in block}
    assert set(re.findall(r"\blocal\.(\w+)", source)) <= locals_
    data = set(re.findall(r"\bdata\.(\w+)\.(\w+)", source))
    assert data <= set(_typed("data"))
    resources = set(re.findall(r"(?<![\w.])((?:aws|random|helm)_\w+)\.(\w+)", source))
    assert resources <= set(_typed("resource"))


def test_the_creatives_bucket_is_private_and_encrypted() -> None:
    block = _resource("aws_s3_bucket_public_access_block")
    assert block["bucket"] == "${aws_s3_bucket.creatives.id}"
    for setting in (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ):
        assert block[setting] is True, setting
    encryption = _resource("aws_s3_bucket_server_side_encryption_configuration")
    assert encryption["bucket"] == "${aws_s3_bucket.creatives.id}"
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
    # The bucket policy lets only this CloudFront distribution read, and only over TLS.
    policy = _typed("data")[("aws_iam_policy_document", "creatives_bucket")]
    allows = [s for s in policy["statement"] if s.get("effect", "Allow") == "Allow"]
    assert [s["principals"][0]["identifiers"] for s in allows] == [["cloudfront.amazonaws.com"]]
    assert allows[0]["condition"][0]["values"] == ["${aws_cloudfront_distribution.creatives.arn}"]
    distribution = _resource("aws_cloudfront_distribution")
    origin = distribution["origin"][0]
    oac = "${aws_cloudfront_origin_access_control.creatives.id}"
    assert origin["origin_access_control_id"] == oac
    assert distribution["default_cache_behavior"][0]["viewer_protocol_policy"] != "allow-all"


def test_the_database_and_redis_are_private_and_encrypted() -> None:
    database = _resource("aws_db_instance")
    assert database["publicly_accessible"] is False
    assert database["storage_encrypted"] is True
    assert database["skip_final_snapshot"] is False
    redis = _resource("aws_elasticache_replication_group")
    assert redis["at_rest_encryption_enabled"] is True
    assert redis["transit_encryption_enabled"] is True
    assert redis["auth_token"] == "${random_password.redis.result}"
    for rule in ("db_from_nodes", "redis_from_nodes"):
        ingress = _typed("resource")[("aws_vpc_security_group_ingress_rule", rule)]
        assert ingress["referenced_security_group_id"] == "${module.eks.node_security_group_id}"
        assert "cidr_ipv4" not in ingress


def test_the_ray_pods_role_reaches_the_creatives_bucket_only() -> None:
    role = _resource("aws_iam_role")
    assert role["assume_role_policy"] == "${data.aws_iam_policy_document.ray_assume.json}"
    (trust,) = _typed("data")[("aws_iam_policy_document", "ray_assume")]["statement"]
    subjects = {c["variable"]: c["values"] for c in trust["condition"]}
    account = "system:serviceaccount:${var.namespace}:${var.service_account}"
    assert subjects["${module.eks.oidc_provider}:sub"] == [account]
    # The trusted service account is the one the generated manifests give the Ray pods.
    variables = _named("variable")
    defaults = ManifestOptions(image="")
    assert variables["namespace"]["default"] == defaults.namespace
    assert variables["service_account"]["default"] == defaults.service_account

    policy = _typed("data")[("aws_iam_policy_document", "creatives_access")]
    for statement in policy["statement"]:
        assert all(
            action.startswith("s3:") and "*" not in action for action in statement["actions"]
        )
        for resource in statement["resources"]:
            assert resource.startswith("${aws_s3_bucket.creatives.arn}")
    (attached,) = [
        body for (t, _), body in _typed("resource").items() if t == "aws_iam_role_policy"
    ]
    assert attached["policy"] == "${data.aws_iam_policy_document.creatives_access.json}"


def test_outputs_cover_what_deploy_sh_reads_and_map_onto_settings() -> None:
    outputs = _named("output")
    read = set(re.findall(r"\$\(out (\w+)\)", _script()))
    assert read
    assert read <= set(outputs)
    for name, body in outputs.items():
        assert body.get("description"), name
        if re.search(r"password|token|secret", name):
            assert body.get("sensitive") is True, name
    settings = set(Settings.model_fields)
    assert {name for name in outputs if name.startswith("s3_")} <= settings
    assert {"s3_bucket", "s3_region", "s3_public_base_url", "public_base_url"} <= read


def test_the_example_tfvars_set_declared_variables() -> None:
    example = (TF_DIR / "terraform.tfvars.example").read_text()
    assert set(hcl2.loads(example, serialization_options=HCL)) <= set(_named("variable"))


@pytest.mark.skipif(shutil.which("terraform") is None, reason="no terraform binary")
def test_terraform_files_are_formatted() -> None:
    done = subprocess.run(
        ["terraform", "fmt", "-check", "-diff", "-recursive", str(TF_DIR)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


# --- cluster/deploy.sh ---------------------------------------------------------------------------


def test_deploy_script_is_strict_bash() -> None:
    assert _script().startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in _script()
    done = subprocess.run(["bash", "-n", str(DEPLOY)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_deploy_script_passes_shellcheck() -> None:
    done = subprocess.run(["shellcheck", str(DEPLOY)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_deploy_script_calls_the_generator_with_options_it_accepts(tmp_path: Path) -> None:
    passed = re.findall(r"options\+?=\(([^)]*)\)", _script())
    flags = [flag for block in passed for flag in re.findall(r"(--[a-z][a-z-]*) ", block)]
    assert "--image" in flags
    argv = [arg for flag in flags for arg in (flag, "1")]
    argv[argv.index("--out") + 1] = str(tmp_path)

    assert kuberay.main(argv) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(MANIFEST_FILES)


def test_deploy_script_applies_every_manifest_in_order_by_the_names_it_renders() -> None:
    script = _script()
    applied = re.findall(r"\$work/k8s/([\w-]+\.yaml)", script)
    assert list(dict.fromkeys(applied)) == list(MANIFEST_FILES)
    (name,) = re.findall(r"^NAME=(\S+)$", script, flags=re.MULTILINE)
    manifests = kuberay.render_manifests(ManifestOptions(image="x", name=name))
    documents = [doc for docs in manifests.values() for doc in docs]
    (rayservice,) = [doc for doc in documents if doc["kind"] == "RayService"]
    waited_for = [
        rayservice["spec"]["serveService"]["metadata"]["name"],
        *(doc["metadata"]["name"] for doc in documents if doc["kind"] in {"Job", "Deployment"}),
    ]
    for resource in waited_for:
        assert f"$NAME{resource.removeprefix(name)}" in script, resource


def test_deploy_script_fills_every_key_of_the_secret_and_only_known_settings() -> None:
    script = _script()
    assert "from cluster.stack import GENERATED_SECRETS" in script
    for key in SECRET_KEYS:
        assert key in GENERATED_SECRETS or f"'{key}=" in script, key
    settings = re.findall(r"\bsetting ([A-Z][A-Z0-9_]*) ", script)
    assert "OBJECT_STORE" in settings
    assert {key.lower() for key in settings} <= set(Settings.model_fields)
