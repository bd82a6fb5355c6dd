#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the stack and its tests need, skipping what is already there.
# Usage: scripts/install-deps.sh [run|test]   (test adds the tools of the test suites)
set -euo pipefail
mode=${1:-run}
packages=(redis-server redis-tools mariadb-server mariadb-client libhiredis-dev libmariadb-dev libcurl4-openssl-dev pkg-config curl openssl)
if [ "$mode" = test ]; then
  packages+=(debootstrap shellcheck yamllint chromium chromium-driver python3-selenium python3-pytest jq)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
# Debian's maintainer scripts would start Redis and MariaDB as system services; the stack runs its own.
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
command -v swift >/dev/null || { echo "error: swift is not on PATH; install Swift 6.2 or newer (https://www.swift.org/install/linux/)" >&2; exit 1; }
