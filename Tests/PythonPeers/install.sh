#!/usr/bin/env bash
# Creates (or updates) the git-ignored virtualenv at <repo>/.venv with the Python SignalR
# clients the server tests run against. Idempotent: a second run only checks the packages.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import pysignalr, signalrcore, aiosignalr, msgpack" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
"$venv/bin/python" -c "import pysignalr, signalrcore, aiosignalr, msgpack; print('python peers ready')"
