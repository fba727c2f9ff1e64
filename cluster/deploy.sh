#!/usr/bin/env bash
# Deploy or update the stack on AWS (docs/RUNBOOK.md): terraform apply, then the Secret and the
# ConfigMap from its outputs, then the manifests of `python -m cluster.kuberay`: the migration
# Job first, then the RayService and the dashboard. Safe to run again: an unchanged stack stays
# as it is, and the generated secrets are kept.
#
# Usage: cluster/deploy.sh [--skip-terraform] [--build] [--image IMAGE]
#   --skip-terraform  only read the outputs of the last apply
#   --build           build and push the image (cluster/docker/Dockerfile) unless ECR has it
#   --image IMAGE     deploy this image (default: <ECR repository>:<git commit>)
# Environment:
#   AUTO_APPROVE=1                 terraform apply without asking
#   PYTHON                         the project's Python (default .venv/bin/python)
#   JWT_SECRET, TRACKING_SECRET,   replace the kept value (rotation: docs/RUNBOOK.md);
#   ADMIN_PASSWORD                 otherwise each is generated once and kept in the Secret
#   DROP_PREVIOUS_TRACKING_SECRET=1  forget the secret a TRACKING_SECRET rotation kept
#   ADMIN_EMAIL                    the bootstrapped admin (default admin@example.com)
#   NOTIFY_WEBHOOK_URL,            campaign news webhook and its signing key (kept in the Secret:
#   NOTIFY_WEBHOOK_SECRET          a chat webhook's URL is a credential); set to "-" to remove
#   EXTRA_SETTINGS_FILE            KEY=VALUE lines added to the settings ConfigMap
#   MIN_WORKERS, MAX_WORKERS       bounds of the autoscaled Ray worker group
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_DIR="$ROOT/cluster/terraform"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
NAME=ctv-adserver
SECRET_NAME=ctv-secrets
SETTINGS_CONFIGMAP=ctv-settings

say() { printf '[deploy] %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

skip_terraform=0
build=0
image=""
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-terraform) skip_terraform=1 ;;
    --build) build=1 ;;
    --image)
      image="${2:?--image needs a value}"
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

for tool in terraform aws kubectl; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -x "$PY" ] || die "no Python at $PY (run make install, or set PYTHON)"
cd "$ROOT"

work="$(mktemp -d)"
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
export KUBECONFIG="$work/kubeconfig" # this cluster only, whatever the current context is

# --- 1. Infrastructure (Terraform) --------------------------------------------------------------
if [ "$skip_terraform" = 0 ]; then
  say "terraform apply in $TF_DIR"
  terraform -chdir="$TF_DIR" init -input=false >/dev/null
  approve=()
  [ "${AUTO_APPROVE:-0}" = 1 ] && approve=(-auto-approve)
  terraform -chdir="$TF_DIR" apply -input=false ${approve[@]+"${approve[@]}"}
fi

say "reading the Terraform outputs"
terraform -chdir="$TF_DIR" output -json >"$work/outputs.json"
out() {
  "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["value"])' \
    "$work/outputs.json" "$1"
}
region="$(out region)"
cluster="$(out cluster_name)"
namespace="$(out namespace)"
service_account="$(out service_account)"
role_arn="$(out ray_role_arn)"
repository="$(out ecr_repository_url)"
public_base_url="$(out public_base_url)"
tls_certificate_arn="$(out tls_certificate_arn)"
db_user="$(out db_username)"
db_password="$(out db_password)"
db_host="$(out db_host)"
db_port="$(out db_port)"
db_name="$(out db_name)"
redis_token="$(out redis_auth_token)"
redis_host="$(out redis_host)"
redis_port="$(out redis_port)"
s3_bucket="$(out s3_bucket)"
s3_region="$(out s3_region)"
s3_public_base_url="$(out s3_public_base_url)"
vpc_cidr="$(out vpc_cidr)"

say "kubectl credentials for EKS cluster $cluster"
aws eks update-kubeconfig --region "$region" --name "$cluster" --kubeconfig "$KUBECONFIG" >/dev/null

