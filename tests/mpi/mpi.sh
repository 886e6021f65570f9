#!/usr/bin/env bash
# nninit-mpi under mpirun against nninit init, byte for byte:
#   bash tests/mpi/mpi.sh build/nninit-mpi build/nninit
#
# With 1, 2 and 3 processes (oversubscribed on a small machine): one
# safetensors file (byte ranges per process; the ranges cut through tensors),
# a sharded checkpoint (whole files per process) and an npy directory, with
# --from and --stats; then failures: a process that cannot write (it runs
# under ulimit -f) fails the run with its message and nothing is left; usage
# errors exit 2 with one message; an existing output is refused; a device
# needs one process, standard output is refused (mpirun relays it as text); a process whose
# spec or options differ from the first's fails the run before anything is created. On one machine the processes share the page cache
# and a local file system: what a cluster adds (a network file system, ranks on
# other hosts) is not shown here.
set -u
MPI_PROG=$(realpath "${1:?usage: mpi.sh path/to/nninit-mpi path/to/nninit}")
. "$(dirname "$0")/../cli/cli_lib.sh" mpi "$2"
MPIRUN=(mpirun --oversubscribe --allow-run-as-root --bind-to none)
command -v mpirun >/dev/null || { echo "mpi.sh: mpirun is missing (make mpi installs openmpi-bin)" >&2; exit 1; }
export OMPI_MCA_btl_vader_single_copy_mechanism=none   # no CMA in containers: shared-memory transport still works

