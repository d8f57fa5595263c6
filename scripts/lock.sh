#!/usr/bin/env bash
# Refresh the hashed lock files in requirements/ (`make lock`): run deliberately, review the diff,
# commit. scripts/env.sh installs the environment from requirements/dev.lock and keys its cache by
# that file, so a refreshed lock means a new environment on every machine that runs the project.
#
#   dev.lock    everything: the package with all extras, tests, lint, types (what `make test` uses)
#   build.lock  the package with [build] only; eval.lock [eval]; model.lock [model]
#
# The extra locks are resolved under dev.lock's pins, so a package has one version in all of them.
# Needs pip-tools (in dev.lock). Supported platform: CPython 3.11, x86_64 Linux.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
python=${PYTHON:-python3}
compile() {  # compile OUTPUT [pip-compile options...]
    local out=$1; shift
    CUSTOM_COMPILE_COMMAND="make lock" "$python" -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
        --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --newline=lf \
        --output-file=- "$@" pyproject.toml > "$out.tmp"
    # the package itself appears through the self-referencing extras (with pip-compile's warning
    # that it has no hash): it is installed from the checkout, so its entry is dropped
    "$python" - "$out.tmp" > "$out" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
out, skipping = [], False
for line in lines:
    if line.startswith(("# WARNING: pip install will require", "# Consider using a hashable URL")):
        continue
    if line.startswith("vivid-toolkit @ "):
        skipping = True
        continue
    if skipping and line.startswith("    #"):
        continue
    skipping = False
    out.append(line)
print("\n".join(out))
PY
    rm -f "$out.tmp"
    echo "[lock] $out: $(grep -c '^[a-zA-Z]' "$out") packages" >&2
}
compile requirements/dev.lock --extra dev -c requirements/constraints.txt
pins=$(mktemp)
trap 'rm -f "$pins"' EXIT
grep -E '^[a-zA-Z0-9]' requirements/dev.lock | sed 's/ \\$//' > "$pins"
for extra in build eval model; do
    compile "requirements/$extra.lock" --extra "$extra" -c "$pins"
done
