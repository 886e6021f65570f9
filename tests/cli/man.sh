#!/usr/bin/env bash
# The manual: docs/nninit.1 (made by ronn from docs/nninit.1.md) renders with
# man(1) without complaints, has the sections a manual has, and documents
# every command and every option the program's own help lists.
#   bash tests/cli/man.sh build/nninit docs/nninit.1
PAGE=$(realpath "${2:?usage: man.sh path/to/nninit path/to/nninit.1}")
. "$(dirname "$0")/cli_lib.sh" man "$1"

MANWIDTH=100 man -l "$PAGE" >"$T/page" 2>"$T/warn"
[ $? -eq 0 ] && [ -s "$T/page" ] && pass || fail "man -l $PAGE failed: $(cat "$T/warn")"
[ ! -s "$T/warn" ] && pass || fail "man -l complains: $(cat "$T/warn")"
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
    grep -q "^$section\$" "$T/page" && pass || fail "the manual has no $section section"
done
# The page is in sync with its source: the source is newer only if someone forgot `make man`.
src=${PAGE%.1}.1.md
[ ! -f "$src" ] || grep -Fq "$(sed -n 's/^nninit(1) -- //p' "$src")" "$T/page" && pass || fail "the page's NAME differs from $src"

# every command and option of the program's help appears in the manual
run help
cmds=$(sed -n 's/^  \([a-z]\+\) .*/\1/p' "$T/out")
[ -n "$cmds" ] && pass || fail "no commands in 'nninit help'"
for c in $cmds; do
    grep -q "^       $c\b" "$T/page" && pass || fail "the manual does not describe command '$c'"
    [ "$c" = help ] || [ "$c" = version ] && continue
    run help "$c"
    for o in $(grep -o -- '--[a-z][a-z-]*' "$T/out" | sort -u); do
        grep -q -- "$o" "$T/page" && pass || fail "the manual does not document '$c $o'"
    done
done
for status in 0 1 2; do
    grep -q "^       $status  " "$T/page" && pass || fail "the manual does not document exit status $status"
done

echo "man: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