F=$T/files
mkdir -p "$F"
# mpi NP ARGS...: nninit-mpi ARGS on NP processes; stdout, stderr, status as run's
mpi() { local np=$1; shift; "${MPIRUN[@]}" -np "$np" "$MPI_PROG" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
same_tree() { diff -r -q "$1" "$2" >/dev/null; }
nothing_left() { # WHAT: $F holds only the names in $T/before
    if [ "$(ls -A "$F")" = "$(cat "$T/before")" ]; then pass; else fail "$1: left '$(ls -A "$F")'"; fi
}

# A ~24 MB model with every kind of tensor, large ones that the byte ranges cut
cat >"$T/m.json" <<'JSON'
{"seed": 42, "dtype": "f32",
 "rules": {"*.bias": "zeros", "*": "kaiming_uniform"},
 "tensors": [
  {"name": "emb", "shape": [3000, 1024], "init": "normal(std=0.02)"},
  {"name": "a.weight", "shape": [1024, 1024], "dtype": "bf16", "init": "trunc_normal(std=0.02)"},
  {"name": "a.bias", "shape": [1024]},
  {"name": "rnn", "shape": [512, 256], "init": "orthogonal"},
  {"name": "sp", "shape": [300, 200], "dtype": "f16", "init": "sparse(sparsity=0.5)"},
  {"name": "eye", "shape": [900, 1000], "dtype": "f64", "init": "eye"},
  {"name": "conv", "shape": [64, 64, 3, 3], "init": "dirac"},
  {"name": "s", "shape": [], "init": "constant(value=2)"},
  {"name": "e", "shape": [0, 4]},
  {"name": "b.weight", "shape": [1000, 1000], "dtype": "f64", "init": "uniform(low=-1, high=1)"}
 ]}
JSON

"$NNINIT" init "$T/m.json" -o "$F/ref.safetensors" -q || fail "nninit init"
"$NNINIT" init "$T/m.json" -o "$F/ref_sh" --max-shard-size 6MB -q || fail "nninit init sharded"
"$NNINIT" init "$T/m.json" -o "$F/ref_npy" --format npy -q || fail "nninit init npy"
"$NNINIT" init "$T/m.json" -o /dev/null --stats -q >"$T/stats_ref" || fail "nninit init --stats"
"$NNINIT" init "$T/m.json" --seed 7 -o "$F/ref_from.safetensors" -q --from "$F/ref_sh" || fail "nninit init --from"
# data_of FILE: a safetensors file's tensor bytes (after the 8-byte length and the header)
data_of() { tail -c +$((9 + $(od -An -t u8 -N 8 "$1"))) "$1"; }
for np in 1 2 3; do
    mpi $np init "$T/m.json" -o "$F/one.safetensors" -f -q
    [ "$rc" -eq 0 ] && cmp -s "$F/ref.safetensors" "$F/one.safetensors" && pass ||
        fail "-np $np one file: status $rc, $(head -c 300 "$T/err")"
    mpi $np init "$T/m.json" -o "$F/sh" --max-shard-size 6MB -f -q --threads 1
    [ "$rc" -eq 0 ] && same_tree "$F/ref_sh" "$F/sh" && pass || fail "-np $np sharded: status $rc, $(head -c 300 "$T/err")"
    mpi $np init "$T/m.json" -o "$F/npy" --format npy -f -q --memory 2MiB
    [ "$rc" -eq 0 ] && same_tree "$F/ref_npy" "$F/npy" && pass || fail "-np $np npy: status $rc, $(head -c 300 "$T/err")"
    mpi $np init "$T/m.json" -o "$F/st.safetensors" -f -q --stats
    [ "$rc" -eq 0 ] && cmp -s "$T/stats_ref" "$T/out" && pass || fail "-np $np --stats: status $rc, $(head -c 300 "$T/err")"
    mpi $np init "$T/m.json" --seed 7 -o "$F/from.safetensors" -f -q --from "$F/ref_sh"
    [ "$rc" -eq 0 ] && cmp -s "$F/ref_from.safetensors" "$F/from.safetensors" &&
        cmp -s <(data_of "$F/ref.safetensors") <(data_of "$F/from.safetensors") && pass ||
        fail "-np $np --from a sharded checkpoint: status $rc, $(head -c 300 "$T/err")"
done
# a Hugging Face config: the same sharded checkpoint, config.json included
mkdir -p "$T/hf"
echo '{"model_type": "qwen2", "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 3,
 "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 500, "pad_token_id": 1}' >"$T/hf/config.json"
"$NNINIT" init "$T/hf" -o "$F/ref_hf" --max-shard-size 300KB --recipe megatron -q || fail "nninit init of a config"
for np in 2 3; do
    mpi $np init "$T/hf" -o "$F/hf" --max-shard-size 300KB --recipe megatron -f -q
    [ "$rc" -eq 0 ] && same_tree "$F/ref_hf" "$F/hf" && [ -f "$F/hf/config.json" ] && pass ||
        fail "-np $np a Hugging Face config: status $rc, $(head -c 300 "$T/err")"
done
rm -rf "$F/hf" "$F/ref_hf"

# the summary line and the progress of all, drawn by the first process
mpi 2 init "$T/m.json" -o "$F/one.safetensors" -f --progress
[ "$rc" -eq 0 ] && grep -q 'on 2 processes; wrote' "$T/err" && grep -q 'GB/s  ETA' "$T/err" && pass ||
    fail "summary and progress: $(cat "$T/err")"
[ "$(grep -c 'nninit-mpi: init: .* tensors' "$T/err")" -eq 1 ] && pass || fail "one summary line: $(cat "$T/err")"

# ---- failures ----------------------------------------------------------------------------
rm -rf "$F/one.safetensors" "$F/sh" "$F/npy" "$F/st.safetensors" "$F/from.safetensors"
ls -A "$F" >"$T/before"
# the second process may write 64 KiB only (ulimit -f): it fails, the run fails with its message
for out in "-o $F/x.safetensors" "-o $F/x_sh --max-shard-size 6MB" "-o $F/x_npy --format npy"; do
    "${MPIRUN[@]}" -np 1 "$MPI_PROG" init "$T/m.json" $out : \
        -np 1 bash -c 'ulimit -f 64; exec "$0" "$@"' "$MPI_PROG" init "$T/m.json" $out >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne 0 ] && grep -q '^nninit-mpi: init: cannot write .*: File too large (process 1 of 2)$' "$T/err"; then pass
    else fail "a failing process ($out): status $rc, $(cat "$T/err")"; fi
    nothing_left "a failing process ($out)"
done
# every process agrees on a usage error; one message
mpi 2 init "$T/m.json" -o "$F/x" --max-shard-size 0B
[ "$rc" -eq 2 ] && [ "$(grep -c "nninit-mpi: init: --max-shard-size: '0B' is zero bytes" "$T/err")" -eq 1 ] && pass ||
    fail "usage error: status $rc, $(cat "$T/err")"
