#!/usr/bin/env bash
# Browser tests of the dashboard (frontend/) against the real Producer and Consumer.
# Needs Redis and MariaDB and the built binaries: run it through `./dev test`, which exports
# REDIS_HOST, REDIS_PORT, DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, PRODUCER_BIN and CONSUMER_BIN;
# the tests make their own database count_test_browser_* (DB_USER must be allowed to) and their
# own Redis queue. Uses Debian's chromium, chromium-driver and python3-selenium with Debian's
# own python3 (not whatever python is first on PATH), installing them when missing.
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(chromium chromium-driver python3-selenium mariadb-client-core)
missing_packages=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing_packages+=("$package")
done
if ((${#missing_packages[@]})); then
  echo "test-browser: installing ${missing_packages[*]}"
  sudo_if_needed=()
  [[ $(id -u) -eq 0 ]] || sudo_if_needed=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_if_needed[@]}" apt-get update -qq
  "${sudo_if_needed[@]}" apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
fi

missing_settings=()
for name in PRODUCER_BIN CONSUMER_BIN REDIS_HOST REDIS_PORT DB_HOST DB_PORT DB_USER DB_PASSWORD; do
  [[ -n ${!name:-} ]] || missing_settings+=("$name")
done
if ((${#missing_settings[@]})); then
  echo "test-browser: missing environment: ${missing_settings[*]}." >&2
  echo "test-browser: run it through './dev test' (it starts Redis and MariaDB, builds, and exports these)." >&2
  exit 2
fi
for binary in "$PRODUCER_BIN" "$CONSUMER_BIN"; do
  [[ -x $binary ]] || { echo "test-browser: $binary is not an executable file" >&2; exit 2; }
done

echo "test-browser: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), selenium $(/usr/bin/python3 -c 'import selenium; print(selenium.__version__)')"
echo "test-browser: Producer $PRODUCER_BIN, Consumer $CONSUMER_BIN, Redis $REDIS_HOST:$REDIS_PORT, MariaDB $DB_HOST:$DB_PORT"
echo "test-browser: checks: page loads without console errors, Send now, custom value, burst, API error message,"
echo "              client-side validation, keyboard-only send, screenshots (desktop and phone), outage banner and"
echo "              recovery; page states (API error, loading, empty, database down); control names and contrast;"
echo "              the page's JavaScript modules"
# -B: no __pycache__ in the work tree.
if /usr/bin/python3 -B -m unittest discover --start-directory system-tests/browser --top-level-directory system-tests/browser --verbose; then
  echo "test-browser: passed; screenshots and logs in test-artifacts/browser/"
else
  echo "test-browser: FAILED; Producer and Consumer logs and screenshots in test-artifacts/browser/" >&2
  exit 1
fi
