#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (a browser, a caching
# proxy, a load generator). Runs apt-get only when something is missing.
set -euo pipefail
wanted=(wrk chromium varnish nginx)
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "system-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
