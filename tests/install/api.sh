#!/usr/bin/env bash
# The two views of include/nninit.h (docs/API.md):
#   bash tests/install/api.sh BUILD_DIR
# - a program of the stable API builds against the default view alone, -Werror;
# - an unstable function is not declared without NNINIT_UNSTABLE_API (the
#   program calling it does not compile) and is with it;
# - every symbol libnninit.so exports is declared by the header with the
#   macro, and the stable view declares a known core of them, none of the
#   unstable ones.
set -u
BUILD=${1:?usage: api.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-gcc}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { local what=$1; shift; if "$@" >"$T/log" 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; cat "$T/log"; fi; }
fails() { ! "$@"; }

check "examples/model_example.c builds against the stable view, -Werror" \
    $CC -std=c11 -Wall -Wextra -Werror -I"$ROOT/include" -fsyntax-only "$ROOT/examples/model_example.c"
cat >"$T/slice.c" <<'C'
#include <nninit.h>
int main(void)
{
    float w[8];
    int64_t shape[1] = { 16 }, start[1] = { 8 }, count[1] = { 8 };
    nninit_rng rng = { 1, 2 };
    return nninit_init_slice(w, NNINIT_F32, shape, 1, start, count, "normal", rng, 0, 0);
}
C
check "nninit_init_slice is not declared by the stable view" \
    fails $CC -std=c11 -Werror=implicit-function-declaration -I"$ROOT/include" -fsyntax-only "$T/slice.c"
check "nninit_init_slice is declared with NNINIT_UNSTABLE_API" \
    $CC -std=c11 -Werror -DNNINIT_UNSTABLE_API -I"$ROOT/include" -fsyntax-only "$T/slice.c"

# Declared names of each view, from the preprocessed header.
declared() { printf '#include <nninit.h>\n' | $CC -E -P "$@" -I"$ROOT/include" -x c - | grep -o 'nninit_[a-z0-9_]*[[:space:]]*(' | sed 's/[[:space:]]*($//' | sort -u; }
declared >"$T/stable"
declared -DNNINIT_UNSTABLE_API >"$T/all"
nm -D --defined-only "$BUILD/libnninit.so" | awk '$2 == "T" { print $3 }' | sort -u >"$T/exported"
check "every exported function is declared with NNINIT_UNSTABLE_API" test -z "$(comm -23 "$T/exported" "$T/all")"
check "the stable view has the core (fills, schemes, formats, models)" sh -c \
    "for f in nninit_uniform nninit_init_msg nninit_st_save nninit_model_parse nninit_model_write nninit_size_parse; do grep -qx \$f '$T/stable' || exit 1; done"
check "the stable view has none of the unstable functions" sh -c \
    "for f in nninit_init_slice nninit_scheme_parse_vars nninit_model_parse_vars nninit_model_writer_create nninit_hf_spec nninit_suggest nninit_graph_create nninit_engine_data_init; do grep -qx \$f '$T/stable' && exit 1; grep -qx \$f '$T/all' || exit 1; done; exit 0"
echo "api: $((pass + fail)) checks, $fail failed"
[ $fail -eq 0 ]
