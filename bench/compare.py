#!/usr/bin/env python3
"""Compare nninit's fills with PyTorch and NumPy on the same buffer size.

Reads the JSON that bench_fill wrote (--benchmark_out=FILE
--benchmark_out_format=json), times the peers here, and prints one markdown
table. Every peer figure is warm: the tensor or array is allocated and
written before the calls that are timed. A peer whose import fails is
skipped and its columns read "n/a".

With --orthogonal FILE (bench_orthogonal's JSON) it also times
torch.nn.init.orthogonal_ on the same shapes and prints a second table.

With --ortho-paired SHAPES it times nninit_orthogonal (build/libnninit.so,
through ctypes) and torch.nn.init.orthogonal_ in this one process, call by
call in alternation, so that both see the same load on a shared machine, and
prints every round's pair and the ratios.

    python3 bench/compare.py build/bench_fill.json [--threads 1,2] [--size-mib N]
    python3 bench/compare.py [build/bench_fill.json] --orthogonal build/bench_orthogonal.json
    python3 bench/compare.py --ortho-paired 4096x4096 [--ortho-rounds 5]
"""

import argparse
import ctypes
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

OPS = ("uniform", "normal", "trunc_normal")
DTYPES = ("f32", "bf16")
SEED = 0x6E6E696E6974


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- nninit's results ---------------------------------------------------------

def load_nninit(path):
    """Returns (fills, ceilings, context).

    fills[(op, dtype, threads, mode)] = list of (values/s, bytes/s, isa, buffer MiB)
    ceilings[(kind, threads, mode)] = bytes/s
    """
    with open(path) as f:
        doc = json.load(f)
    fills, ceilings = {}, {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        # Google Benchmark appends /iterations:N and /real_time or /manual_time.
        parts = [p for p in b.get("run_name", b["name"]).split("/")
                 if not p.startswith("iterations:") and p not in ("real_time", "manual_time")]
        vps = b.get("values/s", b.get("items_per_second"))
        bps = b.get("bytes_per_second")
        if parts[0] == "ceiling" and len(parts) >= 4:
            ceilings[(parts[1], int(parts[2].split(":")[1]), parts[3])] = bps
        elif parts[0] in OPS and len(parts) >= 5:
            op, dtype, isa, threads, mode = parts[:5]
            key = (op, dtype, int(threads.split(":")[1]), mode)
            fills.setdefault(key, []).append((vps, bps, isa, b.get("buffer_MiB")))
    return fills, ceilings, doc.get("context", {})


# ---- peers ----------------------------------------------------------------------

def time_calls(fn, calls, skip):
    """Mean wall time of calls skip+1 .. calls (the first `skip` warm up)."""
    times = []
    for i in range(calls):
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        if i >= skip:
            times.append(t1 - t0)
    return sum(times) / len(times)


def run_torch(n, threads_list, trunc_calls):
    """Returns ({(op, threads): values/s}, version) or (None, reason)."""
    try:
        import torch
    except Exception as e:  # any import failure means: no peer
        return None, "import failed: %s" % e
    out = {}
    x = torch.empty(n, dtype=torch.float32)
    x.zero_()  # fault the pages in once, untimed
    for t in threads_list:
        torch.set_num_threads(t)
        ops = {
            "uniform": lambda: torch.nn.init.uniform_(x, 0.0, 1.0),
            "normal": lambda: torch.nn.init.normal_(x, 0.0, 1.0),
            "trunc_normal": lambda: torch.nn.init.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0),
        }
        for op, fn in ops.items():
            if op == "trunc_normal":
                # Several seconds per GiB: the tensor is already warm, so no warm-up call.
                sec = time_calls(fn, trunc_calls, 0)
            else:
                sec = time_calls(fn, 3, 1)
            out[(op, t)] = n / sec
            log("torch  %-12s threads:%d  %.3f G values/s" % (op, t, n / sec / 1e9))
    del x
    return out, torch.__version__


