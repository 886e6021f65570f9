# Shared by the command-line test scripts (sourced, not run): the tool's path,
# a temporary working directory removed on exit ($T, with $F = $T/files for
# outputs), counters and the run helpers.
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
mkdir -p "$T/files"
F=$T/files
# run_ok WHAT ARGS...: nninit must succeed
run_ok() {
    local what=$1; shift
    run "$@"
    if [ "$rc" -eq 0 ]; then pass; return 0; fi
    fail "$what: status $rc: $(head -c 600 "$T/err")"
    return 1
}
# expect_error STATUS PATTERN ARGS...: the exit status, an "nninit: ..." message
# containing PATTERN (a fixed string), nothing on stdout, nothing created or
# changed in $F.
expect_error() {
    local want=$1 pattern=$2; shift 2
    local before after
    before=$(cd "$F" && ls -lA --time-style=+%s.%N . | md5sum)
    run "$@"
    after=$(cd "$F" && ls -lA --time-style=+%s.%N . | md5sum)
    local what="nninit $*"
    [ "$rc" -eq "$want" ] || { fail "$what: exit status $rc, expected $want ($(head -c 300 "$T/err"))"; return; }
    grep -q '^nninit: ' "$T/err" || { fail "$what: no 'nninit: ' message on stderr"; return; }
    grep -Fq -- "$pattern" "$T/err" || { fail "$what: message '$(head -c 400 "$T/err")' does not contain '$pattern'"; return; }
    [ ! -s "$T/out" ] || { fail "$what: wrote to stdout on failure"; return; }
    [ "$before" = "$after" ] || { fail "$what: files changed in $F: $(ls -A "$F" | head -c 300)"; return; }
    pass
}
