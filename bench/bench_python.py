#!/usr/bin/python3
"""The Python package on whole torch modules: nninit.init_module against the
torch.nn.init loops the models' own code runs, in the same process.

For GPT-2 124M (Hugging Face layout) and a Llama-3.2-1B-shaped module
(tools/gen_models.py builds both), with the inits of examples/models/<model>.json
(its rules, or each tensor's own init):
  - torch, the model's loop: Hugging Face's GPT2PreTrainedModel._init_weights
    (Linear and Conv1D, embeddings, LayerNorm, then every c_proj.weight again) and
    LlamaPreTrainedModel._init_weights, applied to every module. As the models do it: a tied weight is
    visited twice (as the embedding and as lm_head), and GPT-2's c_proj weights
    are drawn twice (0.02, then 0.02/sqrt(2 n_layer));
  - torch, each parameter once: the torch.nn.init call of the parameter's rule;
  - nninit.init_module(model, rules, seed, threads): one library call.
Every run writes the same, already touched parameters (one untimed init_module
first faults the memory in), so page faults are in none of the figures.
torch.set_num_threads and init_module's threads are the same (--threads).
Each figure is the median of --repeat runs, the three kinds interleaved.

    /usr/bin/python3 bench/bench_python.py [--models gpt2-124m,llama-1b] [--dtypes f32]
                                           [--threads 2] [--repeat 3] [--no-torch]
Needs build/libnninit.so (`make`); ~5 GB of memory for llama-1b in f32.
"""
import argparse
import json
import math
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import torch  # noqa: E402
from torch import nn  # noqa: E402

import gen_models  # noqa: E402
import nninit  # noqa: E402

FLOOR = ("gpt2-124m", "f32", 5.0)     # init_module at least 5x the model's torch.nn.init loop
DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median(xs):
    xs = sorted(xs)
    k = len(xs) // 2
    return xs[k] if len(xs) % 2 else 0.5 * (xs[k - 1] + xs[k])


def build(model, dtype):
    """The module on the CPU, parameters allocated but not initialized."""
    m = gen_models.GPT2() if model == "gpt2-124m" else gen_models.Llama()
    m = m.to(DTYPES[dtype]).to_empty(device="cpu")
    # to_empty gives each module its own new Parameter: tie the embeddings again
    if model == "gpt2-124m":
        m.transformer.wte.weight = m.lm_head.weight
    else:
        m.lm_head.weight = m.model.embed_tokens.weight
    return m


# ---- the models' own torch.nn.init loops ------------------------------------------------------
def hf_gpt2_init(model, n_layer=12, std=0.02):
    """Hugging Face GPT2PreTrainedModel._init_weights, applied to every module."""
    def _init_weights(module):
        if isinstance(module, (nn.Linear, gen_models.Conv1D)):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)
        for name, p in module.named_parameters():
            if name == "c_proj.weight":
                p.data.normal_(mean=0.0, std=std / math.sqrt(2 * n_layer))
    model.apply(_init_weights)


def hf_llama_init(model, std=0.02):
    """Hugging Face LlamaPreTrainedModel._init_weights, applied to every module."""
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
        elif isinstance(module, gen_models.RMSNorm):
            module.weight.data.fill_(1.0)
    model.apply(_init_weights)


def once_per_parameter(model, calls):
    """Each parameter once, with the torch.nn.init call of its rule."""
    for p, fn, kw in calls:
        fn(p, **kw)


