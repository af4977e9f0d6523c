#!/usr/bin/env bash
# Audit the project's installed dependencies (.venv) for known vulnerabilities with
# pip-audit (issue #9). Exit codes: 0 nothing known; 1 vulnerabilities found; 2 pip-audit
# missing; 3 some dependencies could not be audited (no vulnerability service reachable).
#
#   scripts/pip-audit.sh                     audit; a dependency left unaudited fails
#   scripts/pip-audit.sh --allow-unaudited   report unaudited dependencies, do not fail
#   PYTHON=/path/to/python scripts/pip-audit.sh   audit another environment
#
# The vulnerability data comes from OSV (api.osv.dev); where OSV cannot be reached the
# script asks PyPI's JSON API instead (`--vulnerability-service pypi`). pip-audit itself:
# `.venv/bin/pip install pip-audit` (a test dependency). Nothing is uploaded but the names
# and versions of the installed packages.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
allow_unaudited=0
if [[ "${1:-}" == "--allow-unaudited" ]]; then allow_unaudited=1; shift; fi

if ! "$PY" -m pip_audit --version >/dev/null 2>&1; then
    echo "pip-audit is not installed: $PY -m pip install pip-audit" >&2
    exit 2
fi

report=$(mktemp)
trap 'rm -f "$report"' EXIT

audit() {  # $1: the vulnerability service; the rest: more pip-audit arguments
    local service=$1
    shift
    "$PY" -m pip_audit --local --skip-editable --progress-spinner off \
        --vulnerability-service "$service" --desc on "$@" >"$report" 2>&1
}

service=osv
audit osv "${@}"
status=$?
if grep -q "ConnectionError\|NameResolutionError\|Max retries exceeded" "$report"; then
    echo "OSV is unreachable from here; asking PyPI's JSON API instead" >&2
    service=pypi
    audit pypi "${@}"
    status=$?
fi
cat "$report"
if [[ $status -ne 0 ]]; then
    exit 1   # pip-audit found vulnerabilities (or failed: the report above says which)
fi
unaudited=$(grep -c "could not be audited" "$report" || true)
if [[ $unaudited -gt 0 ]]; then
    echo "WARNING: $unaudited dependencies could not be audited with $service" \
         "(the service does not know these versions or cannot be reached)" >&2
    [[ $allow_unaudited -eq 1 ]] || exit 3
fi
exit 0
