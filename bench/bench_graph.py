#!/usr/bin/env python3
"""Data-dependent initialization: nninit's LSUV against a PyTorch LSUV with forward hooks.

For each model, on the same initialized weights and the same batch, in one run:
  - nninit: build/bench_graph (bench/bench_graph.c, the public API only):
    nninit_graph_data_init with lsuv, and nninit_graph_probe, timed in-process;
  - PyTorch: the spec's graph as a torch module (tools/torch_graph.py, BatchNorm
    on batch statistics), LSUV as the public LSUV-pytorch does it: a forward hook
    on each nn.Linear / nn.Conv2d in execution order, the whole model re-run for
    every measurement, the weight divided by sqrt(var / target_var) until
    |var - target_var| <= tol or max_iter;
with the same thread count (torch.set_num_threads). Both start from the
weights nninit's spec init wrote, and the factors each applied per layer are
compared. Prints a markdown table and checks the floor: nninit >= 2x PyTorch
on the CIFAR ResNet-20 (batch 256, 3x32x32) with 2 threads.

Then the example on real data: scikit-learn's 8x8 digits (1797 images, each
upscaled 3x and padded to 1x28x28 like MNIST, standardized) through the example
MLP, before and after nninit's LSUV and batch_stats (the probe's std per op).

    /usr/bin/python3 bench/bench_graph.py [--threads 2] [--repeat 3] [--models resnet20,resnet50]
                                          [--no-torch] [--no-digits]
Needs build/libnninit.a (`make`); builds build/bench_graph itself.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("NNINIT_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bench_model  # noqa: E402  (bench/, the script's own folder: build_harness)
FLOOR = ("resnet20", 2.0)
# model: (spec, batch shape, nninit repeats, PyTorch repeats)
MODELS = {
    "resnet20": ("examples/models/resnet20.json", (256, 3, 32, 32), 3, 3),
    "resnet50": ("examples/models/resnet50.json", (8, 3, 224, 224), 3, 1),
}
LSUV = dict(tol=0.1, max_iter=10, target_var=1.0)
DEAD_STD_RATIO = 1e-4      # nninit.h's NNINIT_DEAD_STD_RATIO: both sides leave such layers alone


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def build_harness():
    return bench_model.build_harness("bench_graph")


def median(xs):
    xs = sorted(xs)
    k = len(xs) // 2
    return xs[k] if len(xs) % 2 else 0.5 * (xs[k - 1] + xs[k])


def read_safetensors(path):
    b = open(path, "rb").read()
    n = int.from_bytes(b[:8], "little")
    header = json.loads(b[8:8 + n])
    header.pop("__metadata__", None)
    return {k: np.frombuffer(b, "<f4", offset=8 + n + t["data_offsets"][0],
                             count=int(np.prod(t["shape"]))).reshape(t["shape"]) for k, t in header.items()}


def run_nninit(exe, spec, batch, threads, repeat, tmp, algo="lsuv", keep=False):
    before, after = os.path.join(tmp, "before.safetensors"), os.path.join(tmp, "after.safetensors")
    env = dict(os.environ, OMP_PROC_BIND=os.environ.get("OMP_PROC_BIND", "true"))
    out = subprocess.run([exe, os.path.join(ROOT, spec), batch, "--algo", algo, "--threads", str(threads),
                          "--repeat", str(repeat)] + (["--before", before, "--after", after] if keep else []),
                         check=True, capture_output=True, text=True, env=env).stdout
    r = json.loads(out)
    if keep:
        r["before"], r["after"] = read_safetensors(before), read_safetensors(after)
    return r


# ---- PyTorch ------------------------------------------------------------------------------
def torch_lsuv(net, x, tol, max_iter, target_var):
    """LSUV with forward hooks, the whole model run for every measurement. Returns [(factor, iterations)]."""
    import torch
    out = []
    with torch.no_grad():
        for _, m in net.layers():
            seen = {}
            hook = m.register_forward_hook(lambda mod, inp, o: seen.__setitem__("y", o))
            net(x)
            var = float(seen["y"].var(unbiased=False))
            total, it = 1.0, 0
            if math.sqrt(var) >= DEAD_STD_RATIO * math.sqrt(target_var):
                while abs(var - target_var) > tol and it < max_iter:
                    f = math.sqrt(target_var / var)
                    m.weight.mul_(f)
                    total *= f
                    it += 1
                    net(x)
                    var = float(seen["y"].var(unbiased=False))
            hook.remove()
            out.append((total, it))
    return out


def run_torch(spec_path, weights, x, repeat):
    import torch
    from torch_graph import GraphNet
    spec = json.load(open(os.path.join(ROOT, spec_path)))
    net = GraphNet(spec).float()
    xt = torch.from_numpy(x)
    times, factors = [], None
    for _ in range(repeat):
        net.load(weights)
        t0 = time.perf_counter()
        factors = torch_lsuv(net, xt, **LSUV)
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        net.load(weights)
        t0 = time.perf_counter()
        net(xt)
        forward = time.perf_counter() - t0
    return median(times), forward, factors


# ---- the digits example ------------------------------------------------------------------------
def digits_batch():
    from sklearn.datasets import load_digits
    d = load_digits().images.astype(np.float64) / 16.0          # 1797 x 8 x 8 in [0, 1]
    up = np.kron(d, np.ones((3, 3)))                              # 24 x 24
    x = np.pad(up, ((0, 0), (2, 2), (2, 2)))[:, None]             # 1 x 28 x 28, MNIST-like margins
    x = (x - x.mean()) / x.std()
    return x.astype(np.float32)


def digits(exe, threads, tmp, no_torch):
    path = os.path.join(tmp, "digits.npy")
    x = digits_batch()
    np.save(path, x)
    spec = "examples/models/mlp.json"
    lsuv = run_nninit(exe, spec, path, threads, 3, tmp, "lsuv", keep=True)
    bs = run_nninit(exe, spec, path, threads, 1, tmp, "batch_stats")
    # the probe after each algorithm: a second run from the tensors it wrote
    print("\n### scikit-learn digits (%d x 1x28x28) through examples/models/mlp.json, %d threads\n" % (len(x), threads))
    print("| layer | std, spec init | after lsuv | lsuv steps | after batch_stats |")
    print("|---|---|---|---|---|")
    for a, b in zip(lsuv["report"], bs["report"]):
        print("| %s | %.4f | %.4f | %d | %.4f |" % (a["name"], a["std_before"], a["std_after"], a["iterations"],
                                                   b["std_after"]))
    print("\nnninit lsuv %.1f ms, probe %.1f ms (median of 3)" % (1e3 * median(lsuv["data_init_seconds"]),
                                                              1e3 * median(lsuv["probe_seconds"])))
    if not no_torch:
        t, fwd, factors = run_torch(spec, lsuv["before"], x, 3)
        agree = max(abs(f / r["scale"] - 1) for (f, _), r in zip(factors, lsuv["report"]))
        print("PyTorch lsuv (forward hooks) %.1f ms; factors agree to %.1e" % (1e3 * t, agree))
    print("\nThe same from the command line: `nninit init examples/models/mlp.json --data digits.npy "
          "--data-init lsuv -o mlp.safetensors`, with digits.npy written by bench/bench_graph.py's digits_batch().")


# ---- main ----------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="resnet20,resnet50")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=0, help="runs per figure (0: the model's default)")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--no-digits", action="store_true")
    args = ap.parse_args()
    exe = build_harness()
    torch_version = "n/a"
    if not args.no_torch:
        try:
            import torch
            torch.set_num_threads(args.threads)
            torch_version = torch.__version__
        except Exception as e:
            log("bench_graph.py: PyTorch not available (%s)" % e)
            args.no_torch = True

    rows, floor_ok = [], None
    with tempfile.TemporaryDirectory(prefix="nninit-bench-graph-") as tmp:
        for name in [m for m in args.models.split(",") if m]:
            spec, shape, rep_n, rep_t = MODELS[name]
            if args.repeat:
                rep_n = rep_t = args.repeat
            x = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
            batch = os.path.join(tmp, name + ".npy")
            np.save(batch, x)
            log("%s: nninit ..." % name)
            r = run_nninit(exe, spec, batch, args.threads, rep_n, tmp, keep=not args.no_torch)
            t_nn, t_probe = median(r["data_init_seconds"]), median(r["probe_seconds"])
            row = {"model": name, "batch": "x".join(map(str, shape)), "nninit": t_nn, "probe": t_probe,
                   "steps": sum(l["iterations"] for l in r["report"]), "layers": r["layers"]}
            if not args.no_torch:
                log("%s: PyTorch ..." % name)
                t_pt, fwd, factors = run_torch(spec, r["before"], x, rep_t)
                row.update(torch=t_pt, forward=fwd, speedup=t_pt / t_nn,
                           agree=max(abs(f / l["scale"] - 1) for (f, _), l in zip(factors, r["report"])),
                           torch_steps=sum(i for _, i in factors))
                if name == FLOOR[0]:
                    floor_ok = row["speedup"] >= FLOOR[1]
            rows.append(row)

        print("\n### LSUV (tol=0.1, max_iter=10, target_var=1): nninit vs PyTorch forward hooks, %d threads\n"
              % args.threads)
        print("| model | batch | layers | nninit lsuv | nninit probe | PyTorch lsuv | PyTorch forward | speedup | "
              "steps (nninit / torch) | factors agree |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for w in rows:
            if "torch" in w:
                print("| %s | %s | %d | %.3f s | %.3f s | %.3f s | %.3f s | %.1fx | %d / %d | %.1e |" % (
                    w["model"], w["batch"], w["layers"], w["nninit"], w["probe"], w["torch"], w["forward"],
                    w["speedup"], w["steps"], w["torch_steps"], w["agree"]))
            else:
                print("| %s | %s | %d | %.3f s | %.3f s | - | - | - | %d / - | - |" % (
                    w["model"], w["batch"], w["layers"], w["nninit"], w["probe"], w["steps"]))
        load = os.getloadavg()
        print("\nnninit median of its runs, each from the same initialized weights; PyTorch %s, median of its runs. "
              "Load average while running: %.2f %.2f %.2f, %d CPUs." % (torch_version, load[0], load[1], load[2],
                                                                       os.cpu_count()))
        if floor_ok is not None:
            print("Floor (nninit >= %.0fx PyTorch on %s, %d threads): %s" % (FLOOR[1], FLOOR[0], args.threads,
                                                                           "met" if floor_ok else "NOT met"))
        if not args.no_digits:
            digits(exe, args.threads, tmp, args.no_torch)


if __name__ == "__main__":
    main()
