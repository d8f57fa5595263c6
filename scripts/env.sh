#!/usr/bin/env bash
# Create (once) and print the path of this checkout's virtual environment.
#
# Two layers, so that every clone runs its own code and a second clone's environment takes seconds:
#   packages  installed from the hashed lock requirements/dev.lock (exact versions, every file checked
#             against its sha256) into $VIVID_ENV_ROOT/env-<hash of the lock and Python>, outside the
#             checkout and shared by every clone on the machine; it never holds the toolkit itself.
#   checkout  <checkout>/.venv: a small venv that sees those packages (a .pth line) and holds this
#             checkout's editable install and vivid-* commands. Two clones at different commits never
#             run each other's code.
# Both are created under a lock (flock): two first runs at once build a folder once, the second waits.
# Override the shared location with VIVID_ENV_ROOT (default ~/.cache/vivid-toolkit).
#
#   scripts/env.sh            the development environment (all extras, tests, lint, types)
#   scripts/env.sh build      an environment with one extra only (build | eval | model), from its lock,
#                             with this checkout installed as a wheel (what a user of the extra gets)
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
# "packages-only": the layout where the shared environment never holds the toolkit (a new key, so
# environments of the earlier layout, which held one checkout's editable install, are not reused)
key=$( { cat "$lock"; "$python" -c 'import platform; print(platform.python_version(), platform.machine())'; echo packages-only; } \
       | sha256sum | cut -c1-16)
if [ "$extra" = dev ]; then env_dir="$root/env-$key"; else env_dir="$root/env-$extra-$key"; fi
mkdir -p "$root"

# run pip with its output in a log, shown only when it fails (the local indexes warn a lot)
pip_logged() {  # pip_logged LOG PYTHON pip-arguments...
    local logfile=$1 py=$2; shift 2
    if ! "$py" -m pip "$@" >> "$logfile" 2>&1; then
        grep -v "is ignored: it is neither" "$logfile" | tail -40 >&2
        log "pip $* failed; full log: $logfile"
        exit 1
    fi
}

# the shared packages, once per lock and Python, under an exclusive lock
exec 8>"$root/.env-$extra-$key.lock"
flock 8
if [ ! -f "$env_dir/.complete" ]; then
    # an interrupted build leaves no .complete marker and is started again from scratch
    log "creating $env_dir from requirements/$extra.lock (first run on this machine: a few minutes)"
    rm -rf "$env_dir"
    "$python" -m venv "$env_dir"
    # the lock is complete and hashed: no resolution, every file checked
    pip_logged "$env_dir/install.log" "$env_dir/bin/python" install --disable-pip-version-check --require-hashes --no-deps -r "$lock"
    touch "$env_dir/.complete"
fi

if [ "$extra" != dev ]; then
    # a one-extra environment gets the package as a user would: a wheel of this checkout
    stamp=$(cd "$repo" && find pyproject.toml conf vivid_data vivid_eval vivid_model -type f \
            \( -name '*.py' -o -name '*.yaml' -o -name '*.csv' -o -name '*.toml' \) -print0 \
            | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
    if [ "$(cat "$env_dir/.installed-checkout" 2>/dev/null)" != "$repo|$stamp" ]; then
        log "installing the checkout $repo with [$extra] (wheel)"
        pip_logged "$env_dir/install.log" "$env_dir/bin/python" install --no-deps --force-reinstall "$repo"
        echo "$repo|$stamp" > "$env_dir/.installed-checkout"
    fi
    flock -u 8
    echo "$env_dir"
    exit 0
fi
flock -u 8

# this checkout's own environment: the shared packages on its path, its editable install, its commands
venv="$repo/.venv"
exec 9>"$repo/.venv.lock"
flock 9
site=$("$env_dir/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
stamp="$env_dir|$(sha256sum "$repo/pyproject.toml" | cut -c1-16)"
if [ "$(cat "$venv/.installed-checkout" 2>/dev/null)" != "$stamp" ]; then
    log "installing the checkout $repo (editable) into $venv"
    rm -rf "$venv"
    "$python" -m venv --without-pip "$venv"
    own=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    # the shared packages after the venv's own; setuptools' distutils shim as the shared env has it
    printf '%s\n' "$site" > "$own/_vivid_shared_packages.pth"
    if [ -f "$site/distutils-precedence.pth" ]; then cp "$site/distutils-precedence.pth" "$own/"; fi
    pip_logged "$venv/install.log" "$venv/bin/python" install --disable-pip-version-check --no-deps \
        --no-build-isolation -e "$repo"
    # the shared environment's tools (ruff, mypy, pytest, ...) reachable from this venv's bin/
    for tool in "$env_dir"/bin/*; do
        name=$(basename "$tool")
        case "$name" in python*|pip*|activate*|Activate*|vivid-*) continue;; esac
        [ -e "$venv/bin/$name" ] || ln -s "$tool" "$venv/bin/$name"
    done
    echo "$stamp" > "$venv/.installed-checkout"
fi
flock -u 9
echo "$venv"
