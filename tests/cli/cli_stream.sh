#!/usr/bin/env bash
# The streaming writer end to end:
#   bash tests/cli/cli_stream.sh build/nninit build/tests/tools/arena_init
#
# `nninit init` streams; arena_init (tests/tools/arena_init.c) writes the same
# model the in-memory way (arena, nninit_model_init, nninit_model_save). For
# every example model and dtype the two give the same bytes at 1, 2 and 3
# threads, as one file and as a sharded checkpoint, which tests/cli/shards.py
# reads back on its own (index, split rule, every tensor). The big models are
# checked partly, through pipes where they can: gpt2-124m in bf16 (1-3
# threads, sharded) and f16, llama-1b in bf16 whole and its first layer's
# attention in every dtype at 1-3 threads. Then --stats, --from a
# sharded checkpoint, --memory, bad sizes, existing outputs, an unwritable
# directory and a full disk (a small tmpfs, where this process may mount one):
# each failure exits 1 with a clear message and leaves nothing.
set -u
ARENA=$(realpath "${2:?usage: cli_stream.sh path/to/nninit path/to/arena_init}")
. "$(dirname "$0")/cli_lib.sh" cli-stream "$1"
SHARDS=$ROOT/tests/cli/shards.py
MODELS=$ROOT/examples/models
# The many same-size writes of the model loops go to memory when /dev/shm has
# room (~0.5 GB at a time), sparing a disk other work shares; the disk paths
# (fsync, rename) are exercised by everything else here.
W=$F
if [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 2000000 ] 2>/dev/null; then
    W=$(mktemp -d /dev/shm/nninit-cli-stream-XXXXXX) && trap 'rm -rf "$T" "$W"' EXIT || W=$F
fi

# same WHAT FILE_A FILE_B
same() { if cmp -s "$2" "$3"; then pass; else fail "$1: $2 and $3 differ"; fi; }
# expect STATUS PATTERN ARGS...: the exit status, an "nninit: " message containing PATTERN
expect() {
    local want=$1 pattern=$2; shift 2
    run "$@"
    if [ "$rc" -eq "$want" ] && grep -q '^nninit: ' "$T/err" && grep -Fq -- "$pattern" "$T/err"; then pass
    else fail "nninit $*: status $rc (want $want), message '$(head -c 300 "$T/err")' (want '$pattern')"; fi
}
# nothing_left WHAT DIR: DIR holds only what it held before (names in $T/before)
nothing_left() {
    if [ "$(ls -A "$2")" = "$(cat "$T/before")" ]; then pass; else fail "$1: left '$(ls -A "$2")'"; fi
}

