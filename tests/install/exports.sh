#!/usr/bin/env bash
# What libnninit.so exports (make exports-check): bash tests/install/exports.sh LIBRARY
#  - nm -D: every defined dynamic symbol starts with nninit_, and every function
#    nninit.h declares with NNINIT_API is among them;
#  - readelf -d: the SONAME is libnninit.so.MAJOR, MAJOR = NNINIT_VERSION_MAJOR.
set -euo pipefail

LIB=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAJOR=$(sed -n 's/^#define NNINIT_VERSION_MAJOR \([0-9]*\)/\1/p' "$ROOT/include/nninit.h")
fails=0
pass() { echo "  ok: $*"; }
fail() { echo "  FAIL: $*" >&2; fails=$((fails + 1)); }

echo "== symbols and SONAME of $LIB"
defined=$(nm -D --defined-only "$LIB" | awk '{print $NF}' | sort -u)
others=$(echo "$defined" | grep -v '^nninit_' || true)
[ -z "$others" ] && pass "$(echo "$defined" | wc -l) exported symbols, all nninit_*" \
    || fail "exported symbols without the nninit_ prefix: $(echo "$others" | tr '\n' ' ')"

# every declared function, from the header's text (declarations may span lines)
declared=$(grep -v "^[[:space:]]*#" "$ROOT/include/nninit.h" | tr "\n" " " | grep -o 'NNINIT_API [^;(]*(' | sed 's/($//' | awk '{print $NF}' \
           | sed 's/^\*//' | sort -u)
[ -n "$declared" ] || fail "no NNINIT_API declaration found in nninit.h"
missing=$(comm -23 <(echo "$declared") <(echo "$defined"))
[ -z "$missing" ] && pass "$(echo "$declared" | wc -l) functions declared in nninit.h, all exported" \
    || fail "declared but not exported: $(echo "$missing" | tr '\n' ' ')"

soname=$(readelf -d "$LIB" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libnninit.so.$MAJOR" ] && pass "SONAME $soname" \
    || fail "SONAME '$soname', expected libnninit.so.$MAJOR (NNINIT_VERSION_MAJOR $MAJOR)"
link="$(dirname "$LIB")/libnninit.so.$MAJOR"
[ "$(readlink -f "$link")" = "$(readlink -f "$LIB")" ] && pass "$link -> $(basename "$(readlink -f "$LIB")")" \
    || fail "$link does not lead to $LIB"

[ "$fails" -eq 0 ] && echo "exports-check: all passed" || { echo "exports-check: $fails failed" >&2; exit 1; }
