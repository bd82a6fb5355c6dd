#!/usr/bin/env bash
# Checks the container and deploy files without a cloud account or a Docker engine:
# ShellCheck, yamllint, the compose file's schema and structure, deploy.sh's flags and
# --dry-run, and deploy.sh's page upload run for real against moto's S3 and CloudFront.
# Installs what it needs (Debian packages, PyPI) when missing. Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CI="${CI:-true}" DEBIAN_FRONTEND=noninteractive

# shellcheck source=scripts/lib/python-venv.sh
source scripts/lib/python-venv.sh

step() { printf '\n=== %s\n' "$*"; }

apt_install_missing() {
  local pair command_name package missing=()
  for pair in "$@"; do
    command_name=${pair%%:*}
    package=${pair#*:}
    command -v "$command_name" >/dev/null 2>&1 || missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return
  echo "installing ${missing[*]} (apt)"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

pip_install_missing() {
  local module=$1 requirement=$2
  python3 -c "import $module" 2>/dev/null && return
  echo "installing $requirement (pip)"
  python3 -m pip install -q "$requirement"
}

step "Tools"
apt_install_missing shellcheck:shellcheck yamllint:yamllint jq:jq curl:curl
pip_install_missing yaml 'PyYAML>=6'
pip_install_missing pytest 'pytest>=8'
command -v aws >/dev/null 2>&1 || { echo "installing awscli (pip)"; python3 -m pip install -q 'awscli>=1.32'; }
# moto's server from the venv the secrets suite uses too: pinned, cached outside the repository.
MOTO_SERVER="$(cached_venv system-tests/secrets/requirements.txt)/bin/moto_server"
export MOTO_SERVER

step "shellcheck: deploy.sh and every shell script under scripts/ and system-tests/deploy/"
mapfile -t scripts < <(
  { echo deploy.sh; find scripts system-tests/deploy -type f \( -name '*.sh' -o -perm -u+x \) ! -name '*.py'; } | sort -u
)
# Libraries meant to be sourced have no shebang; they are bash like everything that sources them.
executables=() libraries=()
for script in "${scripts[@]}"; do
  if [[ $(head -c 2 "$script") == '#!' ]]; then executables+=("$script"); else libraries+=("$script"); fi
done
shellcheck --external-sources "${executables[@]}"
[[ ${#libraries[@]} -eq 0 ]] || shellcheck --external-sources --shell=bash "${libraries[@]}"
printf 'clean: %s\n' "${scripts[@]}"

step "yamllint: docker-compose.yml"
yamllint --strict docker-compose.yml
echo "clean: docker-compose.yml"

step "Compose schema"
# `config` parses and validates without an engine; Debian's docker-compose (1.x) stands in for
# the Compose plugin where that is missing.
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  apt_install_missing docker-compose:docker-compose
  compose=(docker-compose)
fi
"${compose[@]}" --env-file .env.example config --quiet
echo "valid with .env.example: ${compose[*]} config"
empty_env=$(mktemp)
trap 'rm -f "$empty_env" "$empty_env.err"' EXIT
if "${compose[@]}" --env-file "$empty_env" config --quiet 2>"$empty_env.err"; then
  echo "FAIL: compose accepted a stack without passwords"
  exit 1
fi
grep -q 'copy .env.example to .env' "$empty_env.err"
echo "refused without passwords, pointing at .env.example"

step "pytest: compose structure, deploy.sh flags and --dry-run, page upload against moto"
python3 -m pytest -q -p no:cacheprovider system-tests/deploy
