#!/usr/bin/env bash
# Builds bench_fill against build/libnninit.a (made by `make lib`), runs it,
# then prints the peer comparison table. Called by `make bench`.
#
#   bash bench/run.sh [bench_fill flags...]
#   e.g. bash bench/run.sh --benchmark_filter='uniform/f32/.*/warm|ceiling'
#        bash bench/run.sh --size_mib=256        (quicker, smaller buffers)
# Environment: NNINIT_BENCH_PEERS=0 skips compare.py's PyTorch/NumPy runs.
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

CXX=${CXX:-g++}
"$CXX" -std=c++17 -O2 -Wall -Wextra -Iinclude bench/bench_fill.cc build/libnninit.a \
    -lbenchmark -lpthread -fopenmp -lm -o build/bench_fill

# OMP_PROC_BIND keeps each thread on its core so runs are comparable.
OMP_PROC_BIND=${OMP_PROC_BIND:-true} ./build/bench_fill \
    --benchmark_out=build/bench_fill.json --benchmark_out_format=json "$@"

# Debian's numpy and torch live in the system interpreter, which a python3
# earlier on PATH (pyenv, venv) may not see.
PY=python3
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; fi
PEER_FLAGS=()
if [ "${NNINIT_BENCH_PEERS:-1}" = 0 ]; then PEER_FLAGS=(--no-torch --no-numpy); fi
echo
"$PY" bench/compare.py build/bench_fill.json "${PEER_FLAGS[@]}"

# Whole models (bench/bench_model.py, also runnable alone): gpt2-124m and
# llama-1b, f32 and bf16, nninit into memory and to a file against PyTorch.
if [ "${NNINIT_BENCH_ONLY:-all}" = all ]; then
    MODEL_FLAGS=()
    if [ "${NNINIT_BENCH_PEERS:-1}" = 0 ]; then MODEL_FLAGS=(--no-torch); fi
    echo
    "$PY" bench/bench_model.py "${MODEL_FLAGS[@]}"
fi
