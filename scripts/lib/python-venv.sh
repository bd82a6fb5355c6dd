# shellcheck shell=bash
# Python tools for the suites, each in its own venv: pinned packages, installed once and again only
# when the pins change. Sourced by scripts/test-terraform.sh and scripts/test-secrets.sh.

# Creates (once) a venv at $1 holding the packages $2... (pip arguments: pins or `-r file`);
# reinstalls when they change.
ensure_venv() { # venv pip-args...
  local venv="$1"
  shift
  local stamp="$venv/.pins"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$*" ]]; then
    return
  fi
  command -v python3 >/dev/null || { echo "python3 is required to install the check tools" >&2; exit 1; }
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 ships venv separately.
    echo "python3 -m venv failed; installing python3-venv"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$*" >"$stamp"
}

# Prints the path of a venv holding requirements file $1, kept outside the repository (so fresh
# clones and CI runs on the same machine reuse it) under a name keyed by the file's content: a
# changed file makes a new venv. Concurrent callers (other checkouts) wait for one another.
cached_venv() { # requirements-file
  local requirements=$1 cache key venv
  cache=${COUNT_PIPELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/count-pipeline}
  key=$(sha256sum "$requirements" | cut -c1-12)
  venv=$cache/venv-$(basename "$(dirname "$requirements")")-$key
  mkdir -p "$cache"
  (
    flock 9
    ensure_venv "$venv" -r "$requirements" >&2
  ) 9>"$venv.lock" || return 1
  echo "$venv"
}