# ---- every example model and dtype: streamed == in memory, one file and sharded --------------
# (model, shard limit in bytes giving several shards, a tensor over the limit for mlp)
for case in "mlp 200000" "resnet50 20000000"; do
    set -- $case
    m=$1 limit=$2
    for dt in f32 f64 bf16 f16; do
        "$ARENA" "$MODELS/$m.json" --dtype $dt -o "$W/ref.safetensors" || { fail "arena_init $m $dt"; continue; }
        for th in 1 2 3; do
            run_ok "$m $dt --threads $th" init "$MODELS/$m.json" --dtype $dt --threads $th -o "$W/s.safetensors" -f -q &&
                same "$m $dt, $th threads: streamed vs in memory" "$W/ref.safetensors" "$W/s.safetensors"
            run_ok "$m $dt --threads $th sharded" init "$MODELS/$m.json" --dtype $dt --threads $th -o "$W/sh" -f -q \
                --max-shard-size ${limit}B &&
                check "$m $dt, $th threads: sharded checkpoint read back" "$PY" "$SHARDS" "$W/sh" "$W/ref.safetensors" $limit
        done
    done
    # npy directories
    "$ARENA" "$MODELS/$m.json" --dtype bf16 --format npy -o "$W/ref_npy" || fail "arena_init $m npy"
    run_ok "$m npy" init "$MODELS/$m.json" --dtype bf16 --threads 3 --format npy -o "$W/npy" -q &&
        check "$m npy: streamed vs in memory" diff -r "$W/ref_npy" "$W/npy"
    rm -rf "$W"/*
done
# ---- on the disk: whole pages by O_DIRECT, the edges through the page cache (src/io/sink.c) ----
# The loops above may run in /dev/shm, where tmpfs refuses O_DIRECT; these write to
# $F (the temporary directory's file system). resnet50 spans many 8 MiB staging
# buffers, and every file starts with a head that ends off a page boundary.
for dt in f32 bf16; do
    "$ARENA" "$MODELS/resnet50.json" --dtype $dt -o "$F/ref.safetensors" || { fail "arena_init resnet50 $dt"; continue; }
    run_ok "resnet50 $dt on disk" init "$MODELS/resnet50.json" --dtype $dt -o "$F/d.safetensors" -f -q &&
        same "resnet50 $dt on disk: streamed vs in memory" "$F/ref.safetensors" "$F/d.safetensors"
    run_ok "resnet50 $dt on disk, sharded" init "$MODELS/resnet50.json" --dtype $dt -o "$F/dsh" -f -q \
        --max-shard-size 20000000B &&
        check "resnet50 $dt on disk: sharded checkpoint read back" "$PY" "$SHARDS" "$F/dsh" "$F/ref.safetensors" 20000000
    rm -rf "$F/ref.safetensors" "$F/d.safetensors" "$F/dsh"
done
"$ARENA" "$MODELS/resnet50.json" --dtype f16 --format npy -o "$F/ref_npy" || fail "arena_init resnet50 npy"
run_ok "resnet50 npy on disk" init "$MODELS/resnet50.json" --dtype f16 --format npy -o "$F/dnpy" -q &&
    check "resnet50 npy on disk: streamed vs in memory" diff -r "$F/ref_npy" "$F/dnpy"
rm -rf "$F/ref_npy" "$F/dnpy"

# one shard in all: the directory's model.safetensors, no index
"$ARENA" "$MODELS/mlp.json" -o "$F/ref.safetensors"
run_ok "mlp, one shard" init "$MODELS/mlp.json" -o "$F/one" --max-shard-size 5GB -q &&
    check "mlp, one shard: model.safetensors alone" "$PY" "$SHARDS" "$F/one" "$F/ref.safetensors" 5000000000

# gpt2-124m: bf16 at 1-3 threads and sharded, f16 through a pipe
G=$MODELS/gpt2-124m.json
check "gpt2-124m f16 through a pipe: streamed vs in memory" \
    cmp -s <("$NNINIT" init "$G" --dtype f16 --threads 3 -o - -q) <("$ARENA" "$G" --dtype f16 -o -)
"$ARENA" "$G" --dtype bf16 -o "$F/gpt2.safetensors"
for th in 1 2 3; do
    check "gpt2-124m bf16, $th threads, through a pipe" cmp -s <("$NNINIT" init "$G" --dtype bf16 --threads $th -o - -q) "$F/gpt2.safetensors"
done
run_ok "gpt2 sharded" init "$G" --dtype bf16 --threads 2 -o "$F/gpt2_sh" --max-shard-size 100MB -q &&
    check "gpt2-124m bf16 sharded read back" "$PY" "$SHARDS" "$F/gpt2_sh" "$F/gpt2.safetensors" 100000000

# llama-1b: bf16 whole through a pipe; its first layer's attention and norms
# in every dtype at 1-3 threads (the in-memory bytes computed once per dtype)
L=$MODELS/llama-1b.json
check "llama-1b bf16 through a pipe: streamed vs in memory" \
    cmp -s <("$NNINIT" init "$L" --dtype bf16 --threads 2 -o - -q) <("$ARENA" "$L" --dtype bf16 -o -)
"$PY" - "$L" "$T/layer0.json" <<'PYEOF'
import json, sys
spec = json.load(open(sys.argv[1]))
spec['tensors'] = [t for t in spec['tensors']
                   if ('.layers.0.' in t['name'] and '.mlp.' not in t['name']) or t['name'] == 'model.norm.weight']
json.dump(spec, open(sys.argv[2], 'w'))
PYEOF
for dt in f32 f64 bf16 f16; do
    "$ARENA" "$T/layer0.json" --dtype $dt -o "$W/layer0.safetensors"
    for th in 1 2 3; do
        check "llama-1b layer 0 $dt, $th threads: streamed vs in memory" \
            cmp -s <("$NNINIT" init "$T/layer0.json" --dtype $dt --threads $th -o - -q) "$W/layer0.safetensors"
    done
done
rm -f "$W/layer0.safetensors"

# ---- --stats: the same table whatever the output and the thread count --------------------------
run_ok "--stats to /dev/null" init "$MODELS/resnet50.json" --dtype bf16 -o /dev/null --stats --threads 1 -q && cp "$T/out" "$T/stats1"
run_ok "--stats to a file" init "$MODELS/resnet50.json" --dtype bf16 -o "$F/r.safetensors" --stats --threads 3 -q &&
    same "--stats: the same table at 1 and 3 threads, to /dev/null and a file" "$T/stats1" "$T/out"
run_ok "--stats sharded" init "$MODELS/resnet50.json" --dtype bf16 -o "$F/r_sh" --stats --max-shard-size 10MB -f -q &&
    same "--stats: the same table for a sharded checkpoint" "$T/stats1" "$T/out"

# ---- --from a sharded checkpoint: its directory or its index -----------------------------------
run_ok "--from a sharded directory" init "$G" --dtype bf16 --seed 99 -o "$F/from.safetensors" --from "$F/gpt2_sh" -f &&
    grep -q "from '$F/gpt2_sh': 148 loaded, 0 renamed, 0 reinitialized (shape mismatch), 0 initialized" "$T/err" && pass ||
    fail "--from a sharded directory: report '$(cat "$T/err")'"
check "--from a sharded directory: the tensors are the checkpoint's" \
    cmp -s <("$PY" -c "import sys; b=open(sys.argv[1],'rb').read(); n=int.from_bytes(b[:8],'little'); sys.stdout.buffer.write(b[8+n:])" "$F/from.safetensors") \
           <("$PY" -c "import sys; b=open(sys.argv[1],'rb').read(); n=int.from_bytes(b[:8],'little'); sys.stdout.buffer.write(b[8+n:])" "$F/gpt2.safetensors")
run_ok "--from an index" init "$G" --dtype bf16 -o "$F/from2.safetensors" --from "$F/gpt2_sh/model.safetensors.index.json" -q &&
    check "--from an index: the same tensors as in memory" \
    cmp -s <("$PY" -c "import sys; b=open(sys.argv[1],'rb').read(); n=int.from_bytes(b[:8],'little'); sys.stdout.buffer.write(b[8+n:])" "$F/from2.safetensors") \
           <("$PY" -c "import sys; b=open(sys.argv[1],'rb').read(); n=int.from_bytes(b[:8],'little'); sys.stdout.buffer.write(b[8+n:])" "$F/gpt2.safetensors")
expect 1 "neither model.safetensors nor model.safetensors.index.json" init "$G" -o "$F/x.safetensors" --from "$F"
rm -f "$F/from.safetensors" "$F/from2.safetensors"

# ---- --memory ------------------------------------------------------------------------------------------
"$ARENA" "$MODELS/resnet50.json" -o "$F/ref.safetensors"
for mem in 2MiB 3MB 1GiB; do
    run_ok "--memory $mem" init "$MODELS/resnet50.json" --memory $mem -o "$F/m.safetensors" -f -q &&
        same "--memory $mem: the same bytes" "$F/ref.safetensors" "$F/m.safetensors"
done

# ---- bad input ------------------------------------------------------------------------------------------
ls -A "$F" >"$T/before"
o=(-o "$F/bad")
expect 2 "'0B' is zero bytes" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size 0B
expect 2 "'0GB' is zero bytes" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size 0GB
expect 2 "'-1': a size cannot be negative" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size=-1
expect 2 "a size cannot be negative" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size=-5GB
expect 2 "'abc' is not a size" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size abc
expect 2 "unknown unit 'XB'" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size 5XB
expect 2 "'' is not a size" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size ''
expect 2 "--max-shard-size needs a value" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size
expect 2 "--max-shard-size applies to safetensors" init "$MODELS/mlp.json" "${o[@]}" --max-shard-size 1GB --format npy
expect 2 "-o - is not one" init "$MODELS/mlp.json" -o - --max-shard-size 1GB
expect 2 "below the minimum, 2MiB" init "$MODELS/mlp.json" "${o[@]}" --memory 1MB
expect 2 "--memory: 'lots' is not a size" init "$MODELS/mlp.json" "${o[@]}" --memory lots
nothing_left "bad sizes" "$F"

# existing outputs: refused without -f; an earlier sharded output is replaced with -f; a directory
# with other files never
run_ok "sharded output" init "$MODELS/mlp.json" -o "$F/sh" --max-shard-size 200KB -q
ls -A "$F" >"$T/before"
expect 1 "'$F/sh' exists; -f/--force replaces it" init "$MODELS/mlp.json" -o "$F/sh" --max-shard-size 200KB
run_ok "sharded output -f" init "$MODELS/mlp.json" -o "$F/sh" --max-shard-size 300KB --seed 5 -q -f &&
    grep -q '"seed":"5"' "$F/sh/model-00001-of-00002.safetensors" && pass || fail "-f did not replace the sharded output"
mkdir "$F/mine" && echo keep >"$F/mine/notes.txt"
echo keep >"$F/file"   # a regular file (a name ending in .safetensors is refused earlier, as a file's name)
ls -A "$F" >"$T/before"
expect 1 "is a directory nninit did not write" init "$MODELS/mlp.json" -o "$F/mine" --max-shard-size 200KB -f
expect 1 "exists and is not one" init "$MODELS/mlp.json" -o "$F/file" --max-shard-size 200KB -f
nothing_left "refused outputs" "$F"
check "the directory nninit did not write is intact" test "$(cat "$F/mine/notes.txt")" = keep

# an unwritable directory: one that does not exist, and a read-only one
for shard in "" "--max-shard-size 200KB"; do
    expect 1 "cannot" init "$MODELS/mlp.json" -o "$F/nodir/out" $shard
done
nothing_left "a missing directory" "$F"

# a full disk, and a read-only file system: a tmpfs of 8 MiB in a mount namespace
# of our own (gone when the command ends). Each file's size is reserved when it is
# created (fallocate), so a disk too small fails before any data is written, with
# what the output needs; tests/unit/test_direct.c makes writes fail midway instead.
if unshare -m --propagation private sh -c "mount -t tmpfs -o size=1m tmpfs '$F/mine' && umount '$F/mine'" 2>/dev/null; then
    # in_tmpfs OPTIONS ARGS...: nninit ARGS with $D a fresh tmpfs; status in $rc, the tmpfs's
    # contents afterwards in $T/left
    D=$T/mnt
    mkdir -p "$D"
    in_tmpfs() {
        local opts=$1; shift
        unshare -m --propagation private bash -c '
            mount -t tmpfs -o "$1" tmpfs "$2" || exit 99
            d=$2; shift 2
            "$@" >"'"$T/out"'" 2>"'"$T/err"'"; rc=$?
            ls -A "$d" >"'"$T/left"'"; exit $rc' _ "$opts" "$D" "$NNINIT" "$@"
        rc=$?
    }
    for kind in "-o $D/r.safetensors" "-o $D/r_sh --max-shard-size 5MB" "-o $D/r_npy --format npy"; do
        in_tmpfs size=8m init "$MODELS/resnet50.json" $kind
        if [ "$rc" -eq 1 ] && grep -q "No space left on device (the output needs [0-9.]* GB; nothing was written)" "$T/err" &&
           [ ! -s "$T/left" ]; then pass
        else fail "disk full ($kind): status $rc, '$(cat "$T/err")', left '$(cat "$T/left")'"; fi
    done
    in_tmpfs size=8m,ro init "$MODELS/mlp.json" -o "$D/sh" --max-shard-size 200KB
    if [ "$rc" -eq 1 ] && grep -q "Read-only file system" "$T/err" && [ ! -s "$T/left" ]; then pass
    else fail "read-only directory: status $rc, '$(cat "$T/err")', left '$(cat "$T/left")'"; fi
else
    echo "note: cannot mount a tmpfs here (not root, or no mount namespaces): full-disk and read-only checks skipped" >&2
fi

echo "cli_stream: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