mpi 3 init "$T/m.json" -o "$F/x" --memory 1KB
[ "$rc" -eq 2 ] && grep -q "below the minimum" "$T/err" && pass || fail "--memory 1KB: status $rc, $(cat "$T/err")"
mpi 2 frob
[ "$rc" -eq 2 ] && grep -q "the one command is init" "$T/err" && pass || fail "unknown command: status $rc"
mpi 2 init "$T/missing.json" -o "$F/x"
[ "$rc" -eq 1 ] && grep -q "missing.json" "$T/err" && pass || fail "missing spec: status $rc, $(cat "$T/err")"
mpi 2 init "$T/m.json" -o "$F/ref.safetensors"
[ "$rc" -eq 1 ] && grep -q "exists; -f/--force replaces it" "$T/err" && pass || fail "existing output: status $rc"
mpi 2 init "$T/m.json" -o /dev/null
[ "$rc" -eq 1 ] && grep -q "run with -np 1" "$T/err" && pass || fail "a device on 2 processes: status $rc, $(cat "$T/err")"
mpi 2 init "$T/m.json" -o "$F/x" --format npy --stats
[ "$rc" -eq 2 ] && grep -q "format npy and several processes" "$T/err" && pass || fail "npy --stats: status $rc"
nothing_left "usage errors"
# a stale spec on one process (another seed, or other shapes): every process must plan the
# same output, compared before anything is created; the run fails naming the process
sed 's/"seed": 42/"seed": 43/' "$T/m.json" >"$T/m43.json"
sed 's/\[3000, 1024\]/[3000, 1000]/' "$T/m.json" >"$T/m_shape.json"
for other in m43 m_shape; do
    for out in "-o $F/x.safetensors" "-o $F/x_sh --max-shard-size 6MB"; do
        "${MPIRUN[@]}" -np 1 "$MPI_PROG" init "$T/m.json" $out -q : -np 1 "$MPI_PROG" init "$T/$other.json" $out -q \
            >"$T/out" 2>"$T/err"
        rc=$?
        if [ "$rc" -eq 1 ] && grep -q '^nninit-mpi: init: the processes do not agree on the output: process 1 planned' "$T/err"
        then pass; else fail "a different spec on process 1 ($other, $out): status $rc, $(cat "$T/err")"; fi
        nothing_left "a different spec on process 1 ($other, $out)"
    done
done
# the same on three processes, the last one differing: named
"${MPIRUN[@]}" -np 2 "$MPI_PROG" init "$T/m.json" -o "$F/x.safetensors" -q : \
    -np 1 "$MPI_PROG" init "$T/m.json" -o "$F/x.safetensors" -q --dtype f16 >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'process 2 planned another output' "$T/err" && pass ||
    fail "--dtype on process 2 only: status $rc, $(cat "$T/err")"
nothing_left "--dtype on process 2 only"
mpi 2 init --help
[ "$rc" -eq 0 ] && grep -q '^usage: mpirun' "$T/out" && grep -q '^usage: nninit init' "$T/out" && pass ||
    fail "nninit-mpi init --help: status $rc"
mpi 1 init "$T/m.json" -o - -q
[ "$rc" -eq 2 ] && grep -q "mpirun relays standard output" "$T/err" && pass || fail "-o -: status $rc"

# ---- docs/GUIDE.md's mpirun line, as written -------------------------------------------------------------
# Only the program's path and the output's place change; no --allow-run-as-root is added and
# Open MPI's environment switches for root are cleared, so run as root (a container, CI) the
# line itself must say it. Oversubscription is allowed through the environment for machines
# with fewer than 2 cores.
line=$(grep -m1 '^mpirun -np 2 .*build/nninit-mpi init examples/models/gpt2-124m.json' "$ROOT/docs/GUIDE.md")
if [ -z "$line" ]; then fail "docs/GUIDE.md: the mpirun line of the nninit-mpi section is missing"
else
    cmd=${line//build\/nninit-mpi/$MPI_PROG}
    cmd=${cmd//-o gpt2 /-o $F/gpt2 }
    (cd "$ROOT" && env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM OMPI_MCA_rmaps_base_oversubscribe=1 \
        bash -c "$cmd -q") >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 0 ] && [ -f "$F/gpt2/model.safetensors.index.json" ] && pass ||
        fail "docs/GUIDE.md's line '$line': status $rc, $(head -c 400 "$T/err")"
    rm -rf "$F/gpt2"
fi

echo "mpi: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
