#!/usr/bin/env python3
"""Streaming a model to its output: nninit init against dd and PyTorch.

1. A Llama-2-7B-shaped spec (6.74 B parameters; generated here, not kept) in
   bf16, 13.5 GB, to a file on the file system of --dir:
     - nninit init -o FILE (the streaming writer, write and fsync included):
       wall time and peak resident memory (/usr/bin/time -v);
     - dd writing as many bytes from /dev/zero to the same file system, with
       conv=fsync (the same work: the bytes reach the disk, as nninit's atomic
       write makes sure before renaming) and, with --plain-dd, without it (dd
       then returns with up to vm.dirty_ratio of memory not yet written);
     - with --arena, today's in-memory path (bench_model --save: arena, init,
       nninit_model_save) beside it, which holds all 13.5 GB.
   Floors: nninit at most 1.5x dd's time (dd conv=fsync), at most 1 GiB peak
   resident memory.
2. A Hugging Face Llama-3.1-8B config.json (written here: the published
   config's sizes) to a sharded bf16 checkpoint on disk, `nninit init
   config.json -o DIR --max-shard-size 5GB` (16.06 GB in 4 shards, the
   config.json copied in), beside dd oflag=direct conv=fsync writing as many
   bytes to the same file system, once each in the same run (--no-hf-8b skips it).
3. llama-1b in f32 to /dev/null, the whole nninit init process, against PyTorch
   building the same tensors in memory (torch.empty + torch.nn.init, as
   bench_model.py does) in the same run. Floor: at least 10x.

Runs alternate (nninit, dd, ...) and repeat (--repeat-7b for the 13.5 GB runs,
--repeat-8b for the 16 GB ones, --repeat for the rest); medians are reported,
with the machine, the load average before and after, and the commands. make
bench runs --no-7b --repeat 2 --repeat-8b 2; make bench-full adds --arena
--plain-dd --repeat-7b 3 --repeat-8b 3.

    /usr/bin/python3 bench/bench_stream.py [--dir DIR] [--repeat 3] [--repeat-7b 1] [--repeat-8b 1] [--threads 2]
                                           [--arena] [--plain-dd] [--no-7b] [--no-hf-8b] [--no-torch]
Needs build/nninit (`make`); builds build/bench_model itself.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("NNINIT_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench_model  # noqa: E402  (the PyTorch peer and the harness build)

FLOOR_DD, FLOOR_RSS, FLOOR_TORCH = 1.5, 1 << 30, 10.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def llama2_7b_spec(path):
    """Llama-2-7b's parameter names and shapes (Hugging Face LlamaForCausalLM):
    vocab 32000, dim 4096, 32 layers, 32 heads (no grouped KV), FFN 11008, an
    untied lm_head; 6,738,415,616 parameters."""
    dim, ffn, vocab, layers = 4096, 11008, 32000, 32
    t = [{"name": "model.embed_tokens.weight", "shape": [vocab, dim]}]
    for i in range(layers):
        p = "model.layers.%d." % i
        t += [{"name": p + "self_attn.%s_proj.weight" % x, "shape": [dim, dim]} for x in "qkvo"]
        t += [{"name": p + "mlp.gate_proj.weight", "shape": [ffn, dim]},
              {"name": p + "mlp.up_proj.weight", "shape": [ffn, dim]},
              {"name": p + "mlp.down_proj.weight", "shape": [dim, ffn]},
              {"name": p + "input_layernorm.weight", "shape": [dim]},
              {"name": p + "post_attention_layernorm.weight", "shape": [dim]}]
    t += [{"name": "model.norm.weight", "shape": [dim]}, {"name": "lm_head.weight", "shape": [vocab, dim]}]
    n = sum(eval("*".join(map(str, x["shape"]))) for x in t)
    assert n == 6738415616, n
    spec = {"name": "llama-2-7b", "seed": 0, "dtype": "bf16",
            "rules": {"*norm.weight": "ones", "*.weight": "normal(std=0.02)"}, "tensors": t}
    with open(path, "w") as f:
        json.dump(spec, f)
    return 2 * n


def timed(cmd, env=None):
    """Wall seconds and peak resident KiB of a whole process (/usr/bin/time -v)."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if r.returncode:
        sys.exit("bench_stream.py: %s failed: %s" % (" ".join(cmd), r.stderr[-2000:]))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    return wall, rss