def torch_calls(model, spec_rules):
    """(parameter, torch.nn.init function, kwargs) for every parameter, from the rules
    (first match wins; the examples use normal, ones and zeros only)."""
    import fnmatch
    out = []
    for name, p in model.named_parameters():
        init = next(v for k, v in spec_rules.items() if fnmatch.fnmatchcase(name, k))
        if init.startswith("normal(std=") or init.startswith("normal(mean=0, std="):
            out.append((p, torch.nn.init.normal_, {"std": float(init[init.index("std=") + 4:-1])}))
        elif init == "ones":
            out.append((p, torch.nn.init.ones_, {}))
        elif init == "zeros":
            out.append((p, torch.nn.init.zeros_, {}))
        else:
            raise SystemExit("bench_python.py: no torch.nn.init call for %r" % init)
    return out


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(model, dtype, threads, repeat, with_torch):
    with open(os.path.join(ROOT, "examples", "models", model + ".json")) as f:
        example = json.load(f)
    # the example's rules, or (a spec nninit spec wrote) each tensor's own init
    rules = example.get("rules") or {t["name"]: t["init"] for t in example["tensors"]}
    seed = example["seed"]
    log("bench_python: %s %s: building the module" % (model, dtype))
    m = build(model, dtype)
    nbytes = sum(p.numel() * p.element_size() for p in m.parameters())
    nninit.init_module(m, rules, seed=seed, threads=threads)      # untimed: faults the memory in
    model_loop = (lambda: hf_gpt2_init(m)) if model == "gpt2-124m" else (lambda: hf_llama_init(m))
    calls = torch_calls(m, rules)
    t_model, t_once, t_nninit = [], [], []
    with torch.no_grad():
        for r in range(repeat):
            log("bench_python: %s %s: run %d/%d" % (model, dtype, r + 1, repeat))
            if with_torch:
                t_model.append(timed(model_loop))
                t_once.append(timed(lambda: once_per_parameter(m, calls)))
            t_nninit.append(timed(lambda: nninit.init_module(m, rules, seed=seed, threads=threads)))
    del m, calls
    return {"model": model, "dtype": dtype, "bytes": nbytes, "nninit": median(t_nninit),
            "model_loop": median(t_model) if t_model else None, "once": median(t_once) if t_once else None}


def fmt(seconds, nbytes):
    return "n/a" if seconds is None else "%.3f (%.2f)" % (seconds, nbytes / seconds / 1e9)


def ratio(a, b):
    return "n/a" if a is None else "%.1fx" % (a / b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="gpt2-124m,llama-1b")
    ap.add_argument("--dtypes", default="f32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-torch", action="store_true", help="time init_module only")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    rows = []
    for model in args.models.split(","):
        for dtype in args.dtypes.split(","):
            if model not in ("gpt2-124m", "llama-1b") or dtype not in DTYPES:
                raise SystemExit("bench_python.py: unknown model %r or dtype %r" % (model, dtype))
            rows.append(run(model, dtype, args.threads, args.repeat, not args.no_torch))
    load_after = os.getloadavg()[0]

    print("| model | dtype | GB | torch, the model's loop s (GB/s) | torch, each parameter once s (GB/s) "
          "| nninit.init_module s (GB/s) | vs the model's loop | vs each parameter once |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %s | %.3f | %s | %s | %s | %s | %s |" % (
            r["model"], r["dtype"], r["bytes"] / 1e9, fmt(r["model_loop"], r["bytes"]), fmt(r["once"], r["bytes"]),
            fmt(r["nninit"], r["bytes"]), ratio(r["model_loop"], r["nninit"]), ratio(r["once"], r["nninit"])))
    print()
    print("%d threads (torch.set_num_threads, init_module threads=), median of %d; PyTorch %s, nninit %s (%s path, "
          "%s); load average %.2f before, %.2f after" % (
              args.threads, args.repeat, torch.__version__, nninit.__version__, nninit._lib.isa().decode(),
              nninit.library_path, load_before, load_after))
    for r in rows:
        if (r["model"], r["dtype"]) == FLOOR[:2] and r["model_loop"] is not None:
            speedup = r["model_loop"] / r["nninit"]
            print("floor: init_module >= %.0fx the model's torch.nn.init loop for %s %s: %.1fx, %s" % (
                FLOOR[2], FLOOR[0], FLOOR[1], speedup, "met" if speedup >= FLOOR[2] else "NOT met"))


if __name__ == "__main__":
    main()