def run_numpy(n, threads_list):
    """Returns ({(op, threads): values/s}, version) or (None, reason).

    NumPy's Generator is single threaded; for T threads the array is cut into T
    slices, each filled by its own Generator (seeds spawned from one
    SeedSequence) on its own Python thread: the Generator releases the GIL
    while it fills, as NumPy's multithreaded-generation recipe relies on.
    """
    try:
        import numpy as np
    except Exception as e:
        return None, "import failed: %s" % e
    out = {}
    a = np.empty(n, dtype=np.float32)
    a.fill(0.0)
    for t in threads_list:
        gens = [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(SEED).spawn(t)]
        bounds = [n * i // t for i in range(t + 1)]
        slices = [a[bounds[i]:bounds[i + 1]] for i in range(t)]
        ops = {
            "uniform": lambda g, s: g.random(out=s, dtype=np.float32),
            "normal": lambda g, s: g.standard_normal(out=s, dtype=np.float32),
        }
        with ThreadPoolExecutor(max_workers=t) as pool:
            for op, f in ops.items():
                if t == 1:
                    fn = lambda: f(gens[0], slices[0])
                else:
                    fn = lambda: list(pool.map(f, gens, slices))
                sec = time_calls(fn, 3, 1)
                out[(op, t)] = n / sec
                log("numpy  %-12s threads:%d  %.3f G values/s" % (op, t, n / sec / 1e9))
    del a
    return out, np.__version__


def best_of(runs, size_mib):
    """The fastest run, among those on the full buffer when there are any: a
    path measured on a smaller buffer (scalar) would win the cold column on
    fewer page faults, not on speed."""
    full = [r for r in runs if r[3] is not None and int(r[3]) == size_mib]
    return max(full or runs, key=lambda r: r[0] or 0, default=None)


# ---- orthogonal -------------------------------------------------------------------

def load_orthogonal(path):
    """Returns ({(kind, rows, cols): (seconds, orth_err)}, context); kind is
    "orthogonal" (nninit) or "lapack_qr" (plain geqrf + orgqr)."""
    with open(path) as f:
        doc = json.load(f)
    out = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        parts = b.get("run_name", b["name"]).split("/")
        if len(parts) < 3 or parts[0] not in ("orthogonal", "lapack_qr"):
            continue
        rows, cols = (int(x) for x in parts[2].split("x"))
        out[(parts[0], rows, cols)] = (b.get("seconds"), b.get("orth_err"))
    return out, doc.get("context", {})


def run_torch_orthogonal(shapes, calls, big_calls):
    """torch.nn.init.orthogonal_ on float32 (rows, cols) tensors: mean wall
    time of `calls` calls after one warm-up call (which also starts
    OpenBLAS's threads), and max |Q^T Q - I| of the last result in float64.
    Shapes of more than 4096^2 elements (10-20 s a call) get `big_calls`
    timed calls and no warm-up call: the tensor is written once untimed
    instead, so its pages are in.
    PyTorch keeps its default intra-op thread count: its QR runs on OpenBLAS's
    threads either way, and extra OpenMP threads spinning beside them made it
    slower (1024^2: 0.10 s with 2 threads, 0.06 s with 1, on 2 cores).
    Returns ({(rows, cols): (seconds, orth_err)}, description) or (None, reason)."""
    try:
        import torch
    except Exception as e:
        return None, "import failed: %s" % e
    out = {}
    for rows, cols in shapes:
        w = torch.empty(rows, cols, dtype=torch.float32)
        if rows * cols > 4096 * 4096:
            w.zero_()
            sec = time_calls(lambda: torch.nn.init.orthogonal_(w), big_calls, 0)
        else:
            sec = time_calls(lambda: torch.nn.init.orthogonal_(w), calls + 1, 1)
        q = w.double()
        del w
        if rows < cols:
            q = q.t()
        err = (q.t() @ q - torch.eye(q.shape[1], dtype=torch.float64)).abs().max().item()
        del q
        out[(rows, cols)] = (sec, err)
        log("torch  orthogonal_ %dx%d  %.3f s  max|QtQ-I| %.2e" % (rows, cols, sec, err))
    return out, "%s (%d threads)" % (torch.__version__, torch.get_num_threads())


def orthogonal_table(path, no_torch, calls, big_calls):
    res, ctx = load_orthogonal(path)
    shapes = sorted({(r, c) for (k, r, c) in res if k == "orthogonal"}, key=lambda rc: (rc[0] * rc[1], rc))
    torch_res, torch_ver = (None, "skipped") if no_torch else run_torch_orthogonal(shapes, calls, big_calls)
    head = ["shape", "dtype", "nninit s", "nninit max\\|QᵀQ−I\\|", "LAPACK geqrf+orgqr s", "PyTorch s",
            "PyTorch max\\|QᵀQ−I\\|", "nninit vs PyTorch", "nninit vs LAPACK"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|")
    for rows, cols in shapes:
        ns, ne = res.get(("orthogonal", rows, cols), (None, None))
        ls, _ = res.get(("lapack_qr", rows, cols), (None, None))
        ts, te = torch_res.get((rows, cols), (None, None)) if torch_res else (None, None)
        row = ["%dx%d" % (rows, cols), "f32", fmt(ns, 1, 3), "n/a" if ne is None else "%.1e" % ne,
               fmt(ls, 1, 3), fmt(ts, 1, 3), "n/a" if te is None else "%.1e" % te,
               ratio(ts, ns), ratio(ls, ns)]
        print("| " + " | ".join(row) + " |")
    print()
    print("Seconds per call (mean of the timed calls, after one warm-up call; PyTorch above 4096^2 elements: "
          "%d call(s) on a tensor written once before). nninit: nninit_orthogonal, Gaussian vectors + "
          "reflectors + Q + signs; LAPACK: a Gaussian with LAPACKE_sgeqrf + LAPACKE_sorgqr. "
          "Speedups are time ratios. OpenBLAS: %s, core %s, %s threads. PyTorch: %s. "
          "Load average when bench_orthogonal started: %s."
          % (big_calls, ctx.get("openblas", "?").strip(), ctx.get("openblas_core", "?"),
             ctx.get("openblas_threads", "?"), torch_ver,
             ", ".join("%.2f" % x for x in ctx.get("load_avg", [])) or "?"))


def ortho_paired(shapes, rounds, lib_path):
    """nninit_orthogonal and torch.nn.init.orthogonal_ on the same float32
    (rows, cols) tensor, alternately: one untimed call of each, then `rounds`
    rounds of one timed call each, the order swapped every round so that a
    change of load falls on both. Both use the same OpenBLAS library (PyTorch
    links Debian's OpenBLAS, as libnninit does) and so the same thread pool."""
    import torch

    class Layout(ctypes.Structure):
        _fields_ = [("kind", ctypes.c_int), ("in_axis", ctypes.c_int), ("out_axis", ctypes.c_int),
                    ("groups", ctypes.c_int64)]

    class Rng(ctypes.Structure):
        _fields_ = [("seed", ctypes.c_uint64), ("stream", ctypes.c_uint64)]

    lib = ctypes.CDLL(lib_path)
    fn = lib.nninit_orthogonal
    fn.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int64), ctypes.c_int, Layout,
                   ctypes.c_double, Rng]
    fn.restype = ctypes.c_int
    lib.nninit_version_string.restype = ctypes.c_char_p
    print("nninit %s (%s), PyTorch %s (%d threads), load average at start: %s"
          % (lib.nninit_version_string().decode(), lib_path, torch.__version__, torch.get_num_threads(),
             ", ".join("%.2f" % x for x in os.getloadavg())))
    print()
    print("| shape | round | nninit s | PyTorch s | PyTorch / nninit |")
    print("|---|---:|---:|---:|---:|")
    summary = []
    for rows, cols in shapes:
        w = torch.empty(rows, cols, dtype=torch.float32)
        w.zero_()
        shape = (ctypes.c_int64 * 2)(rows, cols)

        def run_nninit():
            st = fn(w.data_ptr(), 0, shape, 2, Layout(0, 0, 0, 0), 1.0, Rng(SEED, 3))
            if st != 0:
                raise RuntimeError("nninit_orthogonal returned %d" % st)

        def run_torch():
            torch.nn.init.orthogonal_(w)

        def err():
            q = w.double()
            if rows < cols:
                q = q.t()
            return (q.t() @ q - torch.eye(q.shape[1], dtype=torch.float64)).abs().max().item()

        run_nninit()
        run_torch()
        pairs = []
        for r in range(rounds):
            order = (run_nninit, run_torch) if r % 2 == 0 else (run_torch, run_nninit)
            t = {}
            for f in order:
                t0 = time.perf_counter()
                f()
                t[f] = time.perf_counter() - t0
            pairs.append((t[run_nninit], t[run_torch]))
            print("| %dx%d | %d | %.3f | %.3f | %.2fx |" % (rows, cols, r + 1, t[run_nninit], t[run_torch],
                                                             t[run_torch] / t[run_nninit]))
            sys.stdout.flush()
        run_nninit()
        e_n = err()
        run_torch()
        e_t = err()
        ratios = [b / a for a, b in pairs]
        summary.append((rows, cols, statistics.median(ratios), min(ratios),
                        sum(b for _, b in pairs) / sum(a for a, _ in pairs),
                        min(a for a, _ in pairs), min(b for _, b in pairs), e_n, e_t))
        del w
    print()
    print("| shape | median ratio | lowest ratio | ratio of total times | best nninit s | best PyTorch s "
          "| nninit max\\|QᵀQ−I\\| | PyTorch max\\|QᵀQ−I\\| |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for rows, cols, med, low, tot, bn, bt, e_n, e_t in summary:
        print("| %dx%d | %.2fx | %.2fx | %.2fx | %.3f | %.3f | %.1e | %.1e |"
              % (rows, cols, med, low, tot, bn, bt, e_n, e_t))
    print()
    print("Load average at the end: %s" % ", ".join("%.2f" % x for x in os.getloadavg()))


# ---- table ------------------------------------------------------------------------

def fmt(v, scale=1e9, digits=2):
    return "n/a" if v is None else "%.*f" % (digits, v / scale)


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else "%.1fx" % (a / b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", nargs="?", help="bench_fill's Google Benchmark JSON output")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--size-mib", type=int, default=None,
                    help="peer buffer size in MiB (default: bench_fill's size_mib, else 1024)")
    ap.add_argument("--trunc-calls", type=int, default=1,
                    help="timed calls of PyTorch's slow trunc_normal_ per thread count (default 1)")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    ap.add_argument("--no-numpy", action="store_true", help="skip NumPy")
    ap.add_argument("--orthogonal", metavar="JSON",
                    help="bench_orthogonal's JSON: also compare torch.nn.init.orthogonal_")
    ap.add_argument("--ortho-calls", type=int, default=3,
                    help="timed calls of torch.nn.init.orthogonal_ per shape (default 3)")
    ap.add_argument("--ortho-paired", metavar="SHAPES",
                    help="comma-separated ROWSxCOLS: nninit and PyTorch alternately in this process")
    ap.add_argument("--ortho-rounds", type=int, default=5, help="rounds of --ortho-paired (default 5)")
    ap.add_argument("--lib", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build",
                                                   "libnninit.so"),
                    help="the shared library for --ortho-paired (default build/libnninit.so)")
    ap.add_argument("--ortho-big-calls", type=int, default=1,
                    help="the same for shapes above 4096^2 elements, with no warm-up call (default 1)")
    args = ap.parse_args()
    if args.ortho_paired:
        shapes = [tuple(int(x) for x in rc.split("x")) for rc in args.ortho_paired.split(",") if rc]
        ortho_paired(shapes, args.ortho_rounds, os.path.normpath(args.lib))
        return
    if not args.json and not args.orthogonal:
        ap.error("give bench_fill's JSON, --orthogonal JSON, or both")
    if args.json:
        fill_tables(args)
    if args.orthogonal:
        if args.json:
            print()
        orthogonal_table(args.orthogonal, args.no_torch, args.ortho_calls, args.ortho_big_calls)