# --- 2. Image ------------------------------------------------------------------------------------
image="${image:-$repository:$(git rev-parse --short=12 HEAD)}"
in_ecr() {
  aws ecr describe-images --region "$region" --repository-name "${repository#*/}" \
    --image-ids "imageTag=${image##*:}" >/dev/null 2>&1
}
if [ "${image%:*}" = "$repository" ] && ! in_ecr; then
  [ "$build" = 1 ] || die "$image is not in ECR: run with --build, or pass --image"
  [ -z "$(git status --porcelain)" ] || die "commit your changes first: the tag names the commit"
  say "building $image"
  docker build --platform linux/amd64 -f cluster/docker/Dockerfile -t "$image" .
  say "pushing $image"
  aws ecr get-login-password --region "$region" |
    docker login --username AWS --password-stdin "${repository%%/*}"
  docker push "$image"
fi

# --- 3. Secret and settings ----------------------------------------------------------------------
# Secrets the stack generates (cluster/stack.py GENERATED_SECRETS) are made once and then read
# back from the Secret. A new TRACKING_SECRET keeps the one it replaces as
# TRACKING_SECRET_PREVIOUS, so beacon URLs handed out before still verify until that is dropped.
kubectl -n "$namespace" get secret "$SECRET_NAME" --ignore-not-found -o json >"$work/kept.json"
kept() {
  "$PY" - "$work/kept.json" "$1" <<'PY'
import base64, json, pathlib, sys
text = pathlib.Path(sys.argv[1]).read_text()
data = json.loads(text).get("data", {}) if text.strip() else {}
print(base64.b64decode(data[sys.argv[2]]).decode() if sys.argv[2] in data else "")
PY
}
generated="$("$PY" -c 'from cluster.stack import GENERATED_SECRETS; print(*GENERATED_SECRETS)')"
{
  for key in $generated; do
    value="${!key:-}"
    [ -n "$value" ] || value="$(kept "$key")"
    if [ -z "$value" ]; then
      say "generating $key"
      value="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')"
    fi
    printf '%s=%s\n' "$key" "$value"
  done
  previous="$(kept TRACKING_SECRET_PREVIOUS)"
  if [ -n "${TRACKING_SECRET:-}" ] && [ "$TRACKING_SECRET" != "$(kept TRACKING_SECRET)" ]; then
    previous="$(kept TRACKING_SECRET)"
    say "TRACKING_SECRET rotated: the old one still verifies beacons as TRACKING_SECRET_PREVIOUS"
  fi
  if [ "${DROP_PREVIOUS_TRACKING_SECRET:-0}" = 1 ]; then previous=""; fi
  if [ -n "$previous" ]; then printf 'TRACKING_SECRET_PREVIOUS=%s\n' "$previous"; fi
  for key in NOTIFY_WEBHOOK_URL NOTIFY_WEBHOOK_SECRET; do
    value="${!key:-$(kept "$key")}"
    if [ -n "$value" ] && [ "$value" != "-" ]; then printf '%s=%s\n' "$key" "$value"; fi
  done
  printf 'DATABASE_URL=postgresql://%s:%s@%s:%s/%s\n' \
    "$db_user" "$db_password" "$db_host" "$db_port" "$db_name"
  printf 'REDIS_URL=rediss://:%s@%s:%s/0\n' "$redis_token" "$redis_host" "$redis_port"
} >"$work/secrets.env"

setting() { printf '%s=%s\n' "$1" "$2"; }
{
  setting OBJECT_STORE s3
  setting S3_BUCKET "$s3_bucket"
  setting S3_REGION "$s3_region"
  setting S3_PUBLIC_BASE_URL "$s3_public_base_url"
  setting PUBLIC_BASE_URL "$public_base_url"
  # The load balancer and the ingress hand the device's address on in X-Forwarded-For.
  setting TRUSTED_PROXIES "127.0.0.0/8,::1,$vpc_cidr"
  if [ -n "${ADMIN_EMAIL:-}" ]; then setting ADMIN_EMAIL "$ADMIN_EMAIL"; fi
  if [ -n "${EXTRA_SETTINGS_FILE:-}" ]; then cat "$EXTRA_SETTINGS_FILE"; fi
} >"$work/settings.env"
# Pods read settings at start: a new value must roll them (cluster.kuberay --config-version).
config_version="$(cat "$work/settings.env" "$work/secrets.env" |
  "$PY" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')"

