#!/usr/bin/env bash
# Builds bench_fill and bench_orthogonal against build/libnninit.a (made by
# `make lib`), runs them, then prints the peer comparison tables, then the
# whole-model, data-dependent init (bench_graph.py) and streaming benchmarks.
# Called by `make bench` and `make bench-full` (NNINIT_BENCH_FULL=1).
#
#   bash bench/run.sh [bench_fill flags...]
#   e.g. bash bench/run.sh --benchmark_filter='uniform/f32/.*/warm|ceiling'
#        bash bench/run.sh --size_mib=256        (quicker, smaller buffers)
#        NNINIT_BENCH_ONLY=orthogonal bash bench/run.sh [bench_orthogonal flags...]
#        NNINIT_BENCH_ONLY=graph bash bench/run.sh [bench_graph.py flags...]
# Environment: NNINIT_BENCH_PEERS=0 skips compare.py's PyTorch/NumPy runs.
#   NNINIT_BENCH_ONLY=fill, =orthogonal or =graph runs one harness; the flags go
#   to that one (by default, with all, they go to bench_fill).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build/libnninit.a ]; then
    echo "bench/run.sh: build/libnninit.a is missing; run 'make lib' first" >&2
    exit 1
fi

# Google Benchmark, numpy and torch come from Debian: `make bench` installs
# them (target deps-bench) before calling this script.
if [ ! -f /usr/include/benchmark/benchmark.h ]; then
    echo "bench/run.sh: libbenchmark-dev is missing; run 'make bench' (it installs it)" >&2
    exit 1
fi

ONLY=${NNINIT_BENCH_ONLY:-all}
case "$ONLY" in all|fill|orthogonal|graph) ;;
    *) echo "bench/run.sh: NNINIT_BENCH_ONLY must be fill, orthogonal or graph" >&2; exit 2;; esac

# Debian's numpy and torch live in the system interpreter, which a python3
# earlier on PATH (pyenv, venv) may not see.
PY=python3
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; fi

# Data-dependent initialization (bench/bench_graph.py, also runnable alone):
# LSUV on the CIFAR ResNet-20 and ResNet-50 against PyTorch with forward
# hooks, the probe, and the digits example.
graph_bench() {
    GRAPH_FLAGS=()
    if [ "${NNINIT_BENCH_PEERS:-1}" = 0 ]; then GRAPH_FLAGS=(--no-torch); fi
    echo
    "$PY" bench/bench_graph.py "${GRAPH_FLAGS[@]}" "$@"
}
if [ "$ONLY" = graph ]; then
    graph_bench "$@"
    exit 0
fi

CXX=${CXX:-g++}
if [ "$ONLY" != orthogonal ]; then
    "$CXX" -std=c++17 -O2 -Wall -Wextra -Iinclude bench/bench_fill.cc build/libnninit.a \
        -lbenchmark -lpthread -fopenmp -lm -o build/bench_fill

    # OMP_PROC_BIND keeps each thread on its core so runs are comparable.
    OMP_PROC_BIND=${OMP_PROC_BIND:-true} ./build/bench_fill \
        --benchmark_out=build/bench_fill.json --benchmark_out_format=json "$@"
fi

# Orthogonal: the products run on OpenBLAS's threads (OPENBLAS_NUM_THREADS).
if [ "$ONLY" != fill ]; then
    ORTHO_FLAGS=()
    # make bench: shapes up to 4096^2 elements (the 8192^2 and 4096x16384 cases, with PyTorch
    # on them, take a minute more: make bench-full and NNINIT_BENCH_ONLY=orthogonal run them)
    if [ "$ONLY" = all ] && [ "${NNINIT_BENCH_FULL:-0}" != 1 ]; then
        ORTHO_FLAGS=('--benchmark_filter=-/(8192x8192|4096x16384)')
    fi
    if [ "$ONLY" = orthogonal ]; then ORTHO_FLAGS=("$@"); fi
    "$CXX" -std=c++17 -O2 -Wall -Wextra -Iinclude bench/bench_orthogonal.cc build/libnninit.a \
        -lbenchmark -lpthread -fopenmp -llapacke -lopenblas -lm -o build/bench_orthogonal
    ./build/bench_orthogonal --benchmark_out=build/bench_orthogonal.json --benchmark_out_format=json \
        "${ORTHO_FLAGS[@]}"
fi

PEER_FLAGS=()
if [ "${NNINIT_BENCH_PEERS:-1}" = 0 ]; then PEER_FLAGS=(--no-torch --no-numpy); fi
INPUTS=()
if [ "$ONLY" != orthogonal ]; then INPUTS+=(build/bench_fill.json); fi
if [ "$ONLY" != fill ]; then INPUTS+=(--orthogonal build/bench_orthogonal.json); fi
echo
"$PY" bench/compare.py "${INPUTS[@]}" "${PEER_FLAGS[@]}"

