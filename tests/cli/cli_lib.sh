# Shared by the command-line test scripts (sourced, not run): the tool's path,
# a temporary working directory removed on exit, counters and the run helper.
#   . "$(dirname "$0")/cli_lib.sh" NAME path/to/nninit
[ $# -eq 2 ] || { echo "usage: $0 path/to/nninit" >&2; exit 2; }
NNINIT=$(realpath "$2")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/nninit-$1-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

checks=0
failures=0
pass() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1; shift
    if "$@"; then pass; else fail "$what"; fi
}
# run ARGS...: runs nninit, keeps stdout/stderr in $T/out, $T/err, status in $rc
run() { "$NNINIT" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
