#!/usr/bin/env bash
# Create (once) and print the path of the project's virtual environment.
#
# The environment is installed from the hashed lock requirements/dev.lock (exact versions, every
# file checked against its sha256), so every machine and every month gets the same packages.
# It lives outside the checkout, keyed by a hash of the lock and the Python version: fresh clones
# and CI runs on the same machine reuse it, and a refreshed lock (`make lock`) builds a new one.
# Override the location with VIVID_ENV_ROOT. The checkout itself is (re)installed in editable
# mode when it or its pyproject.toml changes.
#
#   scripts/env.sh            the development environment (all extras, tests, lint, types)
#   scripts/env.sh build      an environment with one extra only (build | eval | model), from its lock
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
extra=${1:-dev}
case "$extra" in dev|build|eval|model) ;; *) echo "usage: scripts/env.sh [dev|build|eval|model]" >&2; exit 2;; esac
lock="$repo/requirements/$extra.lock"
root=${VIVID_ENV_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/vivid-toolkit}
log() { echo "[env] $*" >&2; }

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    log "$python is Python $("$python" -c 'import platform; print(platform.python_version())'); the toolkit needs 3.11 or newer (set PYTHON=...)"
    exit 2
fi
key=$( { cat "$lock"; "$python" -c 'import platform; print(platform.python_version(), platform.machine())'; } \
       | sha256sum | cut -c1-16)
if [ "$extra" = dev ]; then env_dir="$root/env-$key"; else env_dir="$root/env-$extra-$key"; fi

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
    log "creating $env_dir from requirements/$extra.lock (first run on this machine: a few minutes)"
    rm -rf "$env_dir"
    mkdir -p "$root"
    "$python" -m venv "$env_dir"
    # the lock is complete and hashed: no resolution, every file checked
    pip_logged install --disable-pip-version-check --require-hashes --no-deps -r "$lock"
    touch "$env_dir/.complete"
    rm -f "$env_dir/.installed-checkout"
fi

if [ "$extra" = dev ]; then
    stamp="$repo|$(sha256sum "$repo/pyproject.toml" | cut -c1-16)"
    if [ "$(cat "$env_dir/.installed-checkout" 2>/dev/null)" != "$stamp" ]; then
        log "installing the checkout $repo (editable)"
        pip_logged install --no-deps --no-build-isolation -e "$repo"
        echo "$stamp" > "$env_dir/.installed-checkout"
    fi
else
    # a one-extra environment gets the package as a user would: a wheel of this checkout
    stamp=$(cd "$repo" && find pyproject.toml conf vivid_data vivid_eval vivid_model -type f \
            \( -name '*.py' -o -name '*.yaml' -o -name '*.csv' -o -name '*.toml' \) -print0 \
            | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
    if [ "$(cat "$env_dir/.installed-checkout" 2>/dev/null)" != "$repo|$stamp" ]; then
        log "installing the checkout $repo with [$extra] (wheel)"
        pip_logged install --no-deps --force-reinstall "$repo"
        echo "$repo|$stamp" > "$env_dir/.installed-checkout"
    fi
fi
echo "$env_dir"
