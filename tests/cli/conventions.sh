#!/usr/bin/env bash
# The command-line conventions (docs/nninit.1.md): existing outputs are never
# replaced without -f; -q, -v, --progress and --no-progress; -V and the help of
# the program and of each command; exit statuses 0, 1, 2; a signal leaves no
# partial output.
#   bash tests/cli/conventions.sh build/nninit
. "$(dirname "$0")/cli_lib.sh" conventions "$@"

spec=$T/tiny.json
cat >"$spec" <<'JSON'
{"seed": 3, "tensors": [{"name": "w", "shape": [16, 8], "init": "normal(std=0.1)"},
                        {"name": "b", "shape": [16], "init": "zeros"}]}
JSON
fill=(fill --shape 4,5 --init normal --seed 1)
same_file() { cmp -s "$1" "$2"; }

# ---- an existing output is refused without -f, replaced with it ---------------------------
for kind in npy safetensors npydir; do
    case $kind in
        npy) out=$T/w.npy; cmd=(fill --shape 4,5 --init normal -o "$out") ;;
        safetensors) out=$T/m.safetensors; cmd=(init "$spec" -o "$out") ;;
        npydir) out=$T/m_npy; cmd=(init "$spec" --format npy -o "$out") ;;
    esac
    run "${cmd[@]}" -q
    [ "$rc" -eq 0 ] && pass || fail "$kind: first write: status $rc: $(cat "$T/err")"
    cp -r "$out" "$T/before"
    run "${cmd[@]}" --seed 9
    [ "$rc" -eq 1 ] && pass || fail "$kind: existing output: status $rc, expected 1"
    grep -Fq "'$out' exists; -f/--force replaces it" "$T/err" && pass || fail "$kind: message: $(cat "$T/err")"
    [ ! -s "$T/out" ] && pass || fail "$kind: output on stdout when refusing"
    diff -r -q "$out" "$T/before" >/dev/null && pass || fail "$kind: the refused run changed '$out'"
    run "${cmd[@]}" --seed 9 -f -q
    [ "$rc" -eq 0 ] && pass || fail "$kind: -f: status $rc: $(cat "$T/err")"
    diff -r -q "$out" "$T/before" >/dev/null && fail "$kind: -f did not replace '$out'" || pass
    run "${cmd[@]}" --seed 9 --force -q
    [ "$rc" -eq 0 ] && pass || fail "$kind: --force: status $rc"
    [ -z "$(ls -A "$T" | grep '^\.')" ] && pass || fail "$kind: temporaries left: $(ls -A "$T" | grep '^\.')"
    rm -rf "$T/before"
done
# devices and standard output are written, not replaced: no -f needed
run "${fill[@]}" -o /dev/null
[ "$rc" -eq 0 ] && pass || fail "fill -o /dev/null without -f: status $rc"
run init "$spec" -o /dev/null -q
[ "$rc" -eq 0 ] && pass || fail "init -o /dev/null without -f: status $rc"
"$NNINIT" "${fill[@]}" -o - >"$T/piped.npy" && pass || fail "fill -o - to a file"
# a dangling symbolic link counts as existing
ln -s "$T/nowhere.npy" "$T/dangling.npy"
run "${fill[@]}" -o "$T/dangling.npy"
[ "$rc" -eq 1 ] && grep -Fq "exists" "$T/err" && pass || fail "dangling link: status $rc: $(cat "$T/err")"
[ ! -e "$T/nowhere.npy" ] && pass || fail "dangling link: the refused run created its target"
# the spec is checked before the output: its error is the one reported
run fill --shape 3 --init bogus -o "$T/w.npy"
[ "$rc" -eq 1 ] && grep -q "unknown scheme" "$T/err" && pass || fail "bad spec with an existing output: $(cat "$T/err")"

# ---- verbosity ---------------------------------------------------------------------------------
run init "$spec" -o "$T/v.safetensors"
[ "$rc" -eq 0 ] && grep -q '^nninit: init: 2 tensors, ' "$T/err" && pass || fail "init: no summary line"
run init "$spec" -o "$T/v.safetensors" -f -q
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] && pass || fail "init -q: stderr '$(cat "$T/err")'"
run init "$spec" -o "$T/v.safetensors" -f -v
[ "$rc" -eq 0 ] && grep -q 'kernels .*, [0-9]* threads' "$T/err" && grep -q 'initialized and written in' "$T/err" && pass ||
    fail "init -v: '$(cat "$T/err")'"
run "${fill[@]}" -o "$T/w.npy" -f -v
[ "$rc" -eq 0 ] && grep -q "wrote $T/w.npy f32 \[4,5\]" "$T/err" && pass || fail "fill -v: '$(cat "$T/err")'"
run "${fill[@]}" -o "$T/w.npy" -f
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] && pass || fail "fill: silent by default, got '$(cat "$T/err")'"
run "${fill[@]}" -o "$T/w.npy" -f -q -v
[ "$rc" -eq 2 ] && grep -q 'contradict' "$T/err" && pass || fail "-q -v: status $rc"

