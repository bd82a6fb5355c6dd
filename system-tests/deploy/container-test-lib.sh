# Shared by the container tests that scripts/test-containers.sh runs beside the compose stack
# (redis-tls.sh, mysql.sh): a work folder the containers can read, the containers a test starts
# (removed on exit, their logs shown when it fails), throwaway certificates, waiting for health.
# The sourcing script sets TEST_NAME first.

WORK=$(mktemp -d "${TMPDIR:-/tmp}/$TEST_NAME.XXXXXX")
# Mounted into the containers, whose users (redis, mysql, 10001) must be able to enter it.
chmod 0755 "$WORK"
CONTAINERS=()
cleanup() {
  local status=$?
  if [[ $status -ne 0 ]]; then
    for id in "${CONTAINERS[@]}"; do docker logs --tail 20 "$id" >&2 2>&1 || true; done
  fi
  [[ ${#CONTAINERS[@]} -eq 0 ]] || docker rm -f "${CONTAINERS[@]}" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
die() { printf '%s: FAIL: %s\n' "$TEST_NAME" "$*" >&2; exit 1; }

# In $WORK: a CA (ca.crt) that signs the server's certificate (server.crt, server.key, named for
# the server's network alias), and a second, unrelated CA (wrong-ca.crt) a client must refuse.
# Throwaway keys, world-readable so the containers' users can read the mounted copies.
make_certificates() { # server-name
  local name=$1
  (
    cd "$WORK"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=count-pipeline test CA" -keyout ca.key -out ca.crt
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=impostor CA" -keyout wrong-ca.key -out wrong-ca.crt
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout server.key -out server.csr
    printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$name" >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt
    chmod 0644 ./*
  ) 2>/dev/null || die "openssl could not make the test certificates"
}

# POSTs `value` to the Producer at `address` and waits (20 s at most) until it is the latest row.
post_and_await_row() { # address value what
  local address=$1 value=$2 what=$3 reply
  reply=$(curl -sS --max-time 5 -H 'Content-Type: application/json' -d "{\"count\": $value}" "http://$address/count")
  [[ $reply == *"\"value\":$value"* ]] || die "POST /count $what answered: $reply"
  for _ in $(seq 100); do
    reply=$(curl -sS --max-time 5 "http://$address/count")
    [[ $reply == *"\"latest_value\":$value"* ]] && return
    sleep 0.2
  done
  die "the value posted $what never became the latest row: $reply"
}

# Waits until a container's health check passes; fails when it stops or stays unhealthy for 60 s.
wait_healthy() { # container-id
  local id=$1 state=""
  for _ in $(seq 60); do
    state=$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id")
    [[ $state == "running healthy" ]] && return
    [[ $state == running* ]] || break
    sleep 1
  done
  die "container $id is '$state', not healthy"
}
