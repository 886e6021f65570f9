#!/usr/bin/env python3
"""Whole-model initialization: nninit against PyTorch on the same tensors.

For each model spec and dtype it times, in one run:
  - nninit into memory: build/bench_model (bench/bench_model.c, the library API
    only): a fresh arena + nninit_model_init, no file written;
  - nninit to a file: `build/nninit init SPEC -o FILE.safetensors` (whole
    process: spec, then the streaming writer's fill and write overlapped, fsync
    included);
  - PyTorch: torch.empty(shape, dtype) + the torch.nn.init call matching each
    tensor's init string (pytorch_default -> kaiming_uniform_(a=sqrt(5)), ...),
    every tensor kept alive as in a model;
all with the same thread count (torch.set_num_threads). Prints a markdown
table with the speedups, and checks the floor: nninit into memory >= 8x
PyTorch for llama-1b, f32, 2 threads.

    /usr/bin/python3 bench/bench_model.py [--models gpt2-124m,llama-1b] [--dtypes f32,bf16]
                                          [--threads 2] [--repeat 3] [--no-file] [--no-torch]
Needs build/libnninit.a and build/nninit (`make`); builds build/bench_model itself.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("NNINIT_BUILD_DIR", os.path.join(ROOT, "build"))  # where libnninit.a and nninit are
FLOOR = ("llama-1b", "f32", 8.0)  # (model, dtype, minimum speedup into memory)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def build_harness(name="bench_model"):
    """bench/NAME.c against build/libnninit.a, into build/NAME (rebuilt when older than either)."""
    exe = os.path.join(BUILD, name)
    src = os.path.join(ROOT, "bench", name + ".c")
    lib = os.path.join(BUILD, "libnninit.a")
    if not os.path.exists(lib):
        sys.exit("%s: build/libnninit.a is missing; run 'make' first" % os.path.basename(sys.argv[0]))
    if not os.path.exists(exe) or os.path.getmtime(exe) < max(os.path.getmtime(src), os.path.getmtime(lib)):
        cmd = ["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-I" + os.path.join(ROOT, "include"), src, lib,
               "-fopenmp", "-lcjson", "-lopenblas", "-lm", "-o", exe]
        subprocess.run(cmd, check=True)
    return exe


def median(xs):
    xs = sorted(xs)
    k = len(xs) // 2
    return xs[k] if len(xs) % 2 else 0.5 * (xs[k - 1] + xs[k])


# ---- nninit ------------------------------------------------------------------------

def nninit_memory(exe, spec, dtype, threads, repeat):
    env = dict(os.environ, OMP_PROC_BIND=os.environ.get("OMP_PROC_BIND", "true"))
    out = subprocess.run([exe, spec, "--dtype", dtype, "--threads", str(threads), "--repeat", str(repeat)],
                         check=True, capture_output=True, text=True, env=env).stdout
    r = json.loads(out)
    return r["bytes"], r["tensors"], median(r["seconds"]), median(r["warm_seconds"])


def nninit_file(spec, dtype, threads, repeat, tmpdir):
    exe = os.path.join(BUILD, "nninit")
    path = os.path.join(tmpdir, "bench_model.safetensors")
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([exe, "init", spec, "--dtype", dtype, "--threads", str(threads), "-q", "-o", path],
                       check=True)
        times.append(time.perf_counter() - t0)
        os.unlink(path)
    return median(times)


# ---- PyTorch -----------------------------------------------------------------------

def parse_init(s):
    """'kaiming_normal(mode=fan_out, a=sqrt(5))' -> ('kaiming_normal', {'mode': 'fan_out', 'a': 2.236...})."""
    m = re.match(r"\s*(\w+)\s*(?:\((.*)\))?\s*$", s)
    name, args = m.group(1), m.group(2) or ""
    params = {}
    for k, v in re.findall(r"(\w+)\s*=\s*((?:sqrt\([^)]*\))|[^,]+)", args):
        v = v.strip()
        sq = re.match(r"sqrt\((.*)\)$", v)
        try:
            params[k] = math.sqrt(float(sq.group(1))) if sq else float(v)
        except ValueError:
            params[k] = v
    return name, params


ALIASES = {"glorot_uniform": "xavier_uniform", "glorot_normal": "xavier_normal",
           "he_uniform": "kaiming_uniform", "he_normal": "kaiming_normal"}
PLAN_CONSTANT, PLAN_UNIFORM, PLAN_NORMAL, PLAN_TRUNC_NORMAL = 0, 1, 2, 3


def torch_call(init, plan):
    """The torch.nn.init call for one tensor, as a function of the tensor."""
    import torch.nn.init as nn
    name, p = parse_init(init)
    name = ALIASES.get(name, name)
    kind, mean, std, low, high, fan_in, gain = plan[0], *plan[1:5], plan[5], plan[6]
    kw = {k: p[k] for k in ("a", "mode", "nonlinearity") if k in p}
    calls = {
        "zeros": lambda t: nn.zeros_(t),
        "ones": lambda t: nn.ones_(t),
        "constant": lambda t: nn.constant_(t, p["value"]),
        "uniform": lambda t: nn.uniform_(t, p.get("low", 0.0), p.get("high", 1.0)),
        "normal": lambda t: nn.normal_(t, p.get("mean", 0.0), p.get("std", 1.0)),
        "trunc_normal": lambda t: nn.trunc_normal_(t, mean, std, low, high),
        "xavier_uniform": lambda t: nn.xavier_uniform_(t, gain=p.get("gain", 1.0)),
        "xavier_normal": lambda t: nn.xavier_normal_(t, gain=p.get("gain", 1.0)),
        "kaiming_uniform": lambda t: nn.kaiming_uniform_(t, **kw),
        "kaiming_normal": lambda t: nn.kaiming_normal_(t, **kw),
        "orthogonal": lambda t: nn.orthogonal_(t, gain=p.get("gain", 1.0)),
        "eye": lambda t: nn.eye_(t),
        "dirac": lambda t: nn.dirac_(t, groups=int(p.get("groups", 1))),
        "sparse": lambda t: nn.sparse_(t, p["sparsity"], p.get("std", 0.01)),
        "pytorch_default": lambda t: nn.kaiming_uniform_(t, a=math.sqrt(5)),
        "pytorch_default_bias": lambda t: nn.uniform_(t, -1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in)),
    }
    if name in calls:
        return calls[name]
    # Schemes torch.nn.init lacks (lecun_*, variance_scaling, trunc_normal_sigma):
    # the draw they resolve to.
    if kind == PLAN_UNIFORM:
        return lambda t: nn.uniform_(t, low, high)
    if kind == PLAN_NORMAL:
        return lambda t: nn.normal_(t, mean, std)
    if kind == PLAN_TRUNC_NORMAL:
        return lambda t: nn.trunc_normal_(t, mean, std, low, high)
    return lambda t: nn.constant_(t, mean)


def torch_model(exe, spec, dtype, repeat):
    """Median seconds to build every tensor of the spec with torch.empty + torch.nn.init."""
    import torch
    tdt = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16, "f64": torch.float64}
    listing = subprocess.run([exe, spec, "--dtype", dtype, "--list"], check=True, capture_output=True,
                             text=True).stdout
    tensors = []
    for line in listing.splitlines():
        name, dt, shape, init, plan = line.split("\t")
        f = plan.split()
        plan = (int(f[0]), *map(float, f[1:5]), int(f[5]), float(f[6]))
        shape = tuple(int(s) for s in shape.split(",")) if shape else ()
        tensors.append((shape, tdt[dt], torch_call(init, plan)))

    def build():
        out = []
        for shape, dt, call in tensors:
            t = torch.empty(shape, dtype=dt)
            try:
                call(t)
            except RuntimeError:  # e.g. orthogonal_ (geqrf) has no bf16/f16 kernel: what a user does instead
                t.copy_(call(torch.empty(shape, dtype=torch.float32)))
            out.append(t)
        return out

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = build()
        times.append(time.perf_counter() - t0)
        del model
    return median(times), torch.__version__


# ---- main --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="gpt2-124m,llama-1b")
    ap.add_argument("--dtypes", default="f32,bf16")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported")
    ap.add_argument("--no-file", action="store_true", help="skip nninit init -o FILE")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    args = ap.parse_args()

    exe = build_harness()
    torch_version = "n/a"
    if not args.no_torch:
        try:
            import torch
            torch.set_num_threads(args.threads)
            torch_version = torch.__version__
        except Exception as e:  # any import failure means: no peer
            log("bench_model.py: PyTorch not available (%s)" % e)
            args.no_torch = True

    rows, floor_ok = [], None
    with tempfile.TemporaryDirectory(prefix="nninit-bench-") as tmpdir:
        for model in args.models.split(","):
            spec = os.path.join(ROOT, "examples", "models", model + ".json")
            for dtype in args.dtypes.split(","):
                log("bench_model.py: %s %s ..." % (model, dtype))
                nbytes, ntensors, mem_s, warm_s = nninit_memory(exe, spec, dtype, args.threads, args.repeat)
                file_s = None if args.no_file else nninit_file(spec, dtype, args.threads, args.repeat, tmpdir)
                torch_s = None if args.no_torch else torch_model(exe, spec, dtype, args.repeat)[0]
                rows.append((model, dtype, ntensors, nbytes, mem_s, warm_s, file_s, torch_s))
                if (model, dtype) == FLOOR[:2] and torch_s:
                    floor_ok = torch_s / mem_s >= FLOOR[2]

    def cell(s, nbytes):
        return "n/a | n/a" if s is None else "%.3f | %.2f" % (s, nbytes / s / 1e9)

    def ratio(a, b):
        return "n/a" if a is None or b is None else "%.1fx" % (b / a)

    print("| model | dtype | tensors | GB | nninit memory s | GB/s | warm arena s | GB/s | nninit file s | GB/s "
          "| PyTorch s | GB/s | memory vs PyTorch | file vs PyTorch |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for model, dtype, ntensors, nbytes, mem_s, warm_s, file_s, torch_s in rows:
        print("| %s | %s | %d | %.3f | %s | %s | %s | %s | %s | %s |" % (
            model, dtype, ntensors, nbytes / 1e9, cell(mem_s, nbytes), cell(warm_s, nbytes), cell(file_s, nbytes),
            cell(torch_s, nbytes), ratio(mem_s, torch_s), ratio(file_s, torch_s)))
    load = os.getloadavg()[0]
    print("\n%d threads, median of %d runs each; PyTorch %s (torch.empty + torch.nn.init per tensor); "
          "'memory' = fresh arena + nninit_model_init (bench/bench_model.c; 'warm arena': a second init into "
          "the touched arena, not compared), 'file' = whole `nninit init -o FILE.safetensors` process; GB = 1e9 bytes; load average %.2f at the end." % (
              args.threads, args.repeat, torch_version, load))
    if floor_ok is not None:
        print("floor: nninit into memory >= %.0fx PyTorch for %s %s: %s" % (
            FLOOR[2], FLOOR[0], FLOOR[1], "met" if floor_ok else "NOT MET"))


if __name__ == "__main__":
    main()
