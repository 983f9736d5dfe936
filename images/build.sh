#!/usr/bin/env bash
# Builds the four images of the project from the packaged application (target/quarkus-app):
#
#   operator  the operator Deployment (manifests/deployment.yaml)
#   worker    CPU workers: datagen, layer-ids, engine reference (with the tiny example target)
#   trainer   the GPU trainer (CUDA libtorch)
#   eval      GuideLLM plus the result collector
#
# Usage (from anywhere; run `mvn -B package -DskipTests` first):
#   images/build.sh [--repository REPO] [--tag TAG] [--only NAME[,NAME...]] [--push]
#                   [--kind-load CLUSTER] [--builder docker|podman] [--dry-run]
#
# Images are named REPO/NAME:TAG (default speculators/NAME:<project version>). The operator reads
# the workload images from SPECULATORS_{WORKER,TRAINER,EVAL}_IMAGE; the script prints the values
# to set (docs/installing.md: "Images").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALL_IMAGES=(operator worker trainer eval)

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  echo
  echo "Options:"
  echo "  --repository REPO   image name prefix (default: \$SPECULATORS_IMAGE_REPOSITORY or speculators)"
  echo "  --tag TAG           image tag (default: \$SPECULATORS_IMAGE_TAG or the project version without -SNAPSHOT)"
  echo "  --only LIST         comma-separated subset of: ${ALL_IMAGES[*]}"
  echo "  --push              push every image after building it"
  echo "  --kind-load NAME    load every image into the kind cluster NAME"
  echo "  --builder CMD       docker (default) or podman (also \$CONTAINER_BUILDER)"
  echo "  --dry-run           print the commands without running them"
}

project_version() {
  # The first <version> in pom.xml is the project's own (the parent-less pom starts with it).
  sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1 | sed 's/-SNAPSHOT$//'
}

REPOSITORY="${SPECULATORS_IMAGE_REPOSITORY:-speculators}"
TAG="${SPECULATORS_IMAGE_TAG:-$(project_version)}"
BUILDER="${CONTAINER_BUILDER:-docker}"
KIND_CLUSTER=""
PUSH=false
DRY_RUN=false
IMAGES=("${ALL_IMAGES[@]}")

need_value() {
  if [[ $# -lt 2 || -z "$2" || "$2" == --* ]]; then
    echo "images/build.sh: $1 needs a value" >&2
    exit 2
  fi
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --repository) need_value "$@"; REPOSITORY="${2%/}"; shift 2 ;;
    --tag) need_value "$@"; TAG="$2"; shift 2 ;;
    --only) need_value "$@"; IFS=',' read -r -a IMAGES <<< "$2"; shift 2 ;;
    --push) PUSH=true; shift ;;
    --kind-load) need_value "$@"; KIND_CLUSTER="$2"; shift 2 ;;
    --builder) need_value "$@"; BUILDER="$2"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "images/build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

for image in "${IMAGES[@]}"; do
  case " ${ALL_IMAGES[*]} " in
    *" $image "*) ;;
    *) echo "images/build.sh: --only: unknown image '$image' (one of: ${ALL_IMAGES[*]})" >&2; exit 2 ;;
  esac
done
if [[ ! "$TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  echo "images/build.sh: --tag '$TAG' is not a valid image tag" >&2
  exit 2
fi

run() {
  echo "+ $*"
  if [[ "$DRY_RUN" == false ]]; then
    "$@"
  fi
}

if [[ "$DRY_RUN" == false ]]; then
  if [[ ! -f "$ROOT/target/quarkus-app/quarkus-run.jar" ]]; then
    echo "images/build.sh: $ROOT/target/quarkus-app/quarkus-run.jar is missing: run 'mvn -B package -DskipTests' first" >&2
    exit 1
  fi
  command -v "$BUILDER" > /dev/null || { echo "images/build.sh: '$BUILDER' is not installed" >&2; exit 1; }
  if [[ -n "$KIND_CLUSTER" ]]; then
    command -v kind > /dev/null || { echo "images/build.sh: --kind-load needs 'kind' on the PATH" >&2; exit 1; }
  fi
fi

cd "$ROOT"
BUILT=()
for image in "${IMAGES[@]}"; do
  ref="$REPOSITORY/$image:$TAG"
  echo "== $ref"
  run "$BUILDER" build -f "images/$image/Dockerfile" --build-arg "VERSION=$TAG" -t "$ref" .
  if [[ "$PUSH" == true ]]; then
    run "$BUILDER" push "$ref"
  fi
  if [[ -n "$KIND_CLUSTER" ]]; then
    run kind load docker-image "$ref" --name "$KIND_CLUSTER"
  fi
  BUILT+=("$ref")
done

echo
echo "Built: ${BUILT[*]}"
echo "Operator settings for these images (env of the operator Deployment):"
echo "  SPECULATORS_WORKER_IMAGE=$REPOSITORY/worker:$TAG"
echo "  SPECULATORS_TRAINER_IMAGE=$REPOSITORY/trainer:$TAG"
echo "  SPECULATORS_EVAL_IMAGE=$REPOSITORY/eval:$TAG"
