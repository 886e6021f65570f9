#!/usr/bin/env python3
"""nninit against PyTorch on a shared machine: wall time and CPU time.

On a machine that others load, wall-clock figures of a two-thread fill vary
several-fold between consecutive runs (each thread gets a share of a core,
and the fill waits for the slower one). CPU time does not: values per
CPU-second times the thread count is what the threads would reach on cores
of their own, as long as the fill is compute-bound. This script fills one
float32 buffer (warm, --size-mib) with nninit, called through ctypes from
the shared library given, and with torch.nn.init in the same process, and
prints both measures. Best of --calls calls each (PyTorch's trunc_normal_:
one call, it is slow).

    OMP_WAIT_POLICY=passive OMP_NUM_THREADS=2 /usr/bin/python3 bench/cpu_time.py build/libnninit.so

OMP_WAIT_POLICY=passive keeps idle OpenMP threads from spinning, which would
count as CPU time. The "per CPU" columns assume every thread is busy for the
whole call: true of nninit's static split; PyTorch's uniform_ and normal_
run on one thread whatever torch.set_num_threads says (compare its 1- and
2-thread wall figures in bench/compare.py), so for those its "per CPU"
figure overstates what two free cores would give it by up to 2x.
"""

import argparse
import ctypes
import os
import time


class Rng(ctypes.Structure):
    _fields_ = [("seed", ctypes.c_uint64), ("stream", ctypes.c_uint64)]


def best(fn, calls):
    """(wall, cpu) seconds of the fastest of `calls` calls, after one untimed call."""
    fn()
    w_best = c_best = float("inf")
    for _ in range(calls):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        w_best = min(w_best, time.perf_counter() - w0)
        c_best = min(c_best, time.process_time() - c0)
    return w_best, c_best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lib", help="path of libnninit.so")
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--calls", type=int, default=3)
    args = ap.parse_args()

    lib = ctypes.CDLL(os.path.abspath(args.lib))
    import torch

    threads = int(os.environ.get("OMP_NUM_THREADS", "2"))
    torch.set_num_threads(threads)
    n = (args.size_mib << 20) // 4
    x = torch.empty(n, dtype=torch.float32)
    x.zero_()  # fault the pages in, untimed
    ptr = ctypes.c_void_p(x.data_ptr())
    rng = Rng(0x6E6E696E6974, 1)
    d, p = ctypes.c_double, ctypes.c_void_p
    lib.nninit_uniform.argtypes = [p, ctypes.c_int, ctypes.c_size_t, d, d, Rng, ctypes.c_uint64]
    lib.nninit_normal.argtypes = [p, ctypes.c_int, ctypes.c_size_t, d, d, Rng, ctypes.c_uint64]
    lib.nninit_trunc_normal.argtypes = [p, ctypes.c_int, ctypes.c_size_t, d, d, d, d, Rng, ctypes.c_uint64]
    lib.nninit_isa.restype = ctypes.c_char_p
    f32 = 0
    ops = [
        ("uniform", lambda: lib.nninit_uniform(ptr, f32, n, 0.0, 1.0, rng, 0),
         lambda: torch.nn.init.uniform_(x, 0.0, 1.0), args.calls),
        ("normal", lambda: lib.nninit_normal(ptr, f32, n, 0.0, 1.0, rng, 0),
         lambda: torch.nn.init.normal_(x, 0.0, 1.0), args.calls),
        ("trunc_normal", lambda: lib.nninit_trunc_normal(ptr, f32, n, 0.0, 1.0, -2.0, 2.0, rng, 0),
         lambda: torch.nn.init.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0), 1),
    ]
    print("| operation | nninit G values/s wall | nninit G values/s per CPU x %d | PyTorch wall | "
          "PyTorch per CPU x %d | ratio wall | ratio CPU |" % (threads, threads))
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, nf, tf, tcalls in ops:
        nw, nc = best(nf, args.calls)
        tw, tc = best(tf, tcalls)
        print("| %s | %.2f | %.2f | %.3f | %.3f | %.1fx | %.1fx |"
              % (name, n / nw / 1e9, threads * n / nc / 1e9, n / tw / 1e9, threads * n / tc / 1e9, tw / nw, tc / nc))
    print()
    print("f32, %d MiB warm, %d threads, nninit %s (%s), PyTorch %s, load average %s"
          % (args.size_mib, threads, args.lib, lib.nninit_isa().decode(), torch.__version__,
             ", ".join("%.2f" % v for v in os.getloadavg())))


if __name__ == "__main__":
    main()