def median(xs):
    return bench_model.median(xs) if xs else None


def sync():
    subprocess.run(["sync"], check=False)


def machine():
    cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p' | head -1"], capture_output=True,
                         text=True).stdout.strip()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return "%s, %d CPUs, %.0f GiB" % (cpu or "?", os.cpu_count(), mem)


def fs_of(path):
    r = subprocess.run(["df", "-PT", path], capture_output=True, text=True).stdout.splitlines()[-1].split()
    return "%s (%s)" % (r[0], r[1]), int(r[4]) * 1024


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def bench_7b(args, rows, notes):
    spec_dir = tempfile.mkdtemp(prefix="nninit-bench-spec-")
    spec = os.path.join(spec_dir, "llama-2-7b.json")
    nbytes = llama2_7b_spec(spec)
    work = tempfile.mkdtemp(prefix="nninit-bench-stream-", dir=args.dir)
    fs, free = fs_of(work)
    need = nbytes + (1 << 30)
    if free < need:
        notes.append("7B to a file skipped: %s has %.1f GB free, the run needs %.1f GB" % (work, free / 1e9, need / 1e9))
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(spec_dir, ignore_errors=True)
        return
    out = os.path.join(work, "model.safetensors")
    dd_out = os.path.join(work, "dd.bin")
    nninit = os.path.join(BUILD, "nninit")
    cmds = {
        "nninit init": [nninit, "init", spec, "--threads", str(args.threads), "-q", "-o", out],
        "dd conv=fsync": ["dd", "if=/dev/zero", "of=" + dd_out, "bs=4M", "iflag=count_bytes", "count=%d" % nbytes,
                          "conv=fsync", "status=none"],
    }
    if args.plain_dd:
        cmds["dd"] = ["dd", "if=/dev/zero", "of=" + dd_out, "bs=4M", "iflag=count_bytes", "count=%d" % nbytes,
                      "status=none"]
    if args.arena:
        cmds["in-memory path (arena)"] = [bench_model.build_harness(), spec, "--threads", str(args.threads), "--save",
                                          out]
    shown = {name: " ".join(a.replace(spec, "llama-2-7b.json").replace(work, "DIR").replace(os.path.join(BUILD, ""), "")
                            for a in cmd) for name, cmd in cmds.items()}
    results = {k: [] for k in cmds}
    env = dict(os.environ, OMP_PROC_BIND=os.environ.get("OMP_PROC_BIND", "false"))
    try:
        for r in range(args.repeat_7b):
            for name, cmd in cmds.items():
                sync()   # every run starts with no dirty pages of the one before
                log("bench_stream.py: 7B bf16, %s, run %d of %d ..." % (name, r + 1, args.repeat_7b))
                results[name].append(timed(cmd, env))
                for p in (out, dd_out):
                    if os.path.exists(p):
                        if p == out and os.path.getsize(p) < nbytes:
                            sys.exit("bench_stream.py: %s wrote %d bytes" % (p, os.path.getsize(p)))
                        os.unlink(p)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(spec_dir, ignore_errors=True)
        sync()
    dd_s = median([w for w, _ in results["dd conv=fsync"]])
    for name in cmds:
        wall = median([w for w, _ in results[name]])
        rss = max(k for _, k in results[name]) * 1024
        rows.append(("llama-2-7b bf16 to a file on " + fs, name, nbytes, wall, rss, wall / dd_s, shown[name]))
    s = median([w for w, _ in results["nninit init"]])
    rss = max(k for _, k in results["nninit init"]) * 1024
    notes.append("floor: nninit <= %.1fx dd conv=fsync: %s (%.2fx); peak resident <= 1 GiB: %s (%.0f MiB)" % (
        FLOOR_DD, "met" if s <= FLOOR_DD * dd_s else "NOT MET", s / dd_s,
        "met" if rss <= FLOOR_RSS else "NOT MET", rss / 2 ** 20))