def fill_tables(args):

    fills, ceilings, ctx = load_nninit(args.json)
    threads_list = [int(t) for t in args.threads.split(",") if t]
    bench_mib = int(ctx.get("size_mib", 1024))
    size_mib = args.size_mib or bench_mib
    n = (size_mib << 20) // 4  # float32 elements, as nninit's f32 cases

    torch_res, torch_ver = (None, "skipped") if args.no_torch else run_torch(n, threads_list, args.trunc_calls)
    numpy_res, numpy_ver = (None, "skipped") if args.no_numpy else run_numpy(n, threads_list)

    head = ["operation", "dtype", "threads", "nninit G values/s (best ISA, warm)", "nninit GB/s",
            "nninit cold G values/s", "memset GB/s", "NT-store GB/s", "PyTorch G values/s",
            "NumPy G values/s", "nninit/PyTorch", "nninit/NumPy"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" if i < 3 else "---:" for i in range(len(head))) + "|")
    for op in OPS:
        for dtype in DTYPES:
            for t in threads_list:
                warm = fills.get((op, dtype, t, "warm"), [])
                cold = fills.get((op, dtype, t, "cold"), [])
                best = best_of(warm, bench_mib)
                best_cold = best_of(cold, bench_mib)
                vps = best[0] if best else None
                # Peers are measured in float32 only.
                tv = torch_res.get((op, t)) if torch_res and dtype == "f32" else None
                nv = numpy_res.get((op, t)) if numpy_res and dtype == "f32" else None
                row = [op, dtype, str(t),
                       "%s (%s)" % (fmt(vps), best[2]) if best else "n/a",
                       fmt(best[1] if best else None),
                       "%s (%s)" % (fmt(best_cold[0]), best_cold[2]) if best_cold else "n/a",
                       fmt(ceilings.get(("memset", t, "warm"))),
                       fmt(ceilings.get(("ntstore", t, "warm"))),
                       fmt(tv, digits=3), fmt(nv, digits=3),
                       ratio(vps, tv), ratio(vps, nv)]
                print("| " + " | ".join(row) + " |")

    cold_ceil = ", ".join("%s threads:%d %s GB/s" % (k, t, fmt(ceilings.get((k, t, "cold"))))
                          for k in ("memset", "ntstore") for t in threads_list)
    print()
    print("Buffer %d MiB (scalar path: %s MiB). nninit %s, ISAs supported: %s, NT-store ceiling: %s. "
          "PyTorch: %s. NumPy: %s. Peers float32 only; n/a = not measured or not offered "
          "(NumPy has no truncated normal). Cold ceilings (mmap + page faults timed): %s. "
          "Load average when bench_fill started: %s (2 cores; above ~0.5 the figures are disturbed)."
          % (size_mib, ctx.get("scalar_size_mib", "?"), ctx.get("nninit_version", "?"),
             ctx.get("nninit_isas", "?"), ctx.get("ntstore_isa", "?"), torch_ver, numpy_ver, cold_ceil,
             ", ".join("%.2f" % x for x in ctx.get("load_avg", [])) or "?"))


if __name__ == "__main__":
    main()