# ---- the progress bar: on a terminal by default; --progress / --no-progress decide otherwise ------
run init "$spec" -o "$T/p.safetensors" -f --progress
grep -q 'tensors .* GB/s' "$T/err" && pass || fail "--progress on a non-terminal: no bar"
run init "$spec" -o "$T/p.safetensors" -f
grep -q 'GB/s  ETA' "$T/err" && fail "no bar expected on a non-terminal" || pass
run init "$spec" -o "$T/p.safetensors" -f --progress --no-progress
[ "$rc" -eq 2 ] && pass || fail "--progress --no-progress: status $rc"
if command -v script >/dev/null; then
    # script(1) gives the program a terminal
    script -qec "'$NNINIT' init '$spec' -o '$T/p.safetensors' -f" /dev/null >"$T/tty" 2>&1
    grep -q 'GB/s  ETA' "$T/tty" && pass || fail "a terminal: no bar: $(cat -v "$T/tty")"
    script -qec "'$NNINIT' init '$spec' -o '$T/p.safetensors' -f --no-progress" /dev/null >"$T/tty" 2>&1
    grep -q 'GB/s  ETA' "$T/tty" && fail "--no-progress on a terminal: a bar" || pass
    script -qec "'$NNINIT' init '$spec' -o '$T/p.safetensors' -f -q" /dev/null >"$T/tty" 2>&1
    [ ! -s "$T/tty" ] && pass || fail "-q on a terminal: '$(cat -v "$T/tty")'"
fi

# ---- version and help ---------------------------------------------------------------------------
run --version; v1=$(cat "$T/out")
for a in -V version; do
    run $a
    [ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "$v1" ] && pass || fail "nninit $a differs from --version"
done
grep -q "^nninit [0-9]*\.[0-9]*\.[0-9]* (library [0-9.]*, contract [0-9]*, kernels [a-z0-9]*)$" <<<"$v1" && pass ||
    fail "version line: '$v1'"
for cmd in init fill schemes; do
    for h in "$cmd -h" "$cmd --help" "help $cmd"; do
        run $h
        [ "$rc" -eq 0 ] && grep -q "^usage: nninit $cmd" "$T/out" && [ ! -s "$T/err" ] && pass || fail "nninit $h"
    done
    run help; grep -q "^  $cmd " "$T/out" && pass || fail "nninit help does not list $cmd"
done
for h in -h --help help; do
    run $h
    [ "$rc" -eq 0 ] && grep -q '^usage: nninit <command>' "$T/out" && grep -q 'Exit status: 0' "$T/out" && pass ||
        fail "nninit $h"
done
run help frob
[ "$rc" -eq 2 ] && grep -q "unknown command 'frob'" "$T/err" && pass || fail "help frob: status $rc"
run "${fill[@]}" -o "$T/w.npy" -f --quiet=1
[ "$rc" -eq 2 ] && grep -q -- '--quiet takes no value' "$T/err" && pass || fail "--quiet=1"

# ---- a signal leaves no partial output ------------------------------------------------------------
# The write of a ~500 MB file is interrupted once its temporary exists (a hidden
# name, or an unnamed O_TMPFILE file open in the directory): the temporary is
# removed, OUT never appears, the process dies of the signal.
GPT2=$ROOT/examples/models/gpt2-124m.json
interrupt() { # SIGNAL STATUS ARGS...: runs nninit in the background, signals it while it writes
    local sig=$1 want=$2; shift 2
    mkdir -p "$T/sig"; rm -rf "$T/sig"/* "$T/sig"/.[!.]* 2>/dev/null
    "$NNINIT" "$@" 2>"$T/err" &
    local pid=$! seen=0
    for _ in $(seq 4000); do
        # the temporary: a hidden name in the directory, or an unnamed
        # (O_TMPFILE) file the process holds open there
        if [ -n "$(ls -A "$T/sig")" ] || ls -l /proc/$pid/fd 2>/dev/null | grep -q -- "-> $T/sig/"; then
            seen=1; break
        fi
        kill -0 $pid 2>/dev/null || break
        sleep 0.005
    done
    kill -"$sig" $pid 2>/dev/null
    wait $pid 2>/dev/null
    local rc=$?
    if [ "$rc" -eq 0 ]; then pass; echo "note: $sig came after the run finished; nothing to check" >&2
    elif [ "$seen" -eq 1 ] && [ "$rc" -eq "$want" ] && [ -z "$(ls -A "$T/sig")" ]; then pass
    else fail "$sig during '$*': status $rc (want $want), left '$(ls -A "$T/sig")', $(cat "$T/err")"; fi
}
if [ -f "$GPT2" ]; then
    interrupt INT 130 init "$GPT2" -o "$T/sig/gpt2.safetensors" -q
    interrupt TERM 143 init "$GPT2" -o "$T/sig/gpt2_npy" --format npy -q
    interrupt INT 130 init "$GPT2" -o "$T/sig/gpt2_sharded" --max-shard-size 100MB -q
    interrupt HUP 129 fill --shape 16384,8192 --init normal -o "$T/sig/big.npy"
fi

echo "conventions: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