LLAMA31_8B = {
    "architectures": ["LlamaForCausalLM"], "attention_bias": False, "hidden_act": "silu", "hidden_size": 4096,
    "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": False,
    "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "vocab_size": 128256, "bos_token_id": 128000, "eos_token_id": 128001,
}


def bench_hf_8b(args, rows, notes):
    """Llama-3.1-8B's config.json to a sharded bf16 checkpoint, beside dd oflag=direct."""
    cfg_dir = tempfile.mkdtemp(prefix="nninit-bench-hf-")
    cfg = os.path.join(cfg_dir, "config.json")
    with open(cfg, "w") as f:
        json.dump(LLAMA31_8B, f, indent=2)
    nninit = os.path.join(BUILD, "nninit")
    spec = json.loads(subprocess.run([nninit, "spec", cfg], capture_output=True, text=True, check=True).stdout)
    nbytes = 0
    for t in spec["tensors"]:
        n = 2
        for d in t["shape"]:
            n *= d
        nbytes += n
    work = tempfile.mkdtemp(prefix="nninit-bench-hf-out-", dir=args.dir)
    fs, free = fs_of(work)
    if free < nbytes + (1 << 30):
        notes.append("Llama-3.1-8B config skipped: %s has %.1f GB free, the run needs %.1f GB" % (
            work, free / 1e9, (nbytes + (1 << 30)) / 1e9))
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cfg_dir, ignore_errors=True)
        return
    out = os.path.join(work, "llama-3.1-8b")
    dd_out = os.path.join(work, "dd.bin")
    cmds = {
        "nninit init": [nninit, "init", cfg, "-o", out, "--max-shard-size", "5GB", "--threads", str(args.threads),
                        "-q"],
        "dd oflag=direct": ["dd", "if=/dev/zero", "of=" + dd_out, "bs=4M", "iflag=count_bytes", "count=%d" % nbytes,
                            "oflag=direct", "conv=fsync", "status=none"],
    }
    shown = {k: " ".join(a.replace(cfg, "config.json").replace(work, "DIR").replace(os.path.join(BUILD, ""), "")
                         for a in c) for k, c in cmds.items()}
    res = {}
    env = dict(os.environ, OMP_PROC_BIND=os.environ.get("OMP_PROC_BIND", "false"))
    try:
        for r in range(args.repeat_8b):
            for name, cmd in cmds.items():
                sync()
                log("bench_stream.py: Llama-3.1-8B config.json, %s, run %d of %d ..." % (name, r + 1, args.repeat_8b))
                res.setdefault(name, []).append(timed(cmd, env))
                if name == "nninit init":
                    with open(os.path.join(out, "model.safetensors.index.json")) as f:
                        total = json.load(f)["metadata"]["total_size"]
                    if total != nbytes or not os.path.exists(os.path.join(out, "config.json")):
                        sys.exit("bench_stream.py: %s: total_size %d (expected %d) or no config.json" % (
                            out, total, nbytes))
                    shutil.rmtree(out)
                elif os.path.exists(dd_out):
                    os.unlink(dd_out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cfg_dir, ignore_errors=True)
        sync()
    dd_s = median([w for w, _ in res["dd oflag=direct"]])
    for name, runs in res.items():
        wall, kib = median([w for w, _ in runs]), max(k for _, k in runs)
        rows.append(("Llama-3.1-8B config.json, bf16, 4 shards on " + fs, name, nbytes, wall, kib * 1024,
                     wall / dd_s, shown[name]))
    if args.repeat_8b > 1:
        notes.append("Llama-3.1-8B config, each run (s): " + "; ".join(
            "%s %s" % (name, " ".join("%.2f" % w for w, _ in runs)) for name, runs in res.items()))


