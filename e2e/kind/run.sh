#!/usr/bin/env bash
# End-to-end on a real cluster: the tiny pipeline (datagen -> train -> eval, engine reference, on
# the CPU) on a local kind cluster, from the images this checkout builds.
#
#   e2e/kind/run.sh            create the cluster (if needed), build and load the images, install
#                              the operator, run e2e/kind/tiny-pipeline.yaml, check the results
#
# Environment:
#   KIND_CLUSTER      cluster name (default speculators-e2e)
#   KIND_NODE_IMAGE   node image for a new cluster (default kindest/node:v1.32.2)
#   E2E_NAMESPACE     namespace of the pipeline (default speculators-e2e)
#   E2E_TIMEOUT       how long to wait for the pipeline (default 20m)
#   SKIP_BUILD=1      use target/quarkus-app as it is (no mvn package)
#   KEEP_CLUSTER=1    keep a cluster this script created (default: delete it at the end)
#   RUN_JUNIT=1       afterwards also run the JUnit Kind test (KindPipelineTest) against it
#
# Needs docker, kind, kubectl, Java 17 and Maven. Exit status 0 when every resource is Ready and
# the trained draft's mean acceptance length beats the untrained draft's.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER="${KIND_CLUSTER:-speculators-e2e}"
NODE_IMAGE="${KIND_NODE_IMAGE:-kindest/node:v1.32.2}"
NS="${E2E_NAMESPACE:-speculators-e2e}"
TIMEOUT="${E2E_TIMEOUT:-20m}"
CONTEXT="kind-$CLUSTER"
KUBECTL=(kubectl --context "$CONTEXT")
CREATED=false

log() { echo "[$(date +%H:%M:%S)] $*"; }
die() { echo "e2e/kind/run.sh: $*" >&2; exit 1; }

for tool in docker kind kubectl java; do
  command -v "$tool" > /dev/null || die "'$tool' is not installed"
done
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  command -v mvn > /dev/null || die "'mvn' is not installed (or set SKIP_BUILD=1 after building)"
fi
docker info > /dev/null 2>&1 || die "the Docker daemon is not reachable"

cleanup() {
  local status=$?
  if [[ $status -ne 0 ]]; then
    log "FAILED; state of the cluster:"
    "${KUBECTL[@]}" -n "$NS" get hsd,spt,spe -o wide 2>/dev/null || true
    "${KUBECTL[@]}" -n "$NS" describe hsd,spt,spe 2>/dev/null | tail -n 80 || true
    "${KUBECTL[@]}" -n "$NS" get pods,jobs,pvc -o wide 2>/dev/null || true
    for pod in $("${KUBECTL[@]}" -n "$NS" get pods -o name 2>/dev/null); do
      echo "--- logs of $pod"
      "${KUBECTL[@]}" -n "$NS" logs "$pod" --all-containers --tail=40 2>/dev/null || true
    done
    echo "--- operator log"
    "${KUBECTL[@]}" -n speculators-system logs deploy/speculators-operator --tail=80 2>/dev/null || true
  fi
  if [[ "$CREATED" == true && "${KEEP_CLUSTER:-0}" != 1 ]]; then
    log "deleting kind cluster $CLUSTER (KEEP_CLUSTER=1 keeps it)"
    kind delete cluster --name "$CLUSTER" > /dev/null 2>&1 || true
  fi
  exit $status
}
trap cleanup EXIT

# 1. the cluster
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  log "using kind cluster $CLUSTER"
else
  log "creating kind cluster $CLUSTER ($NODE_IMAGE)"
  kind create cluster --name "$CLUSTER" --image "$NODE_IMAGE" --wait 180s
  CREATED=true
fi

# 2. the application and the images (the trainer and eval images are for GPUs and not needed here)
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building the application"
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi
log "building and loading the images"
"$ROOT/images/build.sh" --tag e2e --only operator,worker --kind-load "$CLUSTER"

# 3. the operator
log "installing the operator"
"${KUBECTL[@]}" apply -k "$ROOT/e2e/kind"
"${KUBECTL[@]}" wait --for=condition=Established --timeout=60s \
  crd/hiddenstatedatasets.speculators.dev crd/speculatortrainings.speculators.dev crd/speculatorevals.speculators.dev
"${KUBECTL[@]}" -n speculators-system rollout status deploy/speculators-operator --timeout=180s

# 4. the pipeline
log "applying the tiny pipeline in namespace $NS"
"${KUBECTL[@]}" create namespace "$NS" --dry-run=client -o yaml | "${KUBECTL[@]}" apply -f -
"${KUBECTL[@]}" -n "$NS" delete hsd,spt,spe --all --wait=true > /dev/null
"${KUBECTL[@]}" -n "$NS" apply -f "$ROOT/e2e/kind/tiny-pipeline.yaml"
log "waiting up to $TIMEOUT for Ready"
"${KUBECTL[@]}" -n "$NS" wait --for=condition=Ready --timeout="$TIMEOUT" \
  hsd/tiny-chat spt/tiny-eagle3 spe/tiny-eagle3-eval
"${KUBECTL[@]}" -n "$NS" get hsd,spt,spe -o wide

# 5. the results
field() { "${KUBECTL[@]}" -n "$NS" get "$1" -o jsonpath="{$2}"; }
samples="$(field hsd/tiny-chat .status.results.samples)"
loss="$(field spt/tiny-eagle3 .status.results.trainLoss)"
final="$(field spt/tiny-eagle3 .status.results.finalPath)"
trained="$(field spe/tiny-eagle3-eval .status.results.meanAcceptanceLength)"
untrained="$(field spe/tiny-eagle3-eval .status.results.untrainedMeanAcceptanceLength)"
log "dataset: $samples samples; training: loss $loss, speculator $final;" \
  "evaluation: mean acceptance length $trained (untrained draft $untrained)"
[[ "${samples:-0}" -gt 0 ]] || die "the dataset reports no samples"
[[ -n "$final" ]] || die "the training reports no final speculator"
awk -v t="$trained" -v u="$untrained" 'BEGIN { exit !(t != "" && u != "" && t + 0 > u + 0) }' \
  || die "the trained draft ($trained) does not beat the untrained one ($untrained)"
log "PASSED: the trained speculator beats the untrained draft on the cluster"

# 6. optionally the same through the Java client
if [[ "${RUN_JUNIT:-0}" == 1 ]]; then
  log "running KindPipelineTest against $CONTEXT"
  "${KUBECTL[@]}" config use-context "$CONTEXT" > /dev/null
  (cd "$ROOT" && mvn -B test -Dgroups=kind -DexcludedGroups= -Dtest=KindPipelineTest -Dsurefire.failIfNoSpecifiedTests=false)
fi