# --- 4. Manifests --------------------------------------------------------------------------------
say "rendering the manifests (python -m cluster.kuberay)"
options=(
  --out "$work/k8s"
  --image "$image"
  --name "$NAME"
  --namespace "$namespace"
  --service-account "$service_account"
  --role-arn "$role_arn"
  --secret-name "$SECRET_NAME"
  --settings-configmap "$SETTINGS_CONFIGMAP"
  --config-version "$config_version"
)
if [ -n "$tls_certificate_arn" ]; then options+=(--tls-certificate-arn "$tls_certificate_arn"); fi
if [ -n "${MIN_WORKERS:-}" ]; then options+=(--min-workers "$MIN_WORKERS"); fi
if [ -n "${MAX_WORKERS:-}" ]; then options+=(--max-workers "$MAX_WORKERS"); fi
"$PY" -m cluster.kuberay "${options[@]}"

say "namespace $namespace, service account, Secret $SECRET_NAME, ConfigMap $SETTINGS_CONFIGMAP"
kubectl apply -f "$work/k8s/base.yaml"
kubectl -n "$namespace" create secret generic "$SECRET_NAME" \
  --from-env-file="$work/secrets.env" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl -n "$namespace" create configmap "$SETTINGS_CONFIGMAP" \
  --from-env-file="$work/settings.env" --dry-run=client -o yaml | kubectl apply -f -

# --- 5. Migrations, then the new version ---------------------------------------------------------
say "migrating the database (job/$NAME-migrate)"
kubectl -n "$namespace" delete job "$NAME-migrate" --ignore-not-found --wait=true
kubectl apply -f "$work/k8s/migrate.yaml"
# true_conditions RESOURCE: the types of its status conditions that are True, e.g. " Complete".
true_conditions() {
  kubectl -n "$namespace" get "$1" \
    -o 'jsonpath={range .status.conditions[?(@.status=="True")]} {.type}{end}'
}
deadline=$((SECONDS + 1000)) # the Job's own deadline is 900 s
until [[ "$(true_conditions "job/$NAME-migrate")" =~ \ (Complete|Failed) ]]; do
  [ "$SECONDS" -lt "$deadline" ] || break
  sleep 5
done
if [[ ! "$(true_conditions "job/$NAME-migrate")" =~ \ Complete ]]; then
  kubectl -n "$namespace" logs "job/$NAME-migrate" --tail=100 || true
  die "the migration did not complete; the running version was left as it is"
fi

say "applying the RayService and the dashboard"
kubectl apply -f "$work/k8s/rayservice.yaml" -f "$work/k8s/dashboard.yaml"
say "waiting for the RayService (a changed cluster spec brings up a new Ray cluster first)"
# Ready once the controller has seen this spec (observedGeneration) and no upgrade is running.
deadline=$((SECONDS + 1800))
generations() {
  kubectl -n "$namespace" get "rayservice/$NAME" \
    -o 'jsonpath={.metadata.generation}={.status.observedGeneration}'
}
until
  seen="$(generations)"
  conditions="$(true_conditions "rayservice/$NAME")"
  [ "${seen%=*}" = "${seen#*=}" ] && [[ "$conditions" =~ \ Ready ]] &&
    [[ ! "$conditions" =~ \ UpgradeInProgress ]]
do
  [ "$SECONDS" -lt "$deadline" ] || die "the RayService is not ready after 30 min (docs/RUNBOOK.md)"
  say "RayService: generation ${seen%=*} seen ${seen#*=}, true conditions:${conditions:- none}"
  sleep 15
done
kubectl -n "$namespace" rollout status "deployment/$NAME-dashboard" --timeout=10m
if kubectl get crd podmonitors.monitoring.coreos.com prometheusrules.monitoring.coreos.com \
  >/dev/null 2>&1; then
  say "applying the PodMonitor, the alerting rules and the Grafana dashboard"
  kubectl apply -f "$work/k8s/monitoring.yaml"
else
  say "no Prometheus operator in the cluster: monitoring.yaml not applied (docs/RUNBOOK.md)"
fi

balancer="$(kubectl -n "$namespace" get service "$NAME-serve" \
  -o 'jsonpath={.status.loadBalancer.ingress[0].hostname}')"
say "deployed $image"
say "serve load balancer (players, management API): ${balancer:-pending}"
say "point the DNS name of $public_base_url at it"
say "dashboard: kubectl -n $namespace port-forward service/$NAME-dashboard 8501:80"