# Orthogonal 4096^2 against PyTorch call by call in one process (needs the
# shared library from `make lib`): on a shared machine both see the same load.
if [ "$ONLY" != fill ] && [ "${NNINIT_BENCH_PEERS:-1}" != 0 ] && [ -f build/libnninit.so ]; then
    echo
    "$PY" bench/compare.py --ortho-paired 4096x4096 --ortho-rounds 3
fi

# Whole models (bench/bench_model.py, also runnable alone): gpt2-124m and
# llama-1b, f32 and bf16, nninit into memory and to a file against PyTorch.
if [ "${NNINIT_BENCH_ONLY:-all}" = all ]; then
    MODEL_FLAGS=()
    if [ "${NNINIT_BENCH_PEERS:-1}" = 0 ]; then MODEL_FLAGS=(--no-torch); fi
    # make bench: f32, medians of 2 (PyTorch builds llama-1b in 7-26 s, by the VM's page-fault
    # cost); make bench-full adds bf16 and takes medians of 3
    if [ "${NNINIT_BENCH_FULL:-0}" != 1 ]; then MODEL_FLAGS+=(--dtypes f32 --repeat 2); fi
    echo
    "$PY" bench/bench_model.py "${MODEL_FLAGS[@]}"
    # ResNet-50 (PyTorch's hook-based LSUV alone takes minutes) only in make bench-full.
    if [ "${NNINIT_BENCH_FULL:-0}" = 1 ]; then graph_bench; else graph_bench --models resnet20; fi
    # Streaming (bench/bench_stream.py): a 7B-shaped model to a file beside dd,
    # a Llama-3.1-8B config.json to a sharded checkpoint beside dd oflag=direct
    # (16 GB, two alternating runs each; three in make bench-full), llama-1b to /dev/null beside
    # PyTorch; NNINIT_BENCH_FULL=1 (make bench-full) also runs the 7B model (and its in-memory path).
    STREAM_FLAGS=()
    if [ "${NNINIT_BENCH_PEERS:-1}" = 0 ]; then STREAM_FLAGS+=(--no-torch); fi
    # The 13.5 GB 7B-shaped write (with dd beside it) only in make bench-full.
    if [ "${NNINIT_BENCH_FULL:-0}" = 1 ]; then STREAM_FLAGS+=(--arena --plain-dd --repeat-7b 3 --repeat-8b 3)
    else STREAM_FLAGS+=(--no-7b --repeat 2 --repeat-8b 2); fi
    echo
    "$PY" bench/bench_stream.py "${STREAM_FLAGS[@]}"
fi

# ---- Python package (bench/bench_python.py, also runnable alone) ----------------------------
# nninit.init_module on GPT-2 124M and llama-1b torch modules against the torch.nn.init
# loops of the models' own code, same process, 2 threads; checks the 5x floor on GPT-2 f32.
if [ "${NNINIT_BENCH_ONLY:-all}" = all ]; then
    PY_FLAGS=()
    if [ "${NNINIT_BENCH_PEERS:-1}" = 0 ]; then PY_FLAGS=(--no-torch); fi
    if [ "${NNINIT_BENCH_FULL:-0}" != 1 ]; then PY_FLAGS+=(--repeat 2); fi
    echo
    NNINIT_LIBRARY="$PWD/build/libnninit.so.$(sed -n 's/^#define NNINIT_VERSION_MAJOR \([0-9]*\)/\1/p' include/nninit.h)" \
        "$PY" bench/bench_python.py "${PY_FLAGS[@]}"
fi

# ---- meta-device models (bench/bench_materialize.py, also runnable alone) ------------------
# nninit.materialize of a Llama-3.2-1B-shaped torch module against to_empty(device="cpu") +
# every module's reset_parameters(), same process, 2 threads, rounds alternated. PyTorch is
# the comparison itself, so NNINIT_BENCH_PEERS=0 skips it.
if [ "${NNINIT_BENCH_ONLY:-all}" = all ] && [ "${NNINIT_BENCH_PEERS:-1}" != 0 ]; then
    echo
    NNINIT_LIBRARY="$PWD/build/libnninit.so.$(sed -n 's/^#define NNINIT_VERSION_MAJOR \([0-9]*\)/\1/p' include/nninit.h)" \
        "$PY" bench/bench_materialize.py --threads 2 --rounds "$([ "${NNINIT_BENCH_FULL:-0}" = 1 ] && echo 3 || echo 2)"
fi
