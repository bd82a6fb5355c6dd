#!/usr/bin/env bash
# Builds the runtime image and runs docker-compose.yml's stack end to end on a machine that
# reaches no image registry: base images are made locally (debootstrap + docker import) and
# cached by tag, the Swift toolchain and the git mirror of Swift packages come from this host.
# Then: every container healthy, hardening in place, and deploy.sh's smoke test against the
# Producer (POST /count, then the row appears through GET /count). Needs root. Prints timings.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT=$(pwd)
export CI="${CI:-true}" DEBIAN_FRONTEND=noninteractive
# Debian's docker.io has no buildx; the classic builder handles this Dockerfile.
export DOCKER_BUILDKIT=0

readonly BASE=count-pipeline-base
readonly DEBIAN_IMAGE=$BASE/debian:trixie
readonly REDIS_IMAGE=$BASE/redis:trixie
readonly MARIADB_IMAGE=$BASE/mariadb:trixie
readonly APP_IMAGE=count-pipeline:local
readonly PROJECT=count-pipeline-containers-test
readonly HEALTH_TIMEOUT_SECONDS=240
# The Dockerfile ADDs Amazon's RDS CA bundle from its URL, which machines without Internet access
# cannot reach; the build gets a committed test certificate instead. ADD takes a local source only
# from the build context, so it is a path inside the repository (and let in by .dockerignore).
readonly RDS_CA_FIXTURE=system-tests/deploy/fixtures/rds-ca-test.pem
readonly RDS_CA_FILE=/etc/ssl/certs/rds-global-bundle.pem

WORK=$(mktemp -d "${TMPDIR:-/tmp}/test-containers.XXXXXX")
STARTED_DOCKERD=""
COMPOSE=()
STARTED_AT=$SECONDS
STEP_AT=$SECONDS
STEP_NAME=""

