#!/usr/bin/env bash
# The one-way layer rule of docs/ARCHITECTURE.md, checked on the objects:
# every nninit_ symbol that a layer's objects reference must be defined by the
# layer itself or by a layer it may use.
#   bash tests/arch/layers.sh BUILD_DIR
set -u
OBJ=${1:?usage: layers.sh BUILD_DIR}/obj/src
NM=${NM:-nm}
# layer: the layers it may use
declare -A USES=(
    [common]=""
    [engine]="common"
    [schemes]="engine common"
    [io]="common"
    [model]="schemes engine io common"
    [graph]="model schemes engine io common"
    [hf]="model schemes engine io common"
)
defined() { $NM -g --defined-only "$OBJ/$1"/*.o 2>/dev/null | awk 'NF == 3 { print $3 }'; }
fail=0 checked=0
for layer in "${!USES[@]}"; do
    ls "$OBJ/$layer"/*.o >/dev/null 2>&1 || continue
    allowed=$( { defined "$layer"; for l in ${USES[$layer]}; do defined "$l"; done; } | sort -u)
    used=$($NM -u "$OBJ/$layer"/*.o | awk '{ print $NF }' | grep '^nninit_' | sort -u)
    bad=$(comm -23 <(echo "$used") <(echo "$allowed") | grep . || true)
    checked=$((checked + 1))
    if [ -n "$bad" ]; then
        fail=1
        for s in $bad; do
            owner=$(for l in "${!USES[@]}"; do defined "$l" | grep -qx "$s" && echo "$l"; done | head -1)
            echo "FAIL: $layer uses $s (defined in ${owner:-no layer}); $layer may use: ${USES[$layer]:-nothing}" >&2
        done
    fi
done
# Within a layer, the files' references form no circle either (a file that
# uses another's symbol sits above it): tsort fails on any loop of that graph.
for layer in "${!USES[@]}"; do
    ls "$OBJ/$layer"/*.o >/dev/null 2>&1 || continue
    edges=$(
        for o in "$OBJ/$layer"/*.o; do $NM -g --defined-only "$o" | awk -v f="$(basename "$o" .o)" 'NF == 3 { print "D", $3, f }'; done
        for o in "$OBJ/$layer"/*.o; do $NM -u "$o" | awk -v f="$(basename "$o" .o)" '$NF ~ /^nninit_/ { print "U", $NF, f }'; done
    )
    pairs=$(echo "$edges" | awk '$1 == "D" { def[$2] = $3; next } ($2 in def) && def[$2] != $3 { print $3, def[$2] }' | sort -u)
    if ! loop=$(echo "$pairs" | tsort 2>&1 >/dev/null) || [ -n "$loop" ]; then
        fail=1; echo "FAIL: files of $layer use each other in a circle:" $(echo "$loop" | sed 's/^tsort: //' | grep -v 'input contains a loop') >&2
    fi
done
# The rule must have been checked on the real tree, not on an empty one.
[ "$checked" -ge 7 ] || { echo "FAIL: found objects of only $checked layers under $OBJ" >&2; exit 1; }
echo "layers: $checked layers, one-way rule holds$( [ $fail -eq 0 ] || echo ' -- NOT' )"
exit $fail
