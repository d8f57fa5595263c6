#!/usr/bin/env bash
# Create (once) and print the path of the project's virtual environment.
#
# The environment lives outside the checkout, keyed by a hash of the dependency spec in
# pyproject.toml and the Python version, so fresh clones and CI runs on the same machine
# reuse it and a dependency change builds a new one. Override the location with
# VIVID_ENV_ROOT. The checkout itself is (re)installed in editable mode when it changes.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
root=${VIVID_ENV_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/vivid-toolkit}
key=$("$python" - "$repo/pyproject.toml" <<'PY'
import hashlib, json, sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
spec = {"deps": project["dependencies"], "extras": project.get("optional-dependencies", {}),
        "python": sys.version.split()[0]}
print(hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16])
PY
)
env_dir="$root/env-$key"
log() { echo "[env] $*" >&2; }
# run pip with its output in a log, shown only when it fails (the local indexes warn a lot)
pip_logged() {
    if ! "$env_dir/bin/python" -m pip "$@" >> "$env_dir/install.log" 2>&1; then
        grep -v "is ignored: it is neither" "$env_dir/install.log" | tail -40 >&2
        log "pip $* failed; full log: $env_dir/install.log"
        exit 1
    fi
}

if [ ! -f "$env_dir/.complete" ]; then
    # an interrupted build leaves no .complete marker and is started again from scratch
    log "creating $env_dir (first run on this machine: installs torch and friends, a few minutes)"
    rm -rf "$env_dir"
    mkdir -p "$root"
    "$python" -m venv "$env_dir"
    pip_logged install --upgrade "pip>=24" "setuptools>=68" wheel
    "$python" - "$repo/pyproject.toml" > "$env_dir/requirements.txt" <<'PY'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
PY
    pip_logged install -r "$env_dir/requirements.txt"
    touch "$env_dir/.complete"
    rm -f "$env_dir/.installed-checkout"
fi

stamp="$repo|$(sha256sum "$repo/pyproject.toml" | cut -c1-16)"
if [ "$(cat "$env_dir/.installed-checkout" 2>/dev/null)" != "$stamp" ]; then
    log "installing the checkout $repo (editable)"
    pip_logged install --no-deps --no-build-isolation -e "$repo"
    echo "$stamp" > "$env_dir/.installed-checkout"
fi
echo "$env_dir"