# Starts a step and reports how long the previous one took.
step() {
  [[ -z $STEP_NAME ]] || printf -- '--- %s: %ss\n' "$STEP_NAME" "$((SECONDS - STEP_AT))"
  STEP_NAME=$*
  STEP_AT=$SECONDS
  printf '\n=== %s\n' "$STEP_NAME"
}
die() { printf 'test-containers: FAIL: %s\n' "$*" >&2; exit 1; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

cleanup() {
  local status=$?
  if [[ ${#COMPOSE[@]} -gt 0 && -f $WORK/stack.env ]]; then
    [[ $status -eq 0 ]] || compose logs --no-color --tail 40 >&2 || true
    compose down --volumes --remove-orphans >/dev/null 2>&1 || true
  fi
  if [[ -n $STARTED_DOCKERD ]]; then
    if kill "$STARTED_DOCKERD" 2>/dev/null; then wait "$STARTED_DOCKERD" 2>/dev/null || true; fi
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

compose() { "${COMPOSE[@]}" --project-name "$PROJECT" --env-file "$WORK/stack.env" -f "$REPO_ROOT/docker-compose.yml" "$@"; }

install_tools() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  [[ ${#missing[@]} -eq 0 ]] && return
  echo "installing ${missing[*]} (apt)"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

start_docker() {
  docker info >/dev/null 2>&1 && { echo "using the running Docker engine"; return; }
  # Niced, and so is every build and container it starts: the machine's cores are shared.
  nice -n 10 dockerd >"$WORK/dockerd.log" 2>&1 &
  STARTED_DOCKERD=$!
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && { echo "started dockerd (pid $STARTED_DOCKERD)"; return; }
    sleep 0.5
  done
  tail -20 "$WORK/dockerd.log" >&2
  die "dockerd did not come up"
}

pick_compose() {
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  else
    # Compose 1.x honours deploy.replicas only in compatibility mode.
    COMPOSE=(docker-compose --compatibility)
  fi
  echo "compose: ${COMPOSE[*]}"
}

make_debian_image() {
  have_image "$DEBIAN_IMAGE" && { echo "cached: $DEBIAN_IMAGE"; return; }
  debootstrap --variant=minbase trixie "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log" >&2; die "debootstrap trixie failed"; }
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" -c . | docker import - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$WORK/rootfs"
  echo "made: $DEBIAN_IMAGE"
}

# The host's toolchain (a swift.org Linux tarball's usr/) as an image, tagged by its version.
make_toolchain_image() {
  local swift_bin toolchain version
  swift_bin=$(readlink -f "$(command -v swift)") || die "no swift on PATH"
  toolchain=$(dirname "$(dirname "$(dirname "$swift_bin")")")
  version=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -1)
  SWIFT_IMAGE=$BASE/swift-toolchain:${version:?cannot read the Swift version}
  have_image "$SWIFT_IMAGE" && { echo "cached: $SWIFT_IMAGE"; return; }
  tar -C "$toolchain" -c usr | docker import - "$SWIFT_IMAGE" >/dev/null
  echo "made: $SWIFT_IMAGE from $toolchain"
}

# Debian plus this host's git mirror of github.com (git's url.<mirror>.insteadOf), so SwiftPM
# resolves inside the build exactly as it does on the host. Tagged by the mirror's refs, so a
# package or version added to the mirror makes a new builder.
make_builder_image() {
  local mirror refs_id
  mirror=$(git config --get-regexp '^url\..*\.insteadof$' 'https://github.com/' |
    sed -n 's/^url\.\(.*\)\.insteadof .*/\1/p' | head -1)
  [[ -n $mirror && -d $mirror ]] || die "no local git mirror of github.com (url.<dir>.insteadOf) on this host"
  refs_id=$(find "$mirror" -maxdepth 5 \( -name packed-refs -o -path '*/refs/tags/*' \) -printf '%P %s %T@\n' |
    sort | sha256sum | cut -c1-12)
  BUILDER_IMAGE=$BASE/builder:trixie-$refs_id
  have_image "$BUILDER_IMAGE" && { echo "cached: $BUILDER_IMAGE"; return; }
  mkdir -p "$WORK/builder"
  cp -al "$mirror" "$WORK/builder/swift-packages" 2>/dev/null || cp -a "$mirror" "$WORK/builder/swift-packages"
  printf '[url "/opt/swift-packages/"]\n\tinsteadOf = https://github.com/\n' >"$WORK/builder/gitconfig"
  docker build -q --build-arg BASE_IMAGE="$DEBIAN_IMAGE" -t "$BUILDER_IMAGE" \
    -f system-tests/deploy/images/builder.Dockerfile "$WORK/builder" >/dev/null
  echo "made: $BUILDER_IMAGE (mirror $mirror)"
}

# MySQL from the Debian sid root the Swift suite uses (scripts/lib/mysql.sh makes and caches it),
# imported as it is; tagged by that root's recipe.
make_mysql_image() {
  local root
  # shellcheck source=scripts/lib/services.sh
  source "$REPO_ROOT/scripts/lib/services.sh"
  # shellcheck source=scripts/lib/mysql.sh
  source "$REPO_ROOT/scripts/lib/mysql.sh"
  root=$(mysql_root_dir) || die "cannot make the MySQL root"
  MYSQL_IMAGE=$BASE/mysql:${root##*/}
  have_image "$MYSQL_IMAGE" && { echo "cached: $MYSQL_IMAGE"; return; }
  tar -C "$root" -c . | docker import - "$MYSQL_IMAGE" >/dev/null
  echo "made: $MYSQL_IMAGE from $root"
}

make_service_image() {
  local image=$1 dockerfile=$2
  have_image "$image" && { echo "cached: $image"; return; }
  docker build -q --build-arg BASE_IMAGE="$DEBIAN_IMAGE" -t "$image" -f "$dockerfile" system-tests/deploy/images >/dev/null
  echo "made: $image"
}

build_app_image() {
  docker build --build-arg SWIFT_IMAGE="$SWIFT_IMAGE" --build-arg BUILDER_IMAGE="$BUILDER_IMAGE" \
    --build-arg RUNTIME_IMAGE="$DEBIAN_IMAGE" --build-arg RDS_CA_BUNDLE="$RDS_CA_FIXTURE" \
    -t "$APP_IMAGE" . >"$WORK/build.log" 2>&1 ||
    { tail -40 "$WORK/build.log" >&2; die "docker build failed"; }
  echo "built: $APP_IMAGE ($(docker image inspect -f '{{.Size}}' "$APP_IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
}

new_secret() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }

# Fresh random passwords for every run; the port is a free one on loopback.
write_stack_env() {
  PRODUCER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$WORK/stack.env" <<EOF
REDIS_PASSWORD=$(new_secret)
MARIADB_ROOT_PASSWORD=$(new_secret)
PRODUCER_DB_PASSWORD=$(new_secret)
CONSUMER_DB_PASSWORD=$(new_secret)
PRODUCER_PORT=$PRODUCER_PORT
APP_IMAGE=$APP_IMAGE
REDIS_IMAGE=$REDIS_IMAGE
MARIADB_IMAGE=$MARIADB_IMAGE
EOF
}

container_ids() { compose ps -q "$1"; }

wait_until_healthy() {
  local deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS)) service id state pending
  while :; do
    pending=""
    for service in redis mariadb producer consumer; do
      for id in $(container_ids "$service"); do
        state=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")
        [[ $state == healthy ]] || pending+=" $service:$state"
      done
    done
    [[ -z $pending ]] && { echo "all healthy"; return; }
    ((SECONDS < deadline)) || die "not healthy after ${HEALTH_TIMEOUT_SECONDS}s:$pending"
    sleep 3
  done
}

check_stack_shape() {
  local id consumers setup_exit binding
  consumers=$(container_ids consumer | wc -l)
  [[ $consumers -eq 2 ]] || die "expected 2 consumer containers, found $consumers"
  setup_exit=$(docker inspect -f '{{.State.ExitCode}}' "$(container_ids db-setup)")
  [[ $setup_exit -eq 0 ]] || die "db-setup exited $setup_exit"
  for id in $(container_ids producer) $(container_ids consumer); do
    [[ $(docker inspect -f '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}' "$id") == "10001:10001 true" ]] ||
      die "container $id is not user 10001 with a read-only root"
  done
  binding=$(docker inspect -f '{{json .HostConfig.PortBindings}}' "$(container_ids producer)" | jq -r '.[][].HostIp' | sort -u)
  [[ $binding == 127.0.0.1 ]] || die "producer published on '$binding', not only 127.0.0.1"
  # Read as the containers' own user 10001: the file DB_TLS_CA_FILE names in the cloud.
  docker exec "$(container_ids producer)" cat "$RDS_CA_FILE" | cmp -s - "$RDS_CA_FIXTURE" ||
    die "the image's $RDS_CA_FILE is not readable by user 10001 or is not the bundle it was built with"
  echo "2 consumers, db-setup exited 0, apps run as 10001 read-only, producer bound to 127.0.0.1:$PRODUCER_PORT," \
    "RDS CA bundle readable at $RDS_CA_FILE"
}

[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and starts dockerd)"
step "Tools and Docker engine"
install_tools
start_docker
pick_compose

step "Base images (cached by tag)"
make_debian_image
make_toolchain_image
make_builder_image
make_service_image "$REDIS_IMAGE" system-tests/deploy/images/redis.Dockerfile
make_service_image "$MARIADB_IMAGE" system-tests/deploy/images/mariadb.Dockerfile
make_mysql_image

step "Runtime image (Dockerfile, release build)"
build_app_image

step "Compose stack up"
write_stack_env
compose up -d --no-build >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; die "compose up failed"; }
wait_until_healthy
check_stack_shape

step "Smoke test through deploy.sh (POST /count, the row appears in GET /count)"
"$REPO_ROOT/deploy.sh" --env test --action smoke --url "http://127.0.0.1:$PRODUCER_PORT"

step "Redis over TLS (swift-nio-ssl in the image; certificates made by openssl; a wrong CA and name refused)"
network=$(docker inspect -f '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}' "$(container_ids producer)")
"$REPO_ROOT/system-tests/deploy/redis-tls.sh" "$network" "$APP_IMAGE" "$REDIS_IMAGE" "$WORK/stack.env"

step "MySQL (caching_sha2_password users through the image's libmariadb plugin, over TLS and without)"
"$REPO_ROOT/system-tests/deploy/mysql.sh" "$network" "$APP_IMAGE" "$MYSQL_IMAGE" "$WORK/stack.env"

step "Done"
printf 'test-containers: passed in %ss\n' "$((SECONDS - STARTED_AT))"