def bench_devnull(args, rows, notes):
    spec = os.path.join(ROOT, "examples", "models", "llama-1b.json")
    nninit = os.path.join(BUILD, "nninit")
    cmd = [nninit, "init", spec, "--dtype", "f32", "--threads", str(args.threads), "-q", "-o", "/dev/null"]
    exe = bench_model.build_harness()
    listing = subprocess.run([exe, spec, "--dtype", "f32", "--list"], capture_output=True, text=True, check=True).stdout
    nbytes = 0
    for line in listing.splitlines():   # name, dtype, shape, ...: f32 is 4 bytes
        shape = line.split("\t")[2]
        n = 1
        for d in shape.split(",") if shape else []:
            n *= int(d)
        nbytes += 4 * n
    times, torch_s = [], None
    for r in range(args.repeat):
        log("bench_stream.py: llama-1b f32 to /dev/null, run %d of %d ..." % (r + 1, args.repeat))
        times.append(timed(cmd))
    if not args.no_torch:
        try:
            import torch
            torch.set_num_threads(args.threads)
            log("bench_stream.py: PyTorch, llama-1b f32 in memory ...")
            torch_s = bench_model.torch_model(exe, spec, "f32", args.repeat)[0]
        except ImportError as e:
            notes.append("PyTorch not available (%s)" % e)
    s = median([w for w, _ in times])
    rss = max(k for _, k in times) * 1024
    rows.append(("llama-1b f32 to /dev/null", "nninit init", nbytes, s, rss, None,
                 " ".join(a.replace(os.path.join(ROOT, ""), "").replace(os.path.join(BUILD, ""), "") for a in cmd)))
    if torch_s:
        rows.append(("llama-1b f32 in memory", "PyTorch %s" % torch.__version__, nbytes, torch_s, None, None,
                     "torch.empty + torch.nn.init per tensor (bench_model.py)"))
        notes.append("floor: nninit (whole process) >= %.0fx PyTorch: %s (%.1fx)" % (
            FLOOR_TORCH, "met" if torch_s / s >= FLOOR_TORCH else "NOT MET", torch_s / s))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=ROOT, help="where the 7B files go (its file system is measured); default: the "
                    "source tree")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the llama-1b case (each program)")
    ap.add_argument("--repeat-7b", type=int, default=1, help="runs of each 13.5 GB write")
    ap.add_argument("--repeat-8b", type=int, default=1, help="runs of each 16 GB Llama-3.1-8B write")
    ap.add_argument("--plain-dd", action="store_true", help="also dd without conv=fsync")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--arena", action="store_true", help="also the in-memory path (13.5 GB resident)")
    ap.add_argument("--no-7b", action="store_true")
    ap.add_argument("--no-hf-8b", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(BUILD, "nninit")):
        sys.exit("bench_stream.py: build/nninit is missing; run 'make' first")
    rows, notes = [], []
    before = uptime()
    if not args.no_7b:
        bench_7b(args, rows, notes)
    if not args.no_hf_8b:
        bench_hf_8b(args, rows, notes)
    bench_devnull(args, rows, notes)
    after = uptime()
    print("| case | program | GB | s | GB/s | peak resident MiB | vs dd | command |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for case, name, nbytes, s, rss, vs_dd, cmd in rows:
        print("| %s | %s | %.2f | %.2f | %.2f | %s | %s | `%s` |" % (
            case, name, nbytes / 1e9, s, nbytes / s / 1e9, "%.0f" % (rss / 2 ** 20) if rss else "n/a",
            "%.2fx" % vs_dd if vs_dd else "", cmd))
    print("\n%s; %d threads; median of %d runs (7B: %d, Llama-3.1-8B: %d, alternating), peak resident the largest; GB = 1e9 "
          "bytes." % (machine(), args.threads, args.repeat, args.repeat_7b, args.repeat_8b))
    print("uptime before: %s\nuptime after:  %s" % (before, after))
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
